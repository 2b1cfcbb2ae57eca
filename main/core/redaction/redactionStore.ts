// What a redaction changes in the store, in the caller's transaction: the audit (who, when, where, what
// kind: never the value), the findings' reviews, every item that held the secret (a command or error text
// other processors kept), and the state rows of the session, moved to the redacted file's facts so the
// redaction is not taken for a new change of the session.
import { writeReview } from '../findings.js';
import type { Connection, Database } from '../store/database.js';
import { REDACT_ACTION } from '../store/stateEdits.js';
import { occursIn, replaceInValue, type Replacement } from './jsonText.js';

/** One redacted finding, as the audit records it. */
export interface RedactedFinding {
  id: string;
  lineNo: number;
  kind: string;
  /** Its review note before, kept above the word "redacted". */
  note: string | null;
}

export interface RedactionRecord {
  session: string;
  findings: RedactedFinding[];
  /** The secrets taken out, each with its mark: items holding them are redacted the same way. */
  replacements: Replacement[];
  /** MD5 of the file as read and as written: state rows that stood for the read file now stand for the written one. */
  md5Before: string;
  md5After: string;
  /** A time no later than the redacted file's last write: refined by settleReadTime once it is in place. */
  readAt: Date;
  /** Who redacted (user@host) and through what (`cli`, `app`). */
  by: string;
  via: string;
}

/** Ids of the findings already redacted, by their audit rows (a redaction is never undone). */
export async function redactedIds(db: Database, sessions: string[] | null): Promise<Set<string>> {
  const rows = await db.all(
    `SELECT after::VARCHAR AS after FROM state_audit WHERE action = $action ${sessions === null ? '' : 'AND session_file = ANY($sessions::VARCHAR[])'}`,
    sessions === null ? { action: REDACT_ACTION } : { action: REDACT_ACTION, sessions },
  );
  const ids = new Set<string>();
  for (const row of rows) {
    try {
      const after = JSON.parse(String(row.after)) as { finding_id?: unknown };
      if (typeof after.finding_id === 'string') ids.add(after.finding_id);
    } catch {
      // not ours to judge: an audit row that does not parse names no finding
    }
  }
  return ids;
}

/** Processors a runner holds a live lease on this session for (team store): it may be reading the file now. */
export async function claimedBy(db: Database, session: string): Promise<string[]> {
  const rows = await db.all('SELECT processor_name FROM session_claims WHERE session_file = $session AND lease_expires_at > now()::TIMESTAMP ORDER BY 1', {
    session,
  });
  return rows.map((r) => String(r.processor_name));
}

/**
 * Records a redaction: audit rows, reviews marked `fixed` ("redacted"), items rewritten, state and failure
 * rows that stood for the read file moved to the written one. Returns the processors whose state moved
 * and how many items held a secret.
 */
export async function recordRedaction(c: Connection, r: RedactionRecord): Promise<{ stateRows: string[]; items: number }> {
  const images = r.findings.map((f) => JSON.stringify({ finding_id: f.id, line_no: f.lineNo, kind: f.kind, by: r.by, via: r.via }));
  await c.run(
    `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
     SELECT now()::TIMESTAMP, $action, 'secrets', $session, NULL, CAST(image AS JSON) FROM unnest($images::VARCHAR[]) AS t(image)`,
    { action: REDACT_ACTION, session: r.session, images },
  );
  for (const f of r.findings) {
    // Through the review path, so the list shows it dealt with and the history can undo the status (not the redaction).
    await writeReview(c, { id: f.id, processor: 'secrets', session: r.session }, 'fixed', f.note ? `${f.note}\nredacted` : 'redacted');
  }
  const items = await redactItems(c, r.session, r.replacements);
  const moved = await c.all(
    `UPDATE session_processor_state SET file_hash = $after, processed_at = $at::TIMESTAMP
     WHERE session_file = $session AND file_hash = $before RETURNING processor_name`,
    { session: r.session, before: r.md5Before, after: r.md5After, at: r.readAt.toISOString() },
  );
  // A failure on the read content stays a failure (and a quarantine stays) on the redacted content.
  await c.run(
    `UPDATE session_processor_failures SET file_hash = $after, last_read_at = $at::TIMESTAMP
     WHERE session_file = $session AND file_hash = $before`,
    { session: r.session, before: r.md5Before, after: r.md5After, at: r.readAt.toISOString() },
  );
  return { stateRows: moved.map((m) => String(m.processor_name)).sort(), items };
}

/**
 * The later read time once the redacted file is known to be in place, unchanged, and older than the due
 * rule's slack: the next run then does not even hash it.
 */
export async function settleReadTime(c: Connection, session: string, md5After: string, readAt: Date): Promise<void> {
  const params = { session, after: md5After, at: readAt.toISOString() };
  await c.run('UPDATE session_processor_state SET processed_at = $at::TIMESTAMP WHERE session_file = $session AND file_hash = $after', params);
  await c.run('UPDATE session_processor_failures SET last_read_at = $at::TIMESTAMP WHERE session_file = $session AND file_hash = $after', params);
}

/**
 * Items of any processor that hold a secret, rewritten with it replaced. They are read and searched here,
 * not in SQL: a secret sent as a query parameter could end up in a server's statement log.
 */
async function redactItems(c: Connection, session: string, replacements: Replacement[]): Promise<number> {
  const rows = await c.all('SELECT processor_name, item_index, item::VARCHAR AS item FROM processor_items WHERE session_file = $session', { session });
  const processors: string[] = [];
  const indexes: string[] = [];
  const items: string[] = [];
  for (const row of rows) {
    let item: unknown;
    try {
      item = JSON.parse(String(row.item));
    } catch {
      continue; // the store only holds JSON; a row that is not cannot hold a string either
    }
    if (!replacements.some((r) => occursIn(item, r.value))) continue;
    processors.push(String(row.processor_name));
    indexes.push(String(row.item_index));
    items.push(JSON.stringify(replaceInValue(item, replacements)));
  }
  if (items.length === 0) return 0;
  await c.run(
    `UPDATE processor_items SET item = CAST(u.item AS JSON)
     FROM (SELECT p.name, CAST(i.idx AS INTEGER) AS idx, j.item
           FROM unnest($processors::VARCHAR[]) WITH ORDINALITY AS p(name, n)
           JOIN unnest($indexes::VARCHAR[]) WITH ORDINALITY AS i(idx, m) ON n = m
           JOIN unnest($items::VARCHAR[]) WITH ORDINALITY AS j(item, k) ON n = k) u
     WHERE processor_items.session_file = $session AND processor_items.processor_name = u.name AND processor_items.item_index = u.idx`,
    { session, processors, indexes, items },
  );
  return items.length;
}
