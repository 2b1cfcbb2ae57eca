import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Session } from '../sdk/processor.js';
import { ArchivedSource, type ArchivedCopy, type ByteSource } from './archive/archivedSource.js';
import type { LineSelection } from './linePicker.js';
import { RecordParser, type RecordBatch } from './recordParser.js';

export type { LineSelection } from './linePicker.js';
export { MAX_LINE_BYTES, type RecordBatch } from './recordParser.js';

/** Bytes read per syscall: large enough to amortise the call, small enough to stay cache-friendly. */
const CHUNK_BYTES = 1 << 20;
/**
 * A file up to this size is read in one go and kept until closed, so hashing first (is it unchanged?) and
 * then parsing (it changed) costs one read, not two. Most sessions are far smaller (median ~160 KB).
 */
const KEEP_WHOLE_BYTES = 4 << 20;
/**
 * Reads are synchronous, so a long pass gives the event loop a turn at least this often (ms): heartbeats,
 * processor time limits and cancel messages must still get through while a 1 GB session is read.
 */
const YIELD_EVERY_MS = 20;
/** O_NONBLOCK: opening a FIFO that replaced a session file must not hang; it is then refused as not a file. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Where a session file sits under the root (what the scan found). */
export interface SessionEntry {
  /** Absolute path. */
  path: string;
  /** Relative to the root, `/`-separated: the session_file key. */
  sessionKey: string;
  /** The first folder of sessionKey: the project (or, on a team server, the user). */
  group: string;
  sizeBytes: number;
  mtimeMs: number;
  /**
   * Set when the file is gone and the session is read from the archive (`path` is where it was). Its size
   * and mtime are the source's as last archived.
   */
  archived?: ArchivedCopy;
}

export interface PassOptions {
  /** Checked before each chunk: once it turns false, the rest is only hashed (the hash is needed anyway). */
  wanted?: () => boolean;
  /** One selection per consumer group; each batch holds one array of records per group. Default: [null]. */
  groups?: readonly LineSelection[];
  /**
   * Start at this line instead of the first (`byte`: where it starts, from a LineIndex): a reader that shows
   * a page of a big session reads from there. Such a pass does not hash (it does not read the whole file).
   */
  from?: LineStart;
  /** Told the file line of each line that is not JSON. */
  onMalformed?: (lineNo: number) => void;
}

/** Where a line starts in a file: its 1-based number and its byte offset. */
export interface LineStart {
  lineNo: number;
  byte: number;
}

/**
 * An opened session: the size is fixed when it is opened, so every pass (hash or records) sees the same
 * bytes and the stored hash is exactly the content that was processed. Content appended afterwards has a
 * newer mtime than `readAt` and is picked up by a later run. The file stays open, so a file deleted after
 * opening is still read whole (POSIX semantics).
 *
 * Reads are synchronous on purpose: a pass reads 1 MiB at a time from a file this process owns, and a
 * synchronous read costs a syscall where an async one also costs two thread-pool hops; for 100,000 small
 * sessions those hops dominated. The event loop still turns between chunks.
 */
export class SessionFile implements Session {
  readonly path: string;
  readonly sessionKey: string;
  readonly group: string;
  readonly sizeBytes: number;
  /** The SDK's older name for group. */
  get username(): string {
    return this.group;
  }
  /** When the read started: taken before hashing, stored as processed_at. */
  readonly readAt: Date;
  /** The file's modification time when it was opened, ms since the epoch. */
  readonly modifiedMs: number;
  /** Malformed lines of the last completed records() pass. */
  malformedLines = 0;
  /** The file line (1-based) of the record records() yielded last; 0 before the first. */
  lineNo = 0;
  /** Malformed lines per group of the last completed recordBatches() pass (a line counts for the groups that selected it). */
  malformedByGroup: number[] = [];
  /** Session bytes read from disk across all passes (benchmarks prove no-op runs read none). */
  bytesRead = 0;
  private digest: string | undefined;
  private closed = false;
  /** The whole content of a small file after its first read (see KEEP_WHOLE_BYTES). */
  private whole: Buffer | undefined;

  private constructor(
    private readonly source: ByteSource,
    entry: SessionEntry,
    size: number,
    modifiedMs: number,
    readAt: Date,
  ) {
    this.path = entry.path;
    this.sessionKey = entry.sessionKey;
    this.group = entry.group;
    this.sizeBytes = size;
    this.modifiedMs = modifiedMs;
    this.readAt = readAt;
  }

  /** Opens the file; rejects with the fs error (ENOENT when it vanished since the scan). */
  static async open(entry: SessionEntry): Promise<SessionFile> {
    const readAt = new Date();
    if (entry.archived) return new SessionFile(ArchivedSource.open(entry.archived), entry, entry.archived.rawBytes, entry.mtimeMs, readAt);
    const fd = openSync(entry.path, OPEN_FLAGS);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw Object.assign(new Error(`${entry.path} is not a regular file`), { code: 'EISDIR' });
      return new SessionFile(new FileSource(fd, stat.size), entry, stat.size, stat.mtimeMs, readAt);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** MD5 hex of the content; computed once, by the first complete pass. */
  async md5(): Promise<string> {
    if (this.digest === undefined) {
      for await (const chunk of this.hashedChunks()) void chunk; // hashing is the point of the pass
    }
    return this.digest!;
  }

  /** Every record; `selection` keeps only the lines containing one of its strings (see LineSelection). */
  records(selection: LineSelection = null): AsyncIterable<unknown> {
    return this.flatten(selection);
  }

  private async *flatten(selection: LineSelection): AsyncGenerator<unknown> {
    for await (const batch of this.recordBatches({ groups: [selection] })) {
      const [records] = batch.records;
      const [lineNos] = batch.lineNos;
      for (let i = 0; i < records.length; i++) {
        this.lineNo = lineNos[i];
        yield records[i];
      }
    }
    this.malformedLines = this.malformedByGroup[0];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.whole = undefined;
    this.source.close();
  }

  /**
   * The whole content (the size fixed at open), hashed unless `hash` is false, in `scratch` when it is
   * large enough (callers that read many files reuse one: a fresh buffer per file kept the garbage
   * collector busy); valid until the next call with the same scratch.
   */
  readAll(scratch?: Buffer, hash = true): Buffer {
    const content = this.readFromStart(scratch && scratch.length >= this.sizeBytes ? scratch.subarray(0, this.sizeBytes) : Buffer.allocUnsafe(this.sizeBytes));
    if (hash) this.digest ??= createHash('md5').update(content).digest('hex');
    return content;
  }

  /** Fills `buffer` from the start of the file; the part filled (less if it was truncated since it was opened). */
  private readFromStart(buffer: Buffer): Buffer {
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = this.source.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break; // truncated since it was opened: process what is there
      length += bytesRead;
    }
    this.bytesRead += length;
    return length === buffer.length ? buffer : buffer.subarray(0, length);
  }

  /**
   * The content chunk by chunk from byte `from`, hashed on the way when it starts at 0 (md5() then costs
   * nothing) unless `hash` is false; the event loop turns between chunks.
   */
  async *hashedChunks(from = 0, hash = from === 0): AsyncGenerator<Buffer> {
    const md5 = this.digest === undefined && from === 0 && hash ? createHash('md5') : undefined;
    let turn = performance.now();
    for (const chunk of this.chunks(from)) {
      if (performance.now() - turn >= YIELD_EVERY_MS) {
        await nextTurn();
        turn = performance.now();
      }
      md5?.update(chunk);
      yield chunk;
    }
    if (md5 && this.digest === undefined) this.digest = md5.digest('hex');
  }

  private *chunks(from: number): Generator<Buffer> {
    if (!this.whole && this.sizeBytes > 0 && this.sizeBytes <= KEEP_WHOLE_BYTES) this.whole = this.readFromStart(Buffer.allocUnsafe(this.sizeBytes));
    if (this.whole) {
      if (from < this.whole.length) yield from === 0 ? this.whole : this.whole.subarray(from);
      return;
    }
    let position = from;
    while (position < this.sizeBytes) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, this.sizeBytes - position));
      const bytesRead = this.source.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break; // truncated since it was opened: process what is there
      position += bytesRead;
      this.bytesRead += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  }

  /**
   * One pass, one batch per chunk read: split on '\n', pick the lines some group selects (needles are
   * searched in the raw bytes, each occurrence found once per chunk, so the search stays linear), decode
   * each picked line on its own (keeps ASCII lines one-byte strings) and parse it once for every group.
   * A batch holds one array per group; the same parsed object is shared by the groups that selected it.
   */
  async *recordBatches(options: PassOptions = {}): AsyncGenerator<RecordBatch> {
    const wanted = options.wanted ?? (() => true);
    const parser = new RecordParser(options.groups ?? [null], options.onMalformed ?? (() => undefined), options.from);
    let parsing = true;
    for await (const chunk of this.hashedChunks(options.from?.byte ?? 0)) {
      if (parsing && !wanted()) parsing = false;
      if (!parsing) continue;
      parser.feed(chunk);
      const batch = parser.takeBatch();
      if (batch) yield batch;
    }
    if (parsing) {
      parser.end();
      const batch = parser.takeBatch();
      if (batch) yield batch;
    }
    this.malformedByGroup = parser.malformed;
  }
}

/** A session file on disk, through its descriptor. */
class FileSource implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    return readSync(this.fd, buffer, offset, length, position);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Resolves after pending timers and I/O callbacks had their turn. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
