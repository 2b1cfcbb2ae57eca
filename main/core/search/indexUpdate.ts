import { errnoCode, errorMessage } from '../errors.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';
import type { PieceRow, SearchDb } from './searchDb.js';
import { recordCwd, recordTime, searchPieces } from './searchText.js';

/** A write lands once this much text is waiting (characters): few, large transactions, bounded memory. */
const FLUSH_CHARS = 8 << 20;
/** …or this many sessions are waiting (100,000 small sessions would otherwise make one huge batch of session rows). */
const FLUSH_SESSIONS = 2_000;
/** The event loop gets a turn at least this often (ms) between files: the app answers other calls while it indexes. */
const YIELD_EVERY_MS = 20;

export interface IndexProgress {
  /** Sessions of this update read so far. */
  done: number;
  /** Sessions this update reads (new or changed since they were indexed). */
  total: number;
}

export interface IndexUpdateResult extends IndexProgress {
  /** Sessions under the root now, indexed or not. */
  sessions: number;
  /** Sessions that could not be read (with the reason); their earlier rows, if any, stay. */
  warnings: string[];
  /** Whether a cancel stopped it before the end (what was written stays). */
  cancelled: boolean;
}

interface IndexedSession {
  sid: number;
  sizeBytes: number;
  mtimeMs: number;
}

interface SessionRow {
  sid: number;
  /** The sid its earlier rows have, if it was indexed before. */
  replaces: number | null;
  key: string;
  sizeBytes: number;
  mtimeMs: number;
  cwd: string | null;
  pieces: number;
}

/** Sessions whose size or modification time differ from the indexed bytes', and new ones. */
export async function staleSessions(
  db: SearchDb,
  root: string,
  sessions: SessionEntry[],
): Promise<{ stale: SessionEntry[]; known: Map<string, IndexedSession> }> {
  const rows = await db.all('SELECT sid, session_key, size_bytes, mtime_ms FROM search_sessions WHERE root = $root', { root });
  const known = new Map(rows.map((r) => [String(r.session_key), { sid: Number(r.sid), sizeBytes: Number(r.size_bytes), mtimeMs: Number(r.mtime_ms) }]));
  const stale = sessions.filter((s) => {
    const indexed = known.get(s.sessionKey);
    return !indexed || indexed.sizeBytes !== s.sizeBytes || indexed.mtimeMs !== s.mtimeMs;
  });
  return { stale, known };
}

/**
 * Brings the index of `root` in step with the scanned `sessions`: each new or changed one is read whole
 * (through SessionFile, the one guarded reader) and its rows replaced; the others are not opened. Sessions
 * the scan no longer finds keep their rows: the index keeps a deleted or archived transcript searchable.
 * A changed file replaces all of its rows, so text removed from it (a redacted secret) leaves the index.
 */
export async function updateIndex(
  db: SearchDb,
  root: string,
  sessions: SessionEntry[],
  options: { onProgress?: (progress: IndexProgress) => void; signal?: AbortSignal } = {},
): Promise<IndexUpdateResult> {
  const { stale, known } = await staleSessions(db, root, sessions);
  // Oldest first: a session indexed later gets a larger sid, and searches list the largest sids first.
  stale.sort((a, b) => a.mtimeMs - b.mtimeMs);
  let nextSid = Number((await db.all('SELECT coalesce(max(sid), 0) AS m FROM search_sessions'))[0].m) + 1;
  const result: IndexUpdateResult = { done: 0, total: stale.length, sessions: sessions.length, warnings: [], cancelled: false };
  let pieces: PieceRow[] = [];
  let rows: SessionRow[] = [];
  let chars = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    await writeBatch(db, root, rows, pieces, known);
    pieces = [];
    rows = [];
    chars = 0;
  };
  let turn = performance.now();
  for (const entry of stale) {
    if (options.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    if (performance.now() - turn >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turn = performance.now();
    }
    const sid = nextSid++;
    try {
      const read = await readSession(entry, sid, pieces);
      chars += read.chars;
      rows.push({ ...read.row, key: entry.sessionKey, replaces: known.get(entry.sessionKey)?.sid ?? null });
    } catch (error) {
      // Gone since the scan: its earlier rows stay, as for any deleted file. Anything else is reported.
      if (errnoCode(error) !== 'ENOENT') result.warnings.push(`skipped ${entry.path}: ${errorMessage(error)}`);
    }
    result.done++;
    options.onProgress?.({ done: result.done, total: result.total });
    if (chars >= FLUSH_CHARS || rows.length >= FLUSH_SESSIONS) await flush();
  }
  await flush();
  if (result.done > 0) await db.run('CHECKPOINT');
  return result;
}

/** One session's pieces appended to `out`; its session row (the signature of the bytes read, not the scan's). */
async function readSession(entry: SessionEntry, sid: number, out: PieceRow[]): Promise<{ row: Omit<SessionRow, 'key' | 'replaces'>; chars: number }> {
  const file = await SessionFile.open(entry);
  let chars = 0;
  let count = 0;
  let cwd: string | null = null;
  try {
    for await (const batch of file.recordBatches()) {
      const [records] = batch.records;
      const [lineNos] = batch.lineNos;
      for (let i = 0; i < records.length; i++) {
        cwd ??= recordCwd(records[i]);
        const found = searchPieces(records[i]);
        if (found.length === 0) continue;
        const ts = recordTime(records[i]);
        for (const piece of found) {
          out.push([sid, lineNos[i], piece.role, ts, piece.text]);
          chars += piece.text.length;
          count++;
        }
      }
    }
  } finally {
    await file.close();
  }
  return { row: { sid, sizeBytes: file.sizeBytes, mtimeMs: file.modifiedMs, cwd, pieces: count }, chars };
}

/** One transaction: the batch's sessions lose their old rows and get the new ones, so a search sees one or the other. */
async function writeBatch(db: SearchDb, root: string, rows: SessionRow[], pieces: PieceRow[], known: Map<string, IndexedSession>): Promise<void> {
  // Each session gets a new sid, the largest yet: its old rows go by their old sid.
  const replaced = rows.flatMap((r) => (r.replaces === null ? [] : [r.replaces]));
  await db.transaction(async (c) => {
    if (replaced.length > 0) {
      await c.run('DELETE FROM search_pieces WHERE sid = ANY($sids::INTEGER[])', { sids: replaced } as never);
      await c.run('DELETE FROM search_sessions WHERE sid = ANY($sids::INTEGER[])', { sids: replaced } as never);
    }
    await c.run(
      `INSERT INTO search_sessions
       SELECT unnest($sid::INTEGER[]), $root, unnest($key::VARCHAR[]), unnest($size::BIGINT[]), unnest($mtime::DOUBLE[]),
              unnest($cwd::VARCHAR[]), unnest($pieces::INTEGER[]), now()`,
      {
        sid: rows.map((r) => r.sid),
        root,
        key: rows.map((r) => r.key),
        size: rows.map((r) => r.sizeBytes),
        mtime: rows.map((r) => r.mtimeMs),
        cwd: rows.map((r) => r.cwd),
        pieces: rows.map((r) => r.pieces),
      } as never,
    );
    await db.appendPieces(pieces);
  });
  for (const r of rows) known.set(r.key, { sid: r.sid, sizeBytes: r.sizeBytes, mtimeMs: r.mtimeMs });
}
