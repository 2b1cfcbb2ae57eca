// Reading an archived copy of a session as if it were the file: random access over its compressed members.
// Runs in plugin processes too (SessionFile opens archived sessions there), so it needs nothing but fs and zlib.
import { closeSync, openSync, readSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

/**
 * One compressed member of an archived session: `rawBytes` bytes of the session from `rawOffset`, stored as
 * `packedBytes` bytes of Brotli from `packedOffset` of the data file. Members follow each other in both.
 */
export interface ArchivedMember {
  rawOffset: number;
  rawBytes: number;
  packedOffset: number;
  packedBytes: number;
  md5: string;
}

/** Where an archived version of a session lives and what it holds. JSON-safe (it travels to plugin processes). */
export interface ArchivedCopy {
  /** Absolute path of the data file. */
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
 * The bytes of an archived copy. Members are decompressed one at a time and the last one kept: passes read
 * forward, so each member is decompressed once per pass, and memory stays one member (at most 4 MiB).
 */
export class ArchivedSource implements ByteSource {
  readonly size: number;
  private cached: { index: number; bytes: Buffer } | undefined;

  private constructor(
    private readonly fd: number,
    private readonly copy: ArchivedCopy,
  ) {
    this.size = copy.rawBytes;
  }

  static open(copy: ArchivedCopy): ArchivedSource {
    return new ArchivedSource(openSync(copy.dataFile, 'r'), copy);
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
    closeSync(this.fd);
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
    const packed = Buffer.allocUnsafe(member.packedBytes);
    let got = 0;
    while (got < packed.length) {
      const n = readSync(this.fd, packed, got, packed.length - got, member.packedOffset + got);
      if (n === 0) throw new Error(`${this.copy.dataFile} is shorter than the archive's manifest says (member ${index + 1}): run \`archive verify\``);
      got += n;
    }
    const bytes = brotliDecompressSync(packed);
    if (bytes.length !== member.rawBytes) {
      throw new Error(`${this.copy.dataFile}: member ${index + 1} holds ${bytes.length} bytes, the manifest says ${member.rawBytes}: run \`archive verify\``);
    }
    this.cached = { index, bytes };
    return bytes;
  }
}
