import { createHash } from 'node:crypto';
import type { SessionEntry } from '../sessionFile.js';
import type { ColumnSpec, Database, SqlValue } from '../store/database.js';
import type { JsonRow } from '../store/jsonRows.js';
import { staleSql } from '../dueRule.js';
import { columnSelectSql, loadedProcessorsSql, type SessionColumnId } from './sessionColumns.js';
import { FACTS_JOIN, resultsFingerprintSql, SessionFacts } from './sessionFacts.js';

export type CellStatus = 'processed' | 'stale' | 'pending' | 'failed' | 'quarantined';

/** What a session has that a filter can ask for: items found by `secrets` or by `errors`. */
export type SessionFinding = 'secrets' | 'errors';

export interface IndexFilter {
  status?: string[];
  processor?: string;
  group?: string;
  /** Matches titles, project names and paths (case-insensitive substring). */
  text?: string;
  /** A project's name, its full path (the records' cwd) or Claude Code's encoded folder (projects.ts inProject). */
  project?: string;
  /** Sessions that started in [from, to), ISO-8601 instants; a session not yet summarized by its file's mtime. */
  startedFrom?: string;
  startedTo?: string;
  has?: SessionFinding[];
}

export interface IndexQuery extends IndexFilter {
  offset: number;
  limit: number;
  sort?: { by: SessionColumnId; dir: 'asc' | 'desc' };
  /** List this session's subagents instead of the top-level sessions. */
  parent?: string;
}

export interface IndexPage {
  total: number;
  /** Column values by id (sessionColumns.ts) plus project_path, prompts, replies, ended_ms, unpriced_messages, subagents. */
  rows: JsonRow[];
  cells: JsonRow[];
}

/**
 * The scanned sessions and the loaded processors as tables beside the state, so the session list (with one
 * status per processor and the columns of sessionColumns.ts) is filtered, sorted, counted and paged by the
 * database: the UI never holds 100,000 rows. The status rules mirror the runner's candidate rules (stale =
 * it would be a candidate). A subagent's transcript is listed under its session (the `root` of its family),
 * and a filter keeps a session when it or one of its subagents matches.
 *
 * The list is one table, listed_sessions, joined again only when what it is built from changed: the scan,
 * the loaded processors (each known by a hash) or the processors' results (the facts' fingerprint). On a
 * DuckDB store these tables are part of the file, so the next start lists sessions at once from the last
 * scan while the new one runs; on a shared PostgreSQL store they are temporary, one copy per connection.
 */
export class SessionIndex {
  private readonly facts: SessionFacts;
  private ready = false;
  /** What the tables hold now, and what listed_sessions was built from (null: never). */
  private inputs = { root: '', scan: '', processors: '' };
  private listedFrom: string | null = null;
  private projectsMemo: { from: string | null; projects: { name: string; path: string; sessions: number }[] } | null = null;
  private countsMemo: { from: string; rows: JsonRow[] } | null = null;

  constructor(private readonly db: Database) {
    this.facts = new SessionFacts(db);
  }

  /** The session root of the scan an earlier process left in this (DuckDB) store, or null. */
  async lastScannedRoot(): Promise<string | null> {
    await this.ensureTables();
    return this.inputs.root || null;
  }

  /** The sessions a scan of `root` found; nothing is written when they are the ones already held. */
  async replaceSessions(sessions: SessionEntry[], root = ''): Promise<void> {
    await this.ensureTables();
    const hash = createHash('sha1');
    for (const s of sessions) hash.update(`${s.sessionKey}\0${s.sizeBytes}\0${s.mtimeMs}\n`);
    const scan = hash.digest('hex');
    if (scan === this.inputs.scan && root === this.inputs.root) return;
    await this.db.transaction(async (c) => {
      await c.run('DELETE FROM scanned_sessions');
      await c.insertRows(
        'scanned_sessions',
        SCANNED_COLUMNS,
        sessions.map((s) => [s.sessionKey, s.group, s.sizeBytes, s.mtimeMs]),
      );
      await c.run(`UPDATE ${META} SET root = $root, scan = $scan`, { root, scan });
      await this.db.updateStatistics(c, ['scanned_sessions']);
    });
    this.inputs = { ...this.inputs, root, scan };
  }

  async replaceProcessors(processors: { name: string; version: string }[]): Promise<void> {
    await this.ensureTables();
    const loaded = JSON.stringify(processors.map((p) => [p.name, p.version]));
    if (loaded === this.inputs.processors) return;
    await this.db.transaction(async (c) => {
      await c.run('DELETE FROM loaded_processors');
      await c.insertRows(
        'loaded_processors',
        LOADED_COLUMNS,
        processors.map((p) => [p.name, p.version]),
      );
      await c.run(`UPDATE ${META} SET processors = $loaded`, { loaded });
      await this.db.updateStatistics(c, ['loaded_processors']);
    });
    this.inputs = { ...this.inputs, processors: loaded };
  }

  /** One page of sessions (or of one session's subagents) and the status cells of those sessions. */
  async page(query: IndexQuery): Promise<IndexPage> {
    await this.ensureListed();
    const { where, params, cells: cte } = filterSql(query);
    const sort = query.sort ?? { by: 'started', dir: 'desc' };
    // NULLS LAST either way: a session not yet processed has no cost, which is neither cheap nor dear.
    const order = `${sort.by} ${sort.dir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, session_file`;
    let rows = 'l.root = l.session_file';
    if (query.parent !== undefined) {
      rows = 'l.root = $parent AND l.session_file <> $parent';
      params.parent = query.parent;
    } else if (where) rows += ` AND l.session_file IN (SELECT root FROM listed_sessions l ${where})`;
    return this.db.exclusive(async (c) => {
      const page = await c.all(
        `${cte}SELECT l.*, count(*) OVER () AS total FROM listed_sessions l WHERE ${rows} ORDER BY ${order} LIMIT $limit OFFSET $offset`,
        {
          ...params,
          limit: query.limit,
          offset: query.offset,
        },
      );
      const keys = page.map((r) => String(r.session_file));
      const cells = keys.length
        ? await c.all(`WITH ${cellsSql('session_file = ANY($keys::VARCHAR[])')} SELECT * FROM cells ORDER BY session_file, processor`, { keys })
        : [];
      let total = page.length ? Number(page[0].total) : 0;
      if (!page.length && query.offset > 0) {
        const [count] = await c.all(`${cte}SELECT count(*) AS n FROM listed_sessions l WHERE ${rows}`, params);
        total = Number(count.n);
      }
      return { total, rows: page, cells };
    });
  }

  /** Session keys matching a filter, subagents included (for bulk edits on "everything the filter shows"). */
  async keys(filter: IndexFilter): Promise<string[]> {
    await this.ensureListed();
    const { where, params, cells: cte } = filterSql(filter);
    const rows = await this.db.all(`${cte}SELECT session_file FROM listed_sessions l ${where} ORDER BY session_file`, params);
    return rows.map((r) => String(r.session_file));
  }

  async groups(): Promise<string[]> {
    await this.ensureTables();
    return (await this.db.all('SELECT DISTINCT username FROM scanned_sessions ORDER BY 1')).map((r) => String(r.username));
  }

  /** The projects of the listed sessions, by name, with their full paths, for a project picker. */
  async projects(): Promise<{ name: string; path: string; sessions: number }[]> {
    await this.ensureListed();
    if (this.projectsMemo?.from !== this.listedFrom) {
      const rows = await this.db.all('SELECT project, project_path, count(*) AS n FROM listed_sessions GROUP BY 1, 2 ORDER BY 1, 2');
      this.projectsMemo = {
        from: this.listedFrom,
        projects: rows.map((r) => ({ name: String(r.project), path: String(r.project_path), sessions: Number(r.n) })),
      };
    }
    return this.projectsMemo.projects;
  }

  /**
   * Sessions per processor and status, over the whole list: every cell of every session (0.3 s at 100,000),
   * so counted again only when the scan, the loaded processors, a result or a failure changed.
   */
  async counts(): Promise<JsonRow[]> {
    await this.ensureTables();
    const [results] = await this.db.all(resultsFingerprintSql());
    const [failures] = await this.db.all(FAILURES_FINGERPRINT_SQL);
    const from = JSON.stringify([this.inputs.scan, this.inputs.processors, results, failures]);
    if (this.countsMemo?.from !== from) {
      this.countsMemo = { from, rows: await this.db.all(`WITH ${cellsSql()} SELECT processor, status, count(*) AS n FROM cells GROUP BY processor, status`) };
      // Kept with the list, so the next start counts nothing when nothing changed.
      await this.db.run(`UPDATE ${META} SET counts = $counts`, { counts: JSON.stringify(this.countsMemo) });
    }
    return this.countsMemo.rows;
  }

  async total(): Promise<number> {
    await this.ensureTables();
    return Number((await this.db.all('SELECT count(*) AS n FROM scanned_sessions'))[0].n);
  }

  async get(sessionKey: string): Promise<{ row: JsonRow | null; cells: JsonRow[] }> {
    await this.ensureListed();
    const [row] = await this.db.all('SELECT * FROM listed_sessions WHERE session_file = $key', { key: sessionKey });
    const cells = await this.db.all(`WITH ${cellsSql('session_file = $key')} SELECT * FROM cells ORDER BY processor`, { key: sessionKey });
    return { row: row ?? null, cells };
  }

  private async ensureTables(): Promise<void> {
    if (this.ready) return;
    const kind = this.db.shared ? 'TEMP ' : '';
    const stored = this.db.shared ? undefined : await this.storedMeta();
    if (stored && stored.version !== LIST_VERSION) for (const table of [...LIST_TABLES, META]) await this.db.run(`DROP TABLE IF EXISTS ${table}`);
    await this.db.run(
      `CREATE ${kind}TABLE IF NOT EXISTS scanned_sessions (session_file VARCHAR, username VARCHAR, size_bytes BIGINT, mtime_ms DOUBLE PRECISION)`,
    );
    await this.db.run(`CREATE ${kind}TABLE IF NOT EXISTS loaded_processors (name VARCHAR, version VARCHAR)`);
    await this.db.run(
      `CREATE ${kind}TABLE IF NOT EXISTS ${META} (version INTEGER, root VARCHAR, scan VARCHAR, processors VARCHAR, listed VARCHAR, counts VARCHAR)`,
    );
    if (stored?.version === LIST_VERSION) {
      this.inputs = { root: stored.root, scan: stored.scan, processors: stored.processors };
      this.listedFrom = stored.listed || null;
      this.countsMemo = stored.counts ? (JSON.parse(stored.counts) as { from: string; rows: JsonRow[] }) : null;
    } else {
      await this.db.run(`DELETE FROM ${META}`);
      await this.db.run(`INSERT INTO ${META} VALUES (${LIST_VERSION}, '', '', '', '', '')`);
    }
    this.ready = true;
  }

  private async storedMeta(): Promise<{ version: number; root: string; scan: string; processors: string; listed: string; counts: string } | undefined> {
    if ((await this.db.all('SELECT 1 FROM information_schema.tables WHERE table_name = $name', { name: META })).length === 0) return undefined;
    const [row] = await this.db.all(`SELECT * FROM ${META}`);
    if (!row) return undefined;
    const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    return {
      version: Number(row.version),
      root: text(row.root),
      scan: text(row.scan),
      processors: text(row.processors),
      listed: text(row.listed),
      counts: text(row.counts),
    };
  }

  /**
   * Every scanned session with its columns, joined once into a table when the scan, the loaded processors
   * or the facts changed: a sort or a filter is then one scan of one table, where joining the cache on each
   * query cost most of a second at 100,000 sessions.
   */
  private async ensureListed(): Promise<void> {
    await this.ensureTables();
    await this.facts.refresh();
    const from = JSON.stringify({ scan: this.inputs.scan, processors: this.inputs.processors, facts: this.facts.fingerprint });
    if (from === this.listedFrom) return;
    const kind = this.db.shared ? 'TEMP ' : '';
    await this.db.transaction(async (c) => {
      await c.run('DROP TABLE IF EXISTS listed_sessions');
      await c.run(`CREATE ${kind}TABLE listed_sessions AS WITH ${LISTED}, ${KIDS}
        SELECT l.*, coalesce(kids.n, 0) AS subagents FROM listed l LEFT JOIN kids ON kids.root = l.session_file`);
      await c.run(`UPDATE ${META} SET listed = $from`, { from });
      await this.db.updateStatistics(c, ['listed_sessions']);
    });
    this.listedFrom = from;
  }
}

/** What the failures a status reads add to a fingerprint of the results. */
const FAILURES_FINGERPRINT_SQL = `SELECT count(*) AS n, sum(attempts) AS attempts, count(*) FILTER (WHERE quarantined) AS quarantined,
  sum(epoch_ms(last_failed_at)) AS at, string_agg(DISTINCT processor_version, ',') AS versions FROM session_processor_failures`;

/** Bump when the list's tables change shape or meaning: a DuckDB store's tables of another version are rebuilt. */
const LIST_VERSION = 2;
/** One row: the version that wrote the list's tables, and what they hold (see `inputs`). */
const META = 'cache_session_list_meta';
const LIST_TABLES = ['scanned_sessions', 'loaded_processors', 'listed_sessions'];

const SCANNED_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'username', type: 'VARCHAR' },
  { name: 'size_bytes', type: 'BIGINT' },
  { name: 'mtime_ms', type: 'DOUBLE' },
];
const LOADED_COLUMNS: ColumnSpec[] = [
  { name: 'name', type: 'VARCHAR' },
  { name: 'version', type: 'VARCHAR' },
];

/**
 * One row per (session, loaded processor) with its status; 'stale' is rule 1 (dueRule.ts). `sessions` limits
 * the scanned sessions first, in a subquery: written as an outer WHERE, DuckDB applied it after joining all
 * 800,000 cells of 100,000 sessions (0.3 s for a page of 100).
 */
const cellsSql = (sessions = 'true') => `cells AS (
  SELECT s.session_file, p.name AS processor,
    CASE
      WHEN f.session_file IS NOT NULL AND f.quarantined AND f.processor_version IS NOT DISTINCT FROM p.version THEN 'quarantined'
      WHEN f.session_file IS NOT NULL THEN 'failed'
      WHEN st.session_file IS NULL THEN 'pending'
      WHEN ${staleSql('st', 'p.version', 's.mtime_ms')} THEN 'stale'
      ELSE 'processed'
    END AS status,
    f.attempts, f.last_error, st.processed_at, st.items_extracted
  FROM (SELECT * FROM scanned_sessions WHERE ${sessions}) s CROSS JOIN loaded_processors p
  LEFT JOIN session_processor_state st ON st.processor_name = p.name AND st.session_file = s.session_file
  LEFT JOIN session_processor_failures f ON f.processor_name = p.name AND f.session_file = s.session_file)`;

/** Subagent transcripts per session they are listed under. */
const KIDS = 'kids AS (SELECT root, count(*) AS n FROM listed WHERE root <> session_file GROUP BY root)';

const LISTED = `lp AS (${loadedProcessorsSql()}),
listed AS (
  SELECT s.session_file, s.username,
    ${columnSelectSql()},
    CASE WHEN parent.session_file IS NOT NULL THEN parent.session_file ELSE s.session_file END AS root
  FROM scanned_sessions s CROSS JOIN lp
  ${FACTS_JOIN}
  LEFT JOIN scanned_sessions parent ON parent.session_file = f.parent_session AND parent.session_file <> s.session_file
)`;

/** The WHERE of a filter over listed_sessions `l`; `cells` says it reads the status cells (a `cells` CTE must precede it). */
function filterSql(filter: IndexFilter): { where: string; params: Record<string, SqlValue>; cells: string } {
  const conditions: string[] = [];
  const params: Record<string, SqlValue> = {};
  if (filter.group) {
    conditions.push('l.username = $group');
    params.group = filter.group;
  }
  if (filter.text) {
    conditions.push(`(strpos(lower(l.session_file), lower($text)) > 0 OR strpos(lower(coalesce(l.title, '')), lower($text)) > 0
      OR strpos(lower(l.project_path), lower($text)) > 0)`);
    params.text = filter.text;
  }
  if (filter.project) {
    // projects.ts inProject: the cwd, its last folder, or the encoded folder.
    conditions.push('(l.project_path = $project OR l.project = $project OR l.username = $project)');
    params.project = filter.project;
  }
  if (filter.startedFrom !== undefined) {
    conditions.push('coalesce(l.started, l.modified) >= $startedFrom');
    params.startedFrom = Date.parse(filter.startedFrom);
  }
  if (filter.startedTo !== undefined) {
    conditions.push('coalesce(l.started, l.modified) < $startedTo');
    params.startedTo = Date.parse(filter.startedTo);
  }
  for (const finding of filter.has ?? []) conditions.push(finding === 'secrets' ? 'l.secrets > 0' : 'l.errors > 0');
  if (filter.status && filter.status.length > 0) {
    params.statuses = filter.status;
    let match = 'c.status = ANY($statuses::VARCHAR[])';
    if (filter.processor) {
      match += ' AND c.processor = $processor';
      params.processor = filter.processor;
    }
    conditions.push(`EXISTS (SELECT 1 FROM cells c WHERE c.session_file = l.session_file AND ${match})`);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  return { where, params, cells: filter.status?.length ? `WITH ${cellsSql(mayHaveStatus(filter.status))} ` : '' };
}

/**
 * Which sessions can have a cell in one of these statuses, so a filter computes the cells of those only: a
 * failed or quarantined cell needs a failure row (a sound pre-filter; the status itself is still decided by
 * cellsSql's one rule). Any other status can be anyone's.
 */
function mayHaveStatus(statuses: string[]): string {
  return statuses.every((s) => s === 'failed' || s === 'quarantined') ? 'session_file IN (SELECT session_file FROM session_processor_failures)' : 'true';
}
