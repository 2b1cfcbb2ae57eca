// The parsing side of SessionFile.recordBatches: chunks split on '\n', lines gathered across chunks, the
// picked ones parsed once and handed to every group that selected them.
import { LinePicker, type LineSelection } from './linePicker.js';

/** A line longer than this is skipped as malformed instead of buffered (V8 strings top out near 512 MiB). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Records of one chunk, per line-selection group, with the file line of each. */
export interface RecordBatch {
  records: unknown[][];
  lineNos: number[][];
}

function emptyBatch(groups: number): RecordBatch {
  return { records: Array.from({ length: groups }, () => []), lineNos: Array.from({ length: groups }, () => []) };
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

/**
 * One pass's parser, fed chunk by chunk: picks the lines some group selects (needles are searched in the raw
 * bytes, each occurrence found once per chunk, so the search stays linear), decodes each picked line on its
 * own (keeps ASCII lines one-byte strings) and parses it once for every group.
 */
export class RecordParser {
  /** Malformed lines per group. */
  readonly malformed: number[];
  private readonly groups: readonly LineSelection[];
  private readonly lines: LinePicker;
  private readonly onMalformed: (lineNo: number) => void;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private oversized = false;
  /** A byte order mark can only open the file. */
  private first: boolean;
  private out: RecordBatch;
  private any = false;
  /** The line being taken (counted at its end: every '\n', and the last line without one). */
  private lineNo: number;

  constructor(groups: readonly LineSelection[], onMalformed: (lineNo: number) => void, from: { lineNo: number; byte: number } | undefined) {
    this.groups = groups;
    this.lines = new LinePicker(groups);
    this.malformed = groups.map(() => 0);
    this.onMalformed = onMalformed;
    this.first = (from?.byte ?? 0) === 0;
    this.out = emptyBatch(groups.length);
    this.lineNo = (from?.lineNo ?? 1) - 1;
  }

  private take(buffer: Buffer, start: number, end: number, inChunk: boolean): void {
    if (this.first) {
      this.first = false;
      if (end - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf) start += 3;
    }
    const picked = this.lines.pick(buffer, start, end, inChunk);
    if (picked === 0) return;
    if (isBlank(buffer, start, end)) return;
    let value: unknown;
    try {
      value = JSON.parse(buffer.toString('utf8', start, end));
    } catch {
      for (let g = 0; g < this.groups.length; g++) if (picked & (1 << g)) this.malformed[g]++;
      this.onMalformed(this.lineNo);
      return;
    }
    for (let g = 0; g < this.groups.length; g++) {
      if (picked & (1 << g)) {
        this.out.records[g].push(value);
        this.out.lineNos[g].push(this.lineNo);
      }
    }
    this.any = true;
  }

  /** A line too long to parse: malformed for every group. */
  private tooLong(lineNo: number): void {
    for (let g = 0; g < this.groups.length; g++) this.malformed[g]++;
    this.onMalformed(lineNo);
  }

  /** Parses the lines that end in `chunk` and keeps the start of the one that does not. */
  feed(chunk: Buffer): void {
    this.lines.newChunk();
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) break;
      this.lineNo++;
      if (this.carryBytes > 0 || this.oversized) {
        if (this.oversized || this.carryBytes + newline - start > MAX_LINE_BYTES) this.tooLong(this.lineNo);
        else {
          this.carry.push(chunk.subarray(start, newline));
          const joined = Buffer.concat(this.carry);
          this.take(joined, 0, joined.length, false);
        }
        this.carry = [];
        this.carryBytes = 0;
        this.oversized = false;
      } else {
        this.take(chunk, start, newline, true);
      }
      start = newline + 1;
    }
    if (start < chunk.length && !this.oversized) {
      this.carryBytes += chunk.length - start;
      if (this.carryBytes > MAX_LINE_BYTES) {
        this.oversized = true;
        this.carry = [];
      } else this.carry.push(Buffer.from(chunk.subarray(start))); // copy, so the rest of the chunk can be freed
    }
  }

  /** After the last chunk: the last line, without '\n' (a live append may be cut off). */
  end(): void {
    if (this.oversized) this.tooLong(this.lineNo + 1);
    else if (this.carryBytes > 0) {
      this.lineNo++;
      const joined = Buffer.concat(this.carry);
      this.take(joined, 0, joined.length, false);
    }
  }

  /** The records parsed since the last call, or null when there are none. */
  takeBatch(): RecordBatch | null {
    if (!this.any) return null;
    const batch = this.out;
    this.out = emptyBatch(this.groups.length);
    this.any = false;
    return batch;
  }
}
