// A session file as chunks of whole lines, for a reader that splits lines itself (the SQL engine's DuckDB).
import { MAX_LINE_BYTES, type SessionFile } from './sessionFile.js';

/** Whole lines of a file, for a reader that splits them itself; or one line over MAX_LINE_BYTES, left out. */
export type LineChunk = { firstLine: number; bytes: Buffer; oversized: false } | { firstLine: number; oversized: true };

/** Lines are handed on in chunks of about this many bytes (the last one may be smaller). */
const LINE_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * The file as chunks of whole lines, each with the number of its first line, hashing on the way: for
 * the SQL engine's sessions that DuckDB does not read itself. A BOM before the first line is dropped and a
 * line over MAX_LINE_BYTES is not buffered (records()'s rules); the chunks end with '\n' except the last,
 * which holds a last line without one.
 */
export async function* lineChunks(file: SessionFile, chunkBytes = LINE_CHUNK_BYTES, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineChunk> {
  let lineNo = 1;
  let ready: Buffer[] = [];
  let readyBytes = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let skipping = false; // inside a line over MAX_LINE_BYTES
  let first = true;
  const take = (): LineChunk => {
    const bytes = Buffer.concat(ready);
    const chunk: LineChunk = { firstLine: lineNo, bytes, oversized: false };
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lineNo++;
    ready = [];
    readyBytes = 0;
    return chunk;
  };
  for await (let chunk of file.hashedChunks()) {
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (skipping) {
      const newline = chunk.indexOf(10);
      if (newline === -1) continue;
      skipping = false;
      lineNo++;
      chunk = chunk.subarray(newline + 1);
    }
    if (carryBytes > 0) {
      const newline = chunk.indexOf(10);
      if (newline !== -1 && carryBytes + newline > maxLineBytes) {
        // The line carried so far ends here, too long to hold: malformed, as records() counts it.
        if (readyBytes > 0) yield take();
        yield { firstLine: lineNo, oversized: true };
        lineNo++;
        carry = [];
        carryBytes = 0;
        chunk = chunk.subarray(newline + 1);
      }
    }
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      carry.push(Buffer.from(chunk));
      carryBytes += chunk.length;
      if (carryBytes > maxLineBytes) {
        if (readyBytes > 0) yield take();
        yield { firstLine: lineNo, oversized: true };
        carry = [];
        carryBytes = 0;
        skipping = true;
      }
      continue;
    }
    ready.push(...carry, chunk.subarray(0, last + 1));
    readyBytes += carryBytes + last + 1;
    carry = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    carryBytes = chunk.length - last - 1;
    if (readyBytes >= chunkBytes) yield take();
  }
  if (!skipping && carryBytes > 0) {
    ready.push(...carry);
    readyBytes += carryBytes;
  }
  if (readyBytes > 0) yield take();
}
