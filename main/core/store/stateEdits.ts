import { UsageError } from '../errors.js';
import type { Connection, Database } from './database.js';
import type { JsonRow } from './jsonRows.js';

/** Thrown when an edit was based on a row that changed since it was read; carries the current row. */
export class ConflictError extends Error {
  constructor(message: string, readonly current: JsonRow | null) {
    super(message);
  }
}

/** Thrown when an edit names a row, or an audit entry, that does not exist. */
export class NotFoundError extends Error {}

const STATE_COLUMNS = 'processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version';
const FAILURE_COLUMNS = 'processor_name, session_file, username, attempts, first_failed_at, last_failed_at, last_error, file_hash, quarantined, processor_version, last_read_at';

/** The table whose rows an audited action changed. */
function tableOf(action: string): 'session_processor_state' | 'session_processor_failures' {
  return action === 'rerun' ? 'session_processor_failures' : 'session_processor_state';
}

export interface StateChanges {
  itemsExtracted?: number;
  /** ISO-8601 with a time zone (UTC stored). */
  processedAt?: string;
}

/**
 * Edits one state row when it still holds what the editor showed (`expected`); otherwise refuses with the
 * current value, so two edits at once never silently overwrite each other. Audited in the same transaction.
 */
export async function updateState(
  db: Database,
  processor: string,
  sessionKey: string,
  changes: StateChanges,
  expected: { itemsExtracted: number; processedAt: string | null },
): Promise<JsonRow> {
  if (changes.itemsExtracted !== undefined && !(Number.isInteger(changes.itemsExtracted) && changes.itemsExtracted >= 0 && changes.itemsExtracted <= 2_147_483_647)) {
    throw new UsageError(`items_extracted must be a whole number from 0 to 2147483647, not ${changes.itemsExtracted}`);
  }
  if (changes.processedAt !== undefined) {
    const ms = Date.parse(changes.processedAt);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(changes.processedAt) || Number.isNaN(ms)) {
      throw new UsageError(`processed_at must be an ISO-8601 time with a zone, like 2025-09-01T10:00:00Z, not "${changes.processedAt}"`);
    }
    if (ms > Date.now() + 60_000) throw new UsageError('processed_at cannot be in the future: a future read time would hide every later change of the session');
  }
  return db.transaction(async (c) => {
    const key = { processor, session: sessionKey };
    const [row] = await c.all(`SELECT to_json(s) AS row, items_extracted, epoch_ms(processed_at) AS at FROM session_processor_state s WHERE processor_name = $processor AND session_file = $session`, key);
    if (!row) throw new NotFoundError(`no state row for processor "${processor}" and session ${sessionKey}`);
    const expectedAt = expected.processedAt === null ? null : Date.parse(expected.processedAt);
    if (row.items_extracted !== expected.itemsExtracted || (row.at === null ? null : Number(row.at)) !== expectedAt) {
      throw new ConflictError(`the row changed since you loaded it (now items_extracted ${row.items_extracted}, processed_at ${row.at === null ? 'null' : new Date(Number(row.at)).toISOString()}): review it and edit again`, row.row as JsonRow);
    }
    const sets: string[] = [];
    const params: Record<string, string | number> = { ...key };
    if (changes.itemsExtracted !== undefined) {
      sets.push('items_extracted = $items');
      params.items = changes.itemsExtracted;
    }
    if (changes.processedAt !== undefined) {
      sets.push('processed_at = $at::TIMESTAMPTZ::TIMESTAMP');
      params.at = changes.processedAt;
    }
    if (sets.length === 0) throw new UsageError('nothing to change: give items_extracted or processed_at');
    await c.run(`UPDATE session_processor_state SET ${sets.join(', ')} WHERE processor_name = $processor AND session_file = $session`, params);
    await c.run(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
       SELECT now()::TIMESTAMP, 'update', $processor, $session, $before::JSON, to_json(s) FROM session_processor_state s
       WHERE processor_name = $processor AND session_file = $session`,
      { ...key, before: JSON.stringify(row.row) },
    );
    const [after] = await c.all(`SELECT ${STATE_COLUMNS} FROM session_processor_state WHERE processor_name = $processor AND session_file = $session`, key);
    return after;
  });
}

/**
 * Undoes one audited change by putting back its `before` row (or removing the row it created), when the
 * row still is what the change left (`after`); a later change on top must be undone first. The undo is
 * itself audited, as action `undo:<id>`, and an entry is undone at most once.
 */
export async function undoChange(db: Database, auditId: number): Promise<number> {
  return db.transaction(async (c) => {
    const [entry] = await c.all('SELECT audit_id, action, processor_name, session_file, before::VARCHAR AS before, after::VARCHAR AS after FROM state_audit WHERE audit_id = $id', { id: auditId });
    if (!entry) throw new NotFoundError(`no change #${auditId} in the history`);
    const action = String(entry.action);
    if (action.startsWith('undo:')) throw new UsageError(`change #${auditId} is an undo; undo is not undone (make the change again instead)`);
    const [done] = await c.all('SELECT audit_id FROM state_audit WHERE action = $action', { action: `undo:${auditId}` });
    if (done) throw new ConflictError(`change #${auditId} was already undone (by #${done.audit_id})`, null);
    const table = tableOf(action);
    const columns = table === 'session_processor_state' ? STATE_COLUMNS : FAILURE_COLUMNS;
    const key = { processor: String(entry.processor_name), session: String(entry.session_file) };
    const [current] = await c.all(`SELECT to_json(t)::VARCHAR AS row FROM ${table} t WHERE processor_name = $processor AND session_file = $session`, key);
    const same = (a: unknown, b: unknown) => JSON.stringify(a === null || a === undefined ? null : JSON.parse(String(a))) === JSON.stringify(b === null || b === undefined ? null : JSON.parse(String(b)));
    if (!same(current?.row ?? null, entry.after)) {
      throw new ConflictError(`the row of change #${auditId} changed again since (a run or a later edit): undo the later change first, or edit the row`, null);
    }
    await c.run(`DELETE FROM ${table} WHERE processor_name = $processor AND session_file = $session`, key);
    if (entry.before !== null) await insertFromJson(c, table, columns, String(entry.before));
    const [audit] = await c.all(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
       VALUES (now()::TIMESTAMP, $action, $processor, $session, $before::JSON, (SELECT to_json(t) FROM ${table} t WHERE processor_name = $processor AND session_file = $session))
       RETURNING audit_id`,
      { ...key, action: `undo:${auditId}`, before: current ? String(current.row) : null },
    );
    return Number(audit.audit_id);
  });
}

/** Inserts a row from its to_json image, casting each column to the table's type. */
async function insertFromJson(c: Connection, table: string, columns: string, json: string): Promise<void> {
  const types = await c.all(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position`, { t: table });
  const wanted = new Set(columns.split(',').map((s) => s.trim()));
  const selects = types
    .filter((t) => wanted.has(String(t.column_name)))
    .map((t) => `TRY_CAST(json_extract_string($row::JSON, '$.${t.column_name}') AS ${t.data_type}) AS "${t.column_name}"`);
  const names = types.filter((t) => wanted.has(String(t.column_name))).map((t) => `"${t.column_name}"`);
  await c.run(`INSERT INTO ${table} (${names.join(', ')}) SELECT ${selects.join(', ')}`, { row: json });
}

/** The audit trail, newest first, with which entries were undone. */
export function listAudit(db: Database, limit: number): Promise<JsonRow[]> {
  return db.all(
    `SELECT a.audit_id, a."at", a.action, a.processor_name, a.session_file, a.before, a.after, u.audit_id AS undone_by
     FROM state_audit a LEFT JOIN state_audit u ON u.action = 'undo:' || a.audit_id
     ORDER BY a.audit_id DESC LIMIT $limit`,
    { limit },
  );
}
