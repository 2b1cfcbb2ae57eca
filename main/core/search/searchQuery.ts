import { UsageError, errorMessage } from '../errors.js';
import type { Connection } from '../store/database.js';
import type { JsonRow } from '../store/jsonRows.js';
import type { SearchDb } from './searchDb.js';
import type { SearchRole } from './searchText.js';

/** Characters of context a snippet shows before the match, and at most after it. */
const BEFORE = 80;
const AFTER = 160;
/** A match longer than this is cut in the snippet (a regex like `.*` matches whole tool results). */
const MAX_MATCH = 400;

export interface SearchRequest {
  /** What to find: plain text (any case), or an RE2 regular expression when `regex` is set (case as written; `(?i)` for any case). */
  text: string;
  regex?: boolean;
  roles?: readonly SearchRole[];
  /** Only these sessions (the project filter resolves to them); undefined for all of the root. */
  sids?: number[];
  /** Hits at or after this instant (ms since the epoch); lines without a time count at their session's last change. */
  sinceMs?: number;
  offset: number;
  limit: number;
  /** The query is interrupted after this long (ms). */
  timeLimitMs: number;
  /** How the caller names the search text, for errors (`TEXT` on the command line, `text` in the API). */
  argument?: string;
}

export interface SearchHit {
  sessionKey: string;
  /** The file line (1-based), as the transcript view numbers them. */
  lineNo: number;
  role: SearchRole;
  /** The line's time, ISO-8601, or null when it has none. */
  time: string | null;
  /** The snippet: text before the match, the match, text after (untrusted: show as text). */
  before: string;
  match: string;
  after: string;
}

/** A query that ran past its time limit and was stopped. */
export class SearchTimeoutError extends UsageError {}

/** RE2's metacharacters, escaped so plain text matches itself. */
const META = /[\\^$.|?*+()[\]{}]/g;

/** The RE2 pattern a request looks for: plain text becomes a case-insensitive literal. */
export function searchPattern(request: Pick<SearchRequest, 'text' | 'regex'>): string {
  return request.regex ? request.text : `(?i)${request.text.replace(META, '\\$&')}`;
}

/** The pattern as a SQL string literal: a constant, so DuckDB compiles it once, not once per row. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Refuses an empty search and a pattern RE2 does not accept (the error names the argument and RE2's
 * reason). RE2 matches in linear time, so no pattern can backtrack for ever; the time limit still holds.
 */
export async function checkPattern(db: SearchDb, request: SearchRequest): Promise<string> {
  const argument = request.argument ?? 'text';
  if (request.text === '') throw new UsageError(`${argument}: give the text to search for`);
  const pattern = searchPattern(request);
  try {
    await db.all(`SELECT regexp_matches('', ${literal(pattern)}) AS ok`);
  } catch (error) {
    const reason = errorMessage(error).replace(/^.*?Error: /, '');
    throw new UsageError(`${argument}: "${request.text}" is not a regular expression RE2 accepts (${reason}); drop --regex to search for it as plain text`);
  }
  return pattern;
}

/**
 * A page of hits, the most recently changed sessions first (a session indexed later has a larger sid:
 * DuckDB's top-N then skips whole row groups of older sessions), lines in file order within a session.
 * The snippet is cut in SQL, so a hit in a megabyte tool result ships a few hundred characters.
 */
export async function searchHits(db: SearchDb, root: string, request: SearchRequest): Promise<{ hits: SearchHit[]; more: boolean }> {
  const pattern = await checkPattern(db, request);
  const where = [`regexp_matches(p.text, ${literal(pattern)})`];
  const fragment = request.regex ? null : caselessFragment(request.text);
  // A plain substring check first where the text allows one: RE2's case folding is slow on non-ASCII letters.
  if (fragment !== null) where.unshift(`contains(p.text, ${literal(fragment)})`);
  const params: Record<string, unknown> = { limit: request.limit + 1, offset: request.offset };
  // With one root in the index (the usual case) the root is not filtered on: the filter kept DuckDB's
  // top-N from skipping row groups of older sessions (a common word went from 40 ms to 200-500 ms).
  if (!(await onlyRoot(db, root))) {
    where.push('p.sid IN (SELECT sid FROM search_sessions WHERE root = $root)');
    params.root = root;
  }
  if (request.roles && request.roles.length > 0) {
    where.push('p.role = ANY($roles::VARCHAR[])');
    params.roles = [...request.roles];
  }
  if (request.sids) {
    where.push('p.sid = ANY($sids::INTEGER[])');
    params.sids = request.sids;
  }
  if (request.sinceMs !== undefined) {
    where.push('coalesce(p.ts_ms, s.mtime_ms) >= $since');
    params.since = request.sinceMs;
  }
  const located = `^([\\s\\S]*?)(${pattern})`;
  const sql = `
    WITH page AS (
      SELECT p.sid, p.line_no, p.role, p.ts_ms, p.text, s.session_key
      FROM search_pieces p JOIN search_sessions s ON s.sid = p.sid
      WHERE ${where.join(' AND ')}
      ORDER BY p.sid DESC, p.line_no, p.role
      LIMIT $limit OFFSET $offset),
    found AS (SELECT *, regexp_extract(text, ${literal(located)}, 1) AS prefix, regexp_extract(text, ${literal(located)}, 2) AS matched FROM page)
    SELECT session_key, line_no, role, ts_ms,
           substr(prefix, greatest(1, length(prefix) - ${BEFORE} + 1)) AS before,
           left(matched, ${MAX_MATCH}) AS match,
           substr(text, length(prefix) + length(matched) + 1, ${AFTER}) AS after
    FROM found ORDER BY sid DESC, line_no, role`;
  const rows = await withTimeLimit(db, request.timeLimitMs, (c) => c.all(sql, params as never));
  return { hits: rows.slice(0, request.limit).map(hit), more: rows.length > request.limit };
}

/** The longest run of the text (3 characters or more) made of characters without case, or null: every match contains it as is. */
export function caselessFragment(text: string): string | null {
  let best: string[] = [];
  let run: string[] = [];
  for (const char of [...text, 'A']) {
    if (char.toLowerCase() === char && char.toUpperCase() === char) run.push(char);
    else {
      if (run.length > best.length) best = run;
      run = [];
    }
  }
  return best.length >= 3 ? best.join('') : null;
}

async function onlyRoot(db: SearchDb, root: string): Promise<boolean> {
  const rows = await db.all('SELECT DISTINCT root FROM search_sessions LIMIT 2');
  return rows.length === 0 || (rows.length === 1 && rows[0].root === root);
}

function hit(row: JsonRow): SearchHit {
  const ts = row.ts_ms === null ? null : Number(row.ts_ms);
  return {
    sessionKey: String(row.session_key),
    lineNo: Number(row.line_no),
    role: row.role as SearchRole,
    time: ts === null ? null : new Date(ts).toISOString(),
    before: String(row.before ?? ''),
    match: String(row.match ?? ''),
    after: String(row.after ?? ''),
  };
}

/**
 * Runs fn on its turn of the connection; past `ms` the statement is interrupted and the search fails with a
 * SearchTimeoutError. The clock starts with the turn, so an index write queued before it is never interrupted.
 */
export function withTimeLimit<T>(db: SearchDb, ms: number, fn: (c: Connection) => Promise<T>): Promise<T> {
  return db.exclusive(async (c) => {
    let timedOut = false;
    let timer: NodeJS.Timeout;
    // Again every 20 ms until it stops: an interrupt that lands before the statement starts executing is lost.
    const interrupt = () => {
      timedOut = true;
      db.interrupt();
      timer = setTimeout(interrupt, 20);
    };
    timer = setTimeout(interrupt, ms);
    try {
      return await fn(c);
    } catch (error) {
      if (timedOut)
        throw new SearchTimeoutError(`the search was stopped at its time limit of ${ms / 1000} s: search for something more specific, or allow longer`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  });
}
