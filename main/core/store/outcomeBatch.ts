import { hostname } from 'node:os';
import type { ColumnSpec, Connection, SqlValue } from './database.js';
import type { SessionOutcome } from './types.js';

// Writing one batch of session outcomes (StateStore.commitOutcomes): state rows, failure rows, items and,
// on a shared store, the end of the runner's claims, all in the caller's transaction.

/** A state row's new values on conflict: the whole row is replaced. */
export const REPLACE_STATE =
  'username = excluded.username, processed_at = excluded.processed_at, items_extracted = excluded.items_extracted, ' +
  'file_hash = excluded.file_hash, processor_version = excluded.processor_version';

/** Records this machine as the last to process the sessions `processed` selects (session_file, read_at). */
export function recordHost(db: Connection, processed: string, params: Record<string, SqlValue> = {}): Promise<void> {
  return db.run(
    `INSERT INTO session_hosts (session_file, host, processed_at) SELECT session_file, $host::VARCHAR, read_at FROM (${processed}) AS p
     ON CONFLICT (session_file) DO UPDATE SET host = excluded.host, processed_at = excluded.processed_at`,
    { ...params, host: THIS_HOST },
  );
}

/**
 * The machine writing state rows: on a team store, reports split usage by it (`report --instances`).
 * SESSION_INSPECTOR_HOST names it where the host name says nothing (containers, CI runners).
 */
export const THIS_HOST = process.env.SESSION_INSPECTOR_HOST || hostname();

const STAGED_COLUMNS: ColumnSpec[] = [
  { name: 'processor_name', type: 'VARCHAR' },
  { name: 'processor_version', type: 'VARCHAR' },
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'username', type: 'VARCHAR' },
  { name: 'read_at', type: 'TIMESTAMP' },
  { name: 'file_hash', type: 'VARCHAR' },
  { name: 'outcome', type: 'VARCHAR' },
  { name: 'items_extracted', type: 'INTEGER' },
  { name: 'error', type: 'VARCHAR' },
  { name: 'held', type: 'BOOLEAN' },
  { name: 'attempt', type: 'INTEGER' },
];
export const STAGED_ITEM_COLUMNS: ColumnSpec[] = [
  { name: 'attempt', type: 'INTEGER' },
  { name: 'item_index', type: 'INTEGER' },
  { name: 'item', type: 'JSON' },
];
const ITEM_COLUMNS: ColumnSpec[] = [
  { name: 'processor_name', type: 'VARCHAR' },
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'item_index', type: 'INTEGER' },
  { name: 'item', type: 'JSON' },
];

/** The outcomes of one processor, in one batch. */
export interface OutcomeGroup {
  processor: string;
  version: string;
  outcomes: SessionOutcome[];
  /** Claimed sessions decided without an outcome to store (skipped, vanished…): their claims end with this batch. */
  released?: string[];
}

/** An outcome dropped because its runner's lease had expired and another runner took the session. */
export interface LostOutcome {
  processor: string;
  sessionKey: string;
}

/** Whether staged_outcomes has a row of `table`'s processor and session matching `where` (by default, a success). */
function inStaged(table: string, where = "s.outcome = 'ok'"): string {
  return `EXISTS (SELECT 1 FROM staged_outcomes s WHERE ${where} AND s.processor_name = ${table}.processor_name AND s.session_file = ${table}.session_file)`;
}

/** Fills the staged_outcomes temp table with this batch: one row per outcome, and per released claim. */
async function stageOutcomes(db: Connection, groups: OutcomeGroup[], runnerId: string | undefined): Promise<void> {
  // `attempt`: the key of a success's staged items (StateStore.stageItems), moved below with its state row.
  await db.run(`CREATE TEMP TABLE IF NOT EXISTS staged_outcomes (
    processor_name VARCHAR, processor_version VARCHAR, session_file VARCHAR, username VARCHAR, read_at TIMESTAMP,
    file_hash VARCHAR, outcome VARCHAR, items_extracted INTEGER, error VARCHAR, held BOOLEAN, attempt INTEGER)`);
  await db.run('DELETE FROM staged_outcomes');
  const staged: SqlValue[][] = [];
  for (const { processor, version, outcomes, released = [] } of groups) {
    for (const o of outcomes) {
      const processed = o.kind === 'processed';
      const outcome = processed ? 'ok' : o.kind;
      staged.push([
        processor,
        version,
        o.sessionKey,
        o.group,
        o.readAt.toISOString(),
        o.fileHash,
        outcome,
        processed ? o.itemsCount : 0,
        o.kind === 'failed' ? o.error : null,
        true,
        (processed && o.staged?.attempt) || null,
      ]);
    }
    // Decided without an outcome to store (skipped, vanished…): staged only so that their claims end here.
    if (runnerId !== undefined) for (const key of released) staged.push([processor, version, key, null, null, null, 'released', 0, null, true, null]);
  }
  await db.insertRows('staged_outcomes', STAGED_COLUMNS, staged);
}

/**
 * On a shared store, keeps only the outcomes whose lease this runner still holds and ends its claims on the
 * batch's sessions; returns the outcomes dropped (another runner took their session after the lease expired).
 */
async function keepHeldOutcomes(db: Connection, runnerId: string, anyStaged: boolean): Promise<LostOutcome[]> {
  // Only what this runner still holds a lease on is stored: after an expiry another runner owns the session.
  await db.run(
    `UPDATE staged_outcomes SET held = EXISTS (SELECT 1 FROM session_claims c WHERE c.runner_id = $runner
       AND c.processor_name = staged_outcomes.processor_name AND c.session_file = staged_outcomes.session_file)`,
    { runner: runnerId },
  );
  await db.run(`DELETE FROM session_claims WHERE runner_id = $runner AND ${inStaged('session_claims', 'true')}`, { runner: runnerId });
  const lost = (
    await db.all(
      'SELECT processor_name, session_file FROM staged_outcomes ' +
        "WHERE NOT held AND outcome NOT IN ('released', 'unchanged') ORDER BY processor_name, session_file",
    )
  ).map((row) => ({ processor: String(row.processor_name), sessionKey: String(row.session_file) }));
  // A lost outcome's staged items go with it.
  if (anyStaged) await db.run('DELETE FROM staged_items WHERE attempt IN (SELECT attempt FROM staged_outcomes WHERE NOT held)');
  await db.run('DELETE FROM staged_outcomes WHERE NOT held');
  return lost;
}

/** The state rows of the successes (and their host), and the read time of the unchanged sessions. */
async function writeStateRows(db: Connection): Promise<void> {
  await db.run(
    `INSERT INTO session_processor_state
       (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
     SELECT processor_name, session_file, username, read_at, items_extracted, file_hash, processor_version FROM staged_outcomes WHERE outcome = 'ok'
     ON CONFLICT (processor_name, session_file) DO UPDATE SET ${REPLACE_STATE}`,
  );
  await recordHost(db, "SELECT session_file, max(read_at) AS read_at FROM staged_outcomes WHERE outcome = 'ok' GROUP BY session_file");
  // An unchanged session keeps its row; its read time moves on (never back), if the row is still the one
  // that was compared: the same content and version (on a shared store another runner may have changed it).
  await db.run(
    `UPDATE session_processor_state SET processed_at = s.read_at FROM staged_outcomes s
     WHERE s.outcome = 'unchanged' AND s.held AND s.processor_name = session_processor_state.processor_name
       AND s.session_file = session_processor_state.session_file AND s.file_hash = session_processor_state.file_hash
       AND s.processor_version IS NOT DISTINCT FROM session_processor_state.processor_version
       AND (session_processor_state.processed_at IS NULL OR session_processor_state.processed_at < s.read_at)`,
  );
}

/** Replaces the items of every success (staged ones first, then the batch's own) and clears their failures. */
async function writeItems(db: Connection, groups: OutcomeGroup[], lost: LostOutcome[], anyStaged: boolean): Promise<void> {
  for (const table of ['session_processor_failures', 'processor_items']) await db.run(`DELETE FROM ${table} WHERE ${inStaged(table)}`);
  if (anyStaged) {
    // Staged items of the successes still held, then the staging rows of every outcome of this batch.
    await db.run(
      `INSERT INTO processor_items (processor_name, session_file, item_index, item)
       SELECT s.processor_name, s.session_file, i.item_index, i.item FROM staged_items i JOIN staged_outcomes s ON s.attempt = i.attempt
       WHERE s.outcome = 'ok'`,
    );
    await db.run('DELETE FROM staged_items WHERE attempt IN (SELECT attempt FROM staged_outcomes)');
  }
  const lostKeys = new Set(lost.map((l) => `${l.processor}\0${l.sessionKey}`));
  const items: SqlValue[][] = [];
  for (const { processor, outcomes } of groups) {
    for (const outcome of outcomes) {
      if (outcome.kind !== 'processed' || lostKeys.has(`${processor}\0${outcome.sessionKey}`)) continue;
      const first = outcome.staged?.count ?? 0; // numbered after the staged ones
      outcome.itemsJson.forEach((json, index) => items.push([processor, outcome.sessionKey, first + index, json]));
    }
  }
  await db.insertRows('processor_items', ITEM_COLUMNS, items);
}

/** The failure rows: attempts add up on the same content and version, and reaching maxAttempts quarantines. */
async function writeFailures(db: Connection, maxAttempts: number): Promise<void> {
  // Consecutive failures on the same content and version add up; anything new starts over at 1.
  const same = 'f.file_hash IS NOT DISTINCT FROM excluded.file_hash AND f.processor_version IS NOT DISTINCT FROM excluded.processor_version';
  await db.run(
    `INSERT INTO session_processor_failures AS f
       (processor_name, session_file, username, attempts, first_failed_at, last_failed_at, last_error, file_hash,
        quarantined, processor_version, last_read_at)
     SELECT processor_name, session_file, username, 1, now()::TIMESTAMP, now()::TIMESTAMP, error, file_hash,
        1 >= $maxAttempts::INTEGER, processor_version, read_at
     FROM staged_outcomes WHERE outcome = 'failed'
     ON CONFLICT (processor_name, session_file) DO UPDATE SET
       attempts = CASE WHEN ${same} THEN f.attempts + 1 ELSE 1 END,
       quarantined = (CASE WHEN ${same} THEN f.attempts + 1 ELSE 1 END) >= $maxAttempts::INTEGER,
       first_failed_at = CASE WHEN ${same} THEN f.first_failed_at ELSE excluded.first_failed_at END,
       last_failed_at = excluded.last_failed_at,
       last_error = excluded.last_error,
       file_hash = excluded.file_hash,
       username = excluded.username,
       processor_version = excluded.processor_version,
       last_read_at = excluded.last_read_at`,
    { maxAttempts },
  );
}

/**
 * One batch of every processor's outcomes, staged in one temp table so that each statement below runs once
 * per batch, not once per processor: on DuckDB a statement costs milliseconds whatever its size, and a
 * commit of five processors' outcomes took 40 of them (a quarter of the host's CPU in a cold run).
 */
export async function writeOutcomes(
  db: Connection,
  groups: OutcomeGroup[],
  maxAttempts: number,
  runnerId: string | undefined,
  anyStaged: boolean,
): Promise<LostOutcome[]> {
  await stageOutcomes(db, groups, runnerId);
  const lost = runnerId !== undefined ? await keepHeldOutcomes(db, runnerId, anyStaged) : [];
  await writeStateRows(db);
  await writeItems(db, groups, lost, anyStaged);
  await writeFailures(db, maxAttempts);
  return lost;
}
