// Reading an archived copy of a session as if it were the file: random access over its compressed members.
// Runs in plugin processes too (SessionFile opens archived sessions there), so it needs nothing but fs and zlib.
import { closeSync, openSync, readSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

/**
 * One compressed member of an archived session: `rawBytes` bytes of the session from `rawOffset`. Its
 * Brotli stream is `packedBytes` bytes from `packedOffset` of the version's own data file, or, once the
 * session was packed with others (archivePacks.ts), of the block in `pack` that holds the member's bytes
 * from `offsetInBlock`. Members follow each other in the session.
 */
export interface ArchivedMember {
  rawOffset: number;
  rawBytes: number;
  packedOffset: number;
  packedBytes: number;
  md5: string;
  /** The pack file holding the member's block (absolute in an ArchivedCopy, relative in the manifest). */
  pack?: string;
  offsetInBlock?: number;
}

/** Where an archived version of a session lives and what it holds. JSON-safe (it travels to plugin processes). */
export interface ArchivedCopy {
  /** Absolute path of the version's own data file (members without a pack live there). */
  dataFile: string;
  version: number;
  /** Bytes of the session it holds (the sum of its members' rawBytes). */
  rawBytes: number;
  /** MD5 of those bytes. */
  md5: string;
  members: ArchivedMember[];
}

/** A read-only byte source with the shape of a file descriptor's positional read. */
export interface ByteSource {
  readonly size: number;
  /** Like fs.readSync: copies up to `length` bytes from `position` into `buffer` at `offset`; 0 at the end. */
  read(buffer: Buffer, offset: number, length: number, position: number): number;
  close(): void;
}

/**
 * The pack blocks decompressed last, shared by every source in the process, least recently used first out.
 * Sessions packed together are read in key order, as they were packed, but several readers go side by side
 * (a run's SQL batches, each on about a block's worth of sessions): with room for each of them, a block is
 * decompressed about once per pass rather than once per session in it. Pack files are never rewritten in
 * place (a new pack gets a new name), so a block is known by its file and offset.
 */
const BLOCKS_KEPT = 5;
/** Blocks are let go once no read wanted one for this long: the app lives on long after a pass. */
const KEPT_IDLE_MS = 30_000;
const recentBlocks = new Map<string, Buffer>();
let release: NodeJS.Timeout | undefined;

function cachedBlock(key: string, inflate: () => Buffer): Buffer {
  let bytes = recentBlocks.get(key);
  if (bytes) recentBlocks.delete(key);
  else bytes = inflate();
  recentBlocks.set(key, bytes);
  if (recentBlocks.size > BLOCKS_KEPT) recentBlocks.delete(recentBlocks.keys().next().value!);
  clearTimeout(release);
  release = setTimeout(() => recentBlocks.clear(), KEPT_IDLE_MS).unref();
  return bytes;
}

/**
 * The bytes of an archived copy. Every file it needs is opened at once, so a pack rewritten meanwhile (its
 * old file removed) still reads. Own members are decompressed one at a time and the last one kept: passes
 * read forward, so each is decompressed once per pass, and memory stays one member (at most 4 MiB) plus
 * the shared blocks.
 */
export class ArchivedSource implements ByteSource {
  readonly size: number;
  private cached: { index: number; bytes: Buffer } | undefined;

  private constructor(
    private readonly files: Map<string, number>,
    private readonly copy: ArchivedCopy,
  ) {
    this.size = copy.rawBytes;
  }

  static open(copy: ArchivedCopy): ArchivedSource {
    const files = new Map<string, number>();
    try {
      for (const path of filesOf(copy)) files.set(path, openSync(path, 'r'));
    } catch (error) {
      for (const fd of files.values()) closeSync(fd);
      throw error;
    }
    return new ArchivedSource(files, copy);
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length && position + done < this.size) {
      const index = this.memberAt(position + done);
      const member = this.copy.members[index];
      const bytes = this.inflate(index);
      const from = position + done - member.rawOffset;
      const count = Math.min(length - done, bytes.length - from);
      bytes.copy(buffer, offset + done, from, from + count);
      done += count;
    }
    return done;
  }

  close(): void {
    this.cached = undefined;
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }

  private memberAt(position: number): number {
    const { members } = this.copy;
    let low = 0;
    let high = members.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (members[middle].rawOffset <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private inflate(index: number): Buffer {
    if (this.cached?.index === index) return this.cached.bytes;
    const member = this.copy.members[index];
    const path = member.pack ?? this.copy.dataFile;
    const where = `${path}: member ${index + 1} of ${this.copy.dataFile}`;
    let bytes: Buffer;
    if (member.pack === undefined) {
      bytes = inflateAt(this.files.get(path)!, member.packedOffset, member.packedBytes, where);
    } else {
      const block = cachedBlock(`${path}\0${member.packedOffset}`, () => inflateAt(this.files.get(path)!, member.packedOffset, member.packedBytes, where));
      const from = member.offsetInBlock ?? 0;
      bytes = block.subarray(from, from + member.rawBytes);
    }
    if (bytes.length !== member.rawBytes) {
      throw new Error(`${where} holds ${bytes.length} bytes, the manifest says ${member.rawBytes}: run \`archive verify\``);
    }
    this.cached = { index, bytes };
    return bytes;
  }
}

/** The files an archived copy is read from: its own data file, the packs holding its other members. */
export function filesOf(copy: ArchivedCopy): string[] {
  return [...new Set(copy.members.map((m) => m.pack ?? copy.dataFile))];
}

/** Reads `packedBytes` from `packedOffset` of an open file and decompresses them (one Brotli stream). */
export function inflateAt(fd: number, packedOffset: number, packedBytes: number, where: string): Buffer {
  const packed = Buffer.allocUnsafe(packedBytes);
  let got = 0;
  while (got < packed.length) {
    const n = readSync(fd, packed, got, packed.length - got, packedOffset + got);
    if (n === 0) throw new Error(`${where}: the file is shorter than the archive's manifest says: run \`archive verify\``);
    got += n;
  }
  return brotliDecompressSync(packed);
}
