import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Session } from '../sdk/processor.js';

/** Bytes read per syscall: large enough to amortise the call, small enough to stay cache-friendly. */
const CHUNK_BYTES = 1 << 20;
/** A line longer than this is skipped as malformed instead of buffered (V8 strings top out near 512 MiB). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Where a session file sits under the root (what the scan found). */
export interface SessionEntry {
  /** Absolute path. */
  path: string;
  /** Relative to the root, `/`-separated: the session_file key. */
  sessionKey: string;
  username: string;
  sizeBytes: number;
  mtimeMs: number;
}

/**
 * An opened session: the size is fixed when it is opened, so every pass (hash or records) sees the same
 * bytes and the stored hash is exactly the content that was processed. Content appended afterwards has a
 * newer mtime than `readAt` and is picked up by a later run. The file handle stays open, so a file deleted
 * after opening is still read whole (POSIX semantics).
 */
export class SessionFile implements Session {
  readonly path: string;
  readonly sessionKey: string;
  readonly username: string;
  readonly sizeBytes: number;
  /** When the read started: taken before hashing, stored as processed_at. */
  readonly readAt: Date;
  malformedLines = 0;
  /** Session bytes read from disk across all passes (benchmarks prove no-op runs read none). */
  bytesRead = 0;
  private digest: string | undefined;

  private constructor(private readonly handle: FileHandle, entry: SessionEntry, size: number, readAt: Date) {
    this.path = entry.path;
    this.sessionKey = entry.sessionKey;
    this.username = entry.username;
    this.sizeBytes = size;
    this.readAt = readAt;
  }

  /** Opens the file; rejects with the fs error (ENOENT when it vanished since the scan). */
  static async open(entry: SessionEntry): Promise<SessionFile> {
    const readAt = new Date();
    const handle = await open(entry.path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw Object.assign(new Error(`${entry.path} is not a regular file`), { code: 'EISDIR' });
      return new SessionFile(handle, entry, stat.size, readAt);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** MD5 hex of the content; computed once, by the first complete pass. */
  async md5(): Promise<string> {
    if (this.digest === undefined) {
      const hash = createHash('md5');
      for await (const chunk of this.chunks()) hash.update(chunk);
      this.digest = hash.digest('hex');
    }
    return this.digest;
  }

  records(): AsyncIterable<unknown> {
    return this.flatten();
  }

  private async *flatten(): AsyncGenerator<unknown> {
    for await (const batch of this.recordBatches()) yield* batch;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    let position = 0;
    while (position < this.sizeBytes) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, this.sizeBytes - position));
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break; // truncated since it was opened: process what is there
      position += bytesRead;
      this.bytesRead += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  }

  /**
   * One pass, one batch of parsed records per chunk read: split on '\n', decode each line on its own
   * (keeps ASCII lines one-byte strings), parse. Batches let one pass feed several processors cheaply.
   * Once `wanted()` turns false the rest is only hashed, not parsed: the hash is needed anyway.
   */
  async *recordBatches(wanted: () => boolean = () => true): AsyncGenerator<unknown[]> {
    const hash = this.digest === undefined ? createHash('md5') : undefined;
    let malformed = 0;
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let oversized = false;
    let first = true;
    const parse = (line: Buffer, start: number, end: number): { ok: true; value: unknown } | { ok: false } | null => {
      if (first) {
        first = false;
        if (end - start >= 3 && line[start] === 0xef && line[start + 1] === 0xbb && line[start + 2] === 0xbf) start += 3;
      }
      if (isBlank(line, start, end)) return null;
      try {
        return { ok: true, value: JSON.parse(line.toString('utf8', start, end)) };
      } catch {
        return { ok: false };
      }
    };
    let parsing = true;
    for await (const chunk of this.chunks()) {
      hash?.update(chunk);
      if (parsing && !wanted()) parsing = false;
      if (!parsing) continue;
      const batch: unknown[] = [];
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(10, start);
        if (newline === -1) break;
        let result;
        if (carryBytes > 0 || oversized) {
          if (oversized || carryBytes + newline - start > MAX_LINE_BYTES) result = { ok: false } as const;
          else {
            carry.push(chunk.subarray(start, newline));
            const joined = Buffer.concat(carry);
            result = parse(joined, 0, joined.length);
          }
          carry = [];
          carryBytes = 0;
          oversized = false;
        } else {
          result = parse(chunk, start, newline);
        }
        if (result) {
          if (result.ok) batch.push(result.value);
          else malformed++;
        }
        start = newline + 1;
      }
      if (start < chunk.length && !oversized) {
        carryBytes += chunk.length - start;
        if (carryBytes > MAX_LINE_BYTES) {
          oversized = true;
          carry = [];
        } else carry.push(Buffer.from(chunk.subarray(start))); // copy, so the rest of the chunk can be freed
      }
      if (batch.length > 0) yield batch;
    }
    if (!parsing) carry = [];
    else if (oversized) malformed++;
    else if (carryBytes > 0) {
      const joined = Buffer.concat(carry);
      const result = parse(joined, 0, joined.length); // last line without '\n' (a live append may be cut off)
      if (result) {
        if (result.ok) yield [result.value];
        else malformed++;
      }
    }
    this.malformedLines = malformed;
    if (hash && this.digest === undefined) this.digest = hash.digest('hex');
  }
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}
