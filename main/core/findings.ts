import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import type { Database } from './store/database.js';

/**
 * Findings an auditor acts on: the leaked secrets and the tool errors the built-in processors find, one
 * list across all sessions, each with a review status. A finding's id is derived from what it is (the
 * processor, the session, its kind, where in the record it sits and what it shows), so reprocessing a
 * session that finds the same thing again keeps its id, and its review.
 */
export const REVIEW_STATUSES = ['open', 'confirmed', 'false-positive', 'fixed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

interface FindingSource {
  processor: string;
  view: string;
  category: 'secret' | 'tool_error';
  /** Where in its session the finding sits, stably: a record uuid and field, or a tool call's id. */
  anchor: string;
  /** What it shows (never a secret: secrets' previews are redacted by their processor). */
  summary: string;
  /** When it happened, where the record says. */
  at: string;
}

const SOURCES: FindingSource[] = [
  { processor: 'secrets', view: 'secret_findings', category: 'secret', anchor: "coalesce(location, '')", summary: 'preview', at: 'CAST(NULL AS TIMESTAMP)' },
  {
    processor: 'errors',
    view: 'tool_errors',
    category: 'tool_error',
    anchor: "coalesce(tool_use_id, event_uuid, 'line ' || CAST(line_no AS VARCHAR))",
    summary: 'error_text',
    at: 'occurred_at',
  },
];

export interface FindingRow {
  id: string;
  category: FindingSource['category'];
  processor: string;
  kind: string;
  session_file: string;
  line_no: number;
  summary: string | null;
  occurred_at: string | null;
  status: ReviewStatus;
  note: string | null;
  reviewed_at: string | null;
}

export interface FindingFilter {
  kind?: string;
  session?: string;
  /** Also list false positives (hidden by default: they were judged harmless). */
  all?: boolean;
  limit?: number;
}

/** The id of a finding: the same thing found again in the same place keeps it. */
export function findingId(processor: string, sessionFile: string, kind: string, anchor: string, summary: string): string {
  return createHash('sha256').update([processor, sessionFile, kind, anchor, summary].join('\0')).digest('hex').slice(0, 16);
}

async function existingSources(db: Database): Promise<FindingSource[]> {
  const rows = await db.all('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()');
  const names = new Set(rows.map((r) => String(r.table_name)));
  return SOURCES.filter((s) => names.has(s.view));
}

/** Every finding (newest first), with its review; ids are computed here, from the stored items. */
export async function listFindings(db: Database, filter: FindingFilter = {}): Promise<FindingRow[]> {
  const sources = await existingSources(db);
  if (sources.length === 0) return [];
  const union = sources
    .map(
      (s) => `SELECT '${s.category}' AS category, '${s.processor}' AS processor, f.session_file, f.kind, f.line_no, ${s.anchor} AS anchor,
        ${s.summary} AS summary, ${s.at} AS occurred_at
      FROM ${s.view} f`,
    )
    .join('\nUNION ALL\n');
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  if (filter.kind !== undefined) {
    conditions.push('(kind = $kind OR category = $kind)');
    params.kind = filter.kind;
  }
  if (filter.session !== undefined) {
    conditions.push('session_file = $session');
    params.session = filter.session;
  }
  // Newest first: sessions by when they last changed (their latest read), then later lines first.
  const rows = await db.all(
    `SELECT f.*, (SELECT max(processed_at) FROM session_processor_state st WHERE st.session_file = f.session_file) AS session_at
     FROM (${union}) f ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}`,
    params,
  );
  const reviews = new Map((await db.all('SELECT finding_id, status, note, reviewed_at FROM finding_reviews')).map((r) => [String(r.finding_id), r]));
  const findings = rows.map((r) => {
    const id = findingId(String(r.processor), String(r.session_file), String(r.kind ?? ''), String(r.anchor ?? ''), String(r.summary ?? ''));
    const review = reviews.get(id);
    const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
    return {
      id,
      category: r.category as FindingRow['category'],
      processor: String(r.processor),
      kind: String(r.kind ?? ''),
      session_file: String(r.session_file),
      line_no: Number(r.line_no),
      summary: text(r.summary),
      occurred_at: text(r.occurred_at),
      status: (review?.status as ReviewStatus | undefined) ?? 'open',
      note: text(review?.note),
      reviewed_at: text(review?.reviewed_at),
      sortAt: String(r.session_at ?? ''),
    };
  });
  return findings
    .filter((f) => filter.all || f.status !== 'false-positive')
    .sort((a, b) => b.sortAt.localeCompare(a.sortAt) || String(a.session_file).localeCompare(String(b.session_file)) || Number(b.line_no) - Number(a.line_no))
    .slice(0, filter.limit ?? Number.MAX_SAFE_INTEGER)
    .map(({ sortAt: _sortAt, ...f }) => f);
}

/** Sets a finding's review (audited, undoable with `state undo`); refuses an unknown id or status by name. */
export async function markFinding(db: Database, id: string, status: string, note: string | null): Promise<FindingRow> {
  if (!(REVIEW_STATUSES as readonly string[]).includes(status)) throw new UsageError(`status "${status}": choose one of ${REVIEW_STATUSES.join(', ')}`);
  const finding = (await listFindings(db, { all: true })).find((f) => f.id === id);
  if (!finding) throw new UsageError(`no finding ${id}: see \`session-inspector findings list --all\``);
  return db.transaction(async (c) => {
    const key = { id };
    const [before] = await c.all('SELECT to_json(r)::VARCHAR AS row FROM finding_reviews r WHERE finding_id = $id', key);
    await c.run(
      `INSERT INTO finding_reviews (finding_id, processor_name, session_file, status, note, reviewed_at)
       VALUES ($id, $processor, $session, $status, $note, now()::TIMESTAMP)
       ON CONFLICT (finding_id) DO UPDATE SET status = excluded.status, note = excluded.note, reviewed_at = excluded.reviewed_at`,
      { ...key, processor: String(finding.processor), session: String(finding.session_file), status, note },
    );
    await c.run(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
       SELECT now()::TIMESTAMP, 'review', processor_name, session_file, $before::JSON, to_json(r) FROM finding_reviews r WHERE finding_id = $id`,
      { ...key, before: before ? String(before.row) : null },
    );
    const [row] = await c.all('SELECT finding_id, status, note, reviewed_at FROM finding_reviews WHERE finding_id = $id', key);
    return { ...finding, status: status as ReviewStatus, note, reviewed_at: String(row.reviewed_at) };
  });
}
