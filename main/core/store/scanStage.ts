import type { SessionEntry } from '../sessionFile.js';
import type { ColumnSpec, Connection, Database } from './database.js';

/**
 * The scan of a run, staged once in a temp table (`scan_of_run`: key, mtime and position in the scan) for
 * every query that compares the database with the disk: the orphan sync and each processor's due query.
 * Staging 100,000 keys takes a few hundred ms; staging them once for each was a tenth of a no-op rerun.
 *
 * The table holds one scan at a time per connection; a query stages its scan again (in the same turn of the
 * connection) when another scan was staged meanwhile, so two runs at once (the app) each see their own.
 */
const stagedOn = new WeakMap<Database, SessionEntry[]>();

export const SCANNED = 'scan_of_run';

export async function stageScan(db: Database, c: Connection, sessions: SessionEntry[]): Promise<void> {
  if (stagedOn.get(db) === sessions) return;
  stagedOn.delete(db); // until the rows are in
  await c.run(`CREATE TEMP TABLE IF NOT EXISTS ${SCANNED} (session_file VARCHAR, mtime_ms DOUBLE PRECISION, ordinal INTEGER)`);
  await c.run(`DELETE FROM ${SCANNED}`);
  await c.insertRows(
    SCANNED,
    COLUMNS,
    sessions.map((s, i) => [s.sessionKey, s.mtimeMs, i]),
  );
  stagedOn.set(db, sessions);
}

/** Staged inside a transaction that rolled back: the rows are gone, so the next query stages again. */
export function forgetStagedScan(db: Database): void {
  stagedOn.delete(db);
}

const COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'mtime_ms', type: 'DOUBLE' },
  { name: 'ordinal', type: 'INTEGER' },
];
