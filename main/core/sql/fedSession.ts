import { isUtf8 } from 'node:buffer';
import { lineChunks } from '../lineChunks.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';
import type { BatchConnection } from './batchConnection.js';
import { FED_TABLE, appendFedRow } from './recordsSql.js';

/** What reading a session established: the hash and size of exactly the bytes parsed. */
export interface ReadFacts {
  fileHash: string;
  bytesRead: number;
}

/**
 * Node reads the session (fixed size, hashed as read) and hands DuckDB its content a chunk of whole lines
 * at a time (si_fed), each chunk parsed into the group tables at once (`parseFed`): only the parsed columns stay, so a
 * session of any size is held a chunk at a time. The rules of records() that DuckDB would not apply are
 * applied here: a BOM is dropped, invalid UTF-8 decodes to U+FFFD, a line over MAX_LINE_BYTES is malformed.
 */
export async function feedSession(conn: BatchConnection, entry: SessionEntry, parseFed: () => Promise<void>): Promise<ReadFacts> {
  const file = await SessionFile.open(entry);
  const chunks = lineChunks(file);
  try {
    let next = chunks.next();
    for (;;) {
      const { value: chunk, done } = await next;
      if (done) break;
      await conn.exec(FED_TABLE); // the last chunk's rows go
      const appender = await conn.fedAppender();
      try {
        if (chunk.oversized) appendFedRow(appender, entry.sessionKey, chunk.firstLine, null, null);
        else if (isUtf8(chunk.bytes)) appendFedRow(appender, entry.sessionKey, chunk.firstLine, chunk.bytes, null);
        else appendFedRow(appender, entry.sessionKey, chunk.firstLine, null, chunk.bytes.toString('utf8'));
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      const parsing = parseFed();
      // This thread reads and hashes the next chunk while DuckDB's parses this one.
      next = chunks.next();
      next.catch(() => undefined); // awaited next turn, after the parse
      await parsing;
    }
    await conn.exec(FED_TABLE);
    return { fileHash: await file.md5(), bytesRead: file.bytesRead };
  } finally {
    await chunks.return(undefined);
    await file.close();
  }
}
