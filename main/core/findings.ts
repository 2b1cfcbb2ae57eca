import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import type { Connection, Database } from './store/database.js';

/**
 * Findings an auditor acts on: the leaked secrets, the tool errors and the audit processors' findings
 * (destructive commands, writes outside the project, permission bypasses), one list across all sessions,
 * each with a review status. A finding's id is derived from what it is (the processor, the session, its
 * kind, where in the record it sits and what it shows), so reprocessing a session that finds the same
 * thing again keeps its id, and its review.
 */
export const REVIEW_STATUSES = ['open', 'confirmed', 'false-positive', 'fixed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const FINDING_CATEGORIES = ['secret', 'tool_error', 'destructive_command', 'outside_write', 'permission_bypass'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** One processor's view as a source of findings: each a SQL expression over its rows. */
interface FindingSource {
  processor: string;
  view: string;
  category: FindingCategory;
  kind: string;
  /** Where in its session the finding sits, stably: a record uuid and field, or a tool call's id. */
  anchor: string;
  /** What it shows (never a secret: secrets' previews are redacted by their processor). */
  summary: string;
  /** When it happened, where the record says. */
  at: string;
}

/** The tool call a row is about, else its line: what keeps two findings of one kind in one session apart. */
const CALL_OR_LINE = "coalesce(tool_use_id, 'line ' || CAST(line_no AS VARCHAR))";

const SOURCES: FindingSource[] = [
  {
    processor: 'secrets',
    view: 'secret_findings',
    category: 'secret',
    kind: 'kind',
    anchor: "coalesce(location, '')",
    summary: 'preview',
    at: 'CAST(NULL AS TIMESTAMP)',
  },
  {
    processor: 'errors',
    view: 'tool_errors',
    category: 'tool_error',
    kind: 'kind',
    anchor: "coalesce(tool_use_id, event_uuid, 'line ' || CAST(line_no AS VARCHAR))",
    summary: 'error_text',
    at: 'occurred_at',
  },
  // One command can hit several rules and targets: the rule is the kind, the target tells them apart.
  {
    processor: 'destructive-commands',
    view: 'destructive_commands',
    category: 'destructive_command',
    kind: 'rule',
    anchor: `${CALL_OR_LINE} || ':' || coalesce(target, '')`,
    summary: 'command',
    at: 'occurred_at',
  },
  { processor: 'outside-writes', view: 'outside_writes', category: 'outside_write', kind: 'scope', anchor: CALL_OR_LINE, summary: 'path', at: 'occurred_at' },
  {
    processor: 'permission-bypass',
    view: 'permission_bypass',
    category: 'permission_bypass',
    kind: 'mode',
    anchor: `${CALL_OR_LINE} || ':' || kind`,
    summary: `CASE kind WHEN 'mode_change' THEN 'switched to ' || mode || ' from ' || coalesce(previous_mode, 'the start')
      WHEN 'cli_flag' THEN 'started Claude Code in ' || mode || ': ' || coalesce(detail, '')
      ELSE 'wrote ' || mode || ' into ' || coalesce(detail, 'a settings file') END`,
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
      (s) => `SELECT '${s.category}' AS category, '${s.processor}' AS processor, f.session_file, CAST(${s.kind} AS VARCHAR) AS kind, f.line_no,
        ${s.anchor} AS anchor, CAST(${s.summary} AS VARCHAR) AS summary, CAST(${s.at} AS TIMESTAMP) AS occurred_at
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
  // The same thing twice in one place (a command naming one target twice) is one finding: one id, one review.
  const seen = new Set<string>();
  return findings
    .filter((f) => (filter.all || f.status !== 'false-positive') && !seen.has(f.id) && seen.add(f.id))
    .sort((a, b) => b.sortAt.localeCompare(a.sortAt) || a.session_file.localeCompare(b.session_file) || b.line_no - a.line_no || a.id.localeCompare(b.id))
    .slice(0, filter.limit ?? Number.MAX_SAFE_INTEGER)
    .map(({ sortAt: _sortAt, ...f }) => f);
}

/** Sets a finding's review (audited, undoable with `state undo`); refuses an unknown id or status by name. */
export async function markFinding(db: Database, id: string, status: string, note: string | null): Promise<FindingRow> {
  if (!(REVIEW_STATUSES as readonly string[]).includes(status)) throw new UsageError(`status "${status}": choose one of ${REVIEW_STATUSES.join(', ')}`);
  const finding = (await listFindings(db, { all: true })).find((f) => f.id === id);
  if (!finding) throw new UsageError(`no finding ${id}: see \`session-inspector findings list --all\``);
  return db.transaction(async (c) => {
    const reviewedAt = await writeReview(c, { id, processor: finding.processor, session: finding.session_file }, status as ReviewStatus, note);
    return { ...finding, status: status as ReviewStatus, note, reviewed_at: reviewedAt };
  });
}

/** Stores a review inside the caller's transaction, audited as action `review` (before and after); returns its reviewed_at. */
export async function writeReview(
  c: Connection,
  finding: { id: string; processor: string; session: string },
  status: ReviewStatus,
  note: string | null,
): Promise<string> {
  const key = { id: finding.id };
  const [before] = await c.all('SELECT to_json(r)::VARCHAR AS row FROM finding_reviews r WHERE finding_id = $id', key);
  await c.run(
    `INSERT INTO finding_reviews (finding_id, processor_name, session_file, status, note, reviewed_at)
     VALUES ($id, $processor, $session, $status, $note, now()::TIMESTAMP)
     ON CONFLICT (finding_id) DO UPDATE SET status = excluded.status, note = excluded.note, reviewed_at = excluded.reviewed_at`,
    { ...key, processor: finding.processor, session: finding.session, status, note },
  );
  await c.run(
    `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
     SELECT now()::TIMESTAMP, 'review', processor_name, session_file, $before::JSON, to_json(r) FROM finding_reviews r WHERE finding_id = $id`,
    { ...key, before: before ? String(before.row) : null },
  );
  const [row] = await c.all('SELECT reviewed_at FROM finding_reviews WHERE finding_id = $id', key);
  return String(row.reviewed_at);
}

/** A secret finding with where its secret sits: what redaction and the app's reveal need (never the secret). */
export interface SecretSpanRow {
  id: string;
  session_file: string;
  line_no: number;
  kind: string;
  preview: string;
  location: string;
  /** Null for findings of the secrets processor before version 3, which did not record them. */
  field_path: string | null;
  span_start: number | null;
  span_end: number | null;
  span_sha256: string | null;
  status: ReviewStatus;
  note: string | null;
}

const SPAN_COLUMNS = ['span_start', 'span_end', 'span_sha256'];

/** The secret findings of some sessions (all when null), by file and line, with their ids as listFindings computes them. */
export async function listSecretSpans(db: Database, sessions: string[] | null): Promise<SecretSpanRow[]> {
  const source = SOURCES.find((s) => s.category === 'secret')!;
  if (!(await existingSources(db)).includes(source)) return [];
  const described = await db.all('SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()', [source.view]);
  const columns = new Set(described.map((r) => String(r.column_name)));
  // A view made by an older secrets processor has no span columns: its findings cannot be redacted yet.
  const spans = SPAN_COLUMNS.map((c) => (columns.has(c) ? c : `NULL AS ${c}`)).join(', ');
  const rows = await db.all(
    `SELECT session_file, line_no, ${source.kind} AS kind, ${source.anchor} AS anchor, ${source.summary} AS summary, location, field_path, ${spans}
     FROM ${source.view} ${sessions === null ? '' : 'WHERE session_file = ANY($sessions::VARCHAR[])'} ORDER BY session_file, line_no`,
    sessions === null ? {} : { sessions },
  );
  const ids = rows.map((r) => findingId(source.processor, String(r.session_file), String(r.kind ?? ''), String(r.anchor ?? ''), String(r.summary ?? '')));
  // Only these findings' reviews: a transcript page asks for one session's, and the table holds every finding's.
  const reviewed =
    ids.length === 0 ? [] : await db.all('SELECT finding_id, status, note FROM finding_reviews WHERE finding_id = ANY($ids::VARCHAR[])', { ids });
  const reviews = new Map(reviewed.map((r) => [String(r.finding_id), r]));
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return rows.map((r, i) => {
    const id = ids[i];
    const review = reviews.get(id);
    return {
      id,
      session_file: String(r.session_file),
      line_no: Number(r.line_no),
      kind: String(r.kind ?? ''),
      preview: String(r.summary ?? ''),
      location: String(r.location ?? ''),
      field_path: text(r.field_path),
      span_start: number(r.span_start),
      span_end: number(r.span_end),
      span_sha256: text(r.span_sha256),
      status: (review?.status as ReviewStatus | undefined) ?? 'open',
      note: text(review?.note),
    };
  });
}
