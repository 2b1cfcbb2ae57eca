import { UsageError } from '../errors.js';
import type { Database } from './database.js';
import type { JsonRow } from './jsonRows.js';

/** Thrown when an edit was based on a row that changed since it was read; carries the current row. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly current: JsonRow | null,
  ) {
    super(message);
  }
}

/** Thrown when an edit names a row, or an audit entry, that does not exist. */
export class NotFoundError extends Error {}

/** The audit action of a redacted secret (main/core/redaction): recorded, never undone. */
export const REDACT_ACTION = 'redact';

const STATE_COLUMNS = 'processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version';

/** The table an audited action changed, and how to find its row there. */
function rowOf(entry: JsonRow): { table: string; where: string; key: Record<string, string> } {
  const action = String(entry.action);
  if (action === 'review') {
    // A finding's review: one row per finding, whose id the images carry.
    const image = JSON.parse(String(entry.after ?? entry.before)) as { finding_id: string };
    return { table: 'finding_reviews', where: 'finding_id = $id', key: { id: image.finding_id } };
  }
  const table = action === 'rerun' ? 'session_processor_failures' : 'session_processor_state';
  return {
    table,
    where: 'processor_name = $processor AND session_file = $session',
    key: { processor: String(entry.processor_name), session: String(entry.session_file) },
  };
}

/** One page of the state editor: rows of a processor (or all), whose session key holds `text` (any case). */
export interface StatePageQuery {
  processor?: string;
  text?: string;
  offset: number;
  limit: number;
}

/** A page of state rows in (processor, session) order, and how many rows match in all. */
export async function statePage(db: Database, { processor, text, offset, limit }: StatePageQuery): Promise<{ total: number; rows: JsonRow[] }> {
  const conditions: string[] = [];
  const params: Record<string, string | number> = { limit, offset };
  if (processor) {
    conditions.push('processor_name = $processor');
    params.processor = processor;
  }
  if (text) {
    conditions.push('strpos(lower(session_file), lower($text)) > 0');
    params.text = text;
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await db.all(
    `SELECT *, count(*) OVER () AS total FROM session_processor_state ${where} ORDER BY processor_name, session_file LIMIT $limit OFFSET $offset`,
    params,
  );
  return { total: rows.length ? Number(rows[0].total) : 0, rows };
}

/** A state row as an edit checks it: whole (to compare), and the two fields an edit may change. */
const ROW_AS_LOADED =
  'SELECT to_json(s)::VARCHAR AS row, items_extracted, epoch_ms(processed_at) AS at FROM session_processor_state s ' +
  'WHERE processor_name = $processor AND session_file = $session';

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
  if (
    changes.itemsExtracted !== undefined &&
    !(Number.isInteger(changes.itemsExtracted) && changes.itemsExtracted >= 0 && changes.itemsExtracted <= 2_147_483_647)
  ) {
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
    const [row] = await c.all(ROW_AS_LOADED, key);
    if (!row) throw new NotFoundError(`no state row for processor "${processor}" and session ${sessionKey}`);
    const conflict = (now: JsonRow) =>
      new ConflictError(
        `the row changed since you loaded it (now items_extracted ${now.items_extracted}, ` +
          `processed_at ${now.at === null ? 'null' : new Date(Number(now.at)).toISOString()}): review it and edit again`,
        JSON.parse(String(now.row)) as JsonRow,
      );
    const expectedAt = expected.processedAt === null ? null : Date.parse(expected.processedAt);
    if (row.items_extracted !== expected.itemsExtracted || (row.at === null ? null : Number(row.at)) !== expectedAt) throw conflict(row);
    const sets: string[] = [];
    const params: Record<string, string | number> = { ...key, seen: String(row.row) };
    if (changes.itemsExtracted !== undefined) {
      sets.push('items_extracted = $items');
      params.items = changes.itemsExtracted;
    }
    if (changes.processedAt !== undefined) {
      sets.push('processed_at = $at::TIMESTAMPTZ::TIMESTAMP');
      params.at = changes.processedAt;
    }
    if (sets.length === 0) throw new UsageError('nothing to change: give items_extracted or processed_at');
    // Compare-and-set on the whole row: on a shared store a runner or another analyst may have written it
    // since it was read above, and PostgreSQL re-checks this condition on the latest version of the row.
    const updated = await c.all(
      `UPDATE session_processor_state SET ${sets.join(', ')}
       WHERE processor_name = $processor AND session_file = $session AND to_json(session_processor_state)::VARCHAR = $seen RETURNING 1`,
      params,
    );
    if (updated.length === 0) {
      const [now] = await c.all(ROW_AS_LOADED, key);
      if (!now) throw new NotFoundError(`no state row for processor "${processor}" and session ${sessionKey} (it was reset meanwhile)`);
      throw conflict(now);
    }
    await c.run(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
       SELECT now()::TIMESTAMP, 'update', $processor::VARCHAR, $session::VARCHAR, $before::JSON, to_json(s) FROM session_processor_state s
       WHERE processor_name = $processor AND session_file = $session`,
      { ...key, before: String(row.row) },
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
    const [entry] = await c.all(
      'SELECT audit_id, action, processor_name, session_file, before::VARCHAR AS before, after::VARCHAR AS after FROM state_audit WHERE audit_id = $id',
      { id: auditId },
    );
    if (!entry) throw new NotFoundError(`no change #${auditId} in the history`);
    const action = String(entry.action);
    if (action.startsWith('undo:')) throw new UsageError(`change #${auditId} is an undo; undo is not undone (make the change again instead)`);
    if (action === REDACT_ACTION) throw new UsageError(`change #${auditId} is a redaction: the secret is gone from the file, and nothing keeps it to put back`);
    const [done] = await c.all('SELECT audit_id FROM state_audit WHERE action = $action', { action: `undo:${auditId}` });
    if (done) throw new ConflictError(`change #${auditId} was already undone (by #${done.audit_id})`, null);
    const { table, where, key } = rowOf(entry);
    const [current] = await c.all(`SELECT to_json(t)::VARCHAR AS row FROM ${table} t WHERE ${where}`, key);
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(a === null || a === undefined ? null : JSON.parse(String(a))) ===
      JSON.stringify(b === null || b === undefined ? null : JSON.parse(String(b)));
    const changedAgain = () =>
      new ConflictError(`the row of change #${auditId} changed again since (a run or a later edit): undo the later change first, or edit the row`, null);
    if (!same(current?.row ?? null, entry.after)) throw changedAgain();
    if (current) {
      // Compare-and-delete: the row must still be the one just compared (a shared store has other writers).
      const deleted = await c.all(`DELETE FROM ${table} WHERE ${where} AND to_json(${table})::VARCHAR = $row RETURNING 1`, {
        ...key,
        row: String(current.row),
      });
      if (deleted.length === 0) throw changedAgain();
    }
    if (entry.before !== null) {
      try {
        await c.insertJsonRow(table, String(entry.before));
      } catch (error) {
        // Another writer created the row meanwhile (primary key taken): the same conflict as above.
        if (/duplicate key|PRIMARY KEY or UNIQUE constraint|unique constraint/i.test(String((error as Error).message))) throw changedAgain();
        throw error;
      }
    }
    const [audit] = await c.all(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
       VALUES (now()::TIMESTAMP, $action::VARCHAR, $processor::VARCHAR, $session::VARCHAR, $before::JSON,
         (SELECT to_json(t) FROM ${table} t WHERE ${where}))
       RETURNING audit_id`,
      {
        ...key,
        processor: String(entry.processor_name),
        session: String(entry.session_file),
        action: `undo:${auditId}`,
        before: current ? String(current.row) : null,
      },
    );
    return Number(audit.audit_id);
  });
}

/** Audit entries with the entry that undid each (undone_by), for listAudit and auditEntry. */
const AUDIT_ROWS = `SELECT a.audit_id, a."at", a.action, a.processor_name, a.session_file, a.before, a.after, u.audit_id AS undone_by
  FROM state_audit a LEFT JOIN state_audit u ON u.action = 'undo:' || CAST(a.audit_id AS VARCHAR)`;

/** The audit trail, newest first, with which entries were undone. */
export function listAudit(db: Database, limit: number): Promise<JsonRow[]> {
  return db.all(`${AUDIT_ROWS} ORDER BY a.audit_id DESC LIMIT $limit`, { limit });
}

/** One entry of the audit trail, as listAudit gives it; null when no entry has that id. */
export async function auditEntry(db: Database, auditId: number): Promise<JsonRow | null> {
  const [row] = await db.all(`${AUDIT_ROWS} WHERE a.audit_id = $id ORDER BY u.audit_id LIMIT 1`, { id: auditId });
  return row ?? null;
}
