// What a batch learns about its files outside DuckDB: their stats around DuckDB's read, and Node's read
// of each for its MD5 (the state row's hash) and a UTF-8 check.
import { statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { MTIME_SLACK_MS } from '../dueRule.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';

export interface FileStat {
  /** Size and mtime to the nanosecond: equal signatures, unchanged file. */
  signature: string;
  mtimeMs: number;
}

/** A read of a session by a plugin process in this run: its hash of `bytes` bytes, read from `readAtMs` on. */
export interface KnownRead {
  fileHash: string;
  bytes: number;
  readAtMs: number;
}

/** What Node's read of a file gives: its MD5, the bytes read, and whether they are valid UTF-8. */
export interface FileHash {
  fileHash: string;
  bytesRead: number;
  utf8: boolean;
}

/** Size and mtime of each file now, by session key (undefined: gone). */
export function statAll(entries: SessionEntry[]): Map<string, FileStat | undefined> {
  const out = new Map<string, FileStat | undefined>();
  for (const entry of entries) {
    try {
      const st = statSync(entry.path, { bigint: true });
      out.set(entry.sessionKey, { signature: `${st.size}:${st.mtimeNs}`, mtimeMs: Number(st.mtimeNs / 1_000_000n) });
    } catch {
      out.set(entry.sessionKey, undefined);
    }
  }
  return out;
}

export function existsNow(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * MD5 and size of each file as Node reads it (size fixed at open), and whether it is valid UTF-8 (DuckDB
 * refuses what records() decodes to U+FFFD; such files are read by Node instead). An fs error is kept
 * per session. The event loop turns between files, so DuckDB statements finishing meanwhile are picked up.
 */
export async function hashFiles(
  entries: SessionEntry[],
  before: Map<string, FileStat | undefined>,
  known?: Map<string, KnownRead>,
): Promise<Map<string, FileHash | Error>> {
  const out = new Map<string, FileHash | Error>();
  let scratch: Buffer | undefined; // one buffer for all files, grown to the largest: fewer collections
  for (const entry of entries) {
    try {
      const file = await SessionFile.open(entry);
      try {
        // Hashed by a plugin process in this run and not modified since it read it (rule 1's slack): the
        // same bytes, so its hash holds; the content is still read, to check it is UTF-8.
        const read = known?.get(entry.sessionKey);
        const stat = before.get(entry.sessionKey);
        const reuse = read !== undefined && stat !== undefined && read.bytes === file.sizeBytes && stat.mtimeMs < read.readAtMs - MTIME_SLACK_MS;
        if (!scratch || scratch.length < file.sizeBytes) scratch = Buffer.allocUnsafe(Math.max(file.sizeBytes, 1 << 20));
        const content = file.readAll(scratch, !reuse);
        out.set(entry.sessionKey, { fileHash: reuse ? read.fileHash : await file.md5(), bytesRead: file.bytesRead, utf8: isUtf8(content) });
      } finally {
        await file.close();
      }
    } catch (error) {
      out.set(entry.sessionKey, error instanceof Error ? error : new Error(String(error)));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}
