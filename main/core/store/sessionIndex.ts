import type { SessionEntry } from '../sessionFile.js';
import type { ColumnSpec, Database } from './database.js';
import type { JsonRow } from './jsonRows.js';
import { staleSql } from '../dueRule.js';

export type CellStatus = 'processed' | 'stale' | 'pending' | 'failed' | 'quarantined';

export interface IndexFilter {
  status?: string[];
  processor?: string;
  group?: string;
  text?: string;
}

export interface IndexQuery extends IndexFilter {
  offset: number;
  limit: number;
  sort?: { by: 'sessionKey' | 'group' | 'size' | 'modified'; dir: 'asc' | 'desc' };
}

const SORT_COLUMNS = { sessionKey: 'session_file', group: 'username', size: 'size_bytes', modified: 'mtime_ms' } as const;

/**
 * The scanned sessions and the loaded processors as temp tables beside the state, so the session list
 * (with one status per processor) is filtered, sorted, counted and paged by the database: the UI never holds
 * 100,000 rows. The status rules mirror the runner's candidate rules (stale = it would be a candidate).
 */
export class SessionIndex {
  constructor(private readonly db: Database) {}

  async replaceSessions(sessions: SessionEntry[]): Promise<void> {
    await this.db.transaction(async (c) => {
      await c.run(CREATE_SCANNED);
      await c.run('DELETE FROM scanned_sessions');
      await c.insertRows('scanned_sessions', SCANNED_COLUMNS, sessions.map((s) => [s.sessionKey, s.username, s.sizeBytes, s.mtimeMs]));
    });
  }

  async replaceProcessors(processors: { name: string; version: string }[]): Promise<void> {
    await this.db.transaction(async (c) => {
      await c.run(CREATE_LOADED);
      await c.run('DELETE FROM loaded_processors');
      await c.insertRows('loaded_processors', LOADED_COLUMNS, processors.map((p) => [p.name, p.version]));
    });
  }

  /** One page of sessions and the status cells of those sessions. */
  async page(query: IndexQuery): Promise<{ total: number; rows: JsonRow[]; cells: JsonRow[] }> {
    await this.ensureTables();
    const { where, params } = filterSql(query);
    const sort = query.sort ?? { by: 'sessionKey', dir: 'asc' };
    const order = `${SORT_COLUMNS[sort.by]} ${sort.dir === 'desc' ? 'DESC' : 'ASC'}, session_file`;
    return this.db.exclusive(async (c) => {
      const rows = await c.all(
        `WITH ${CELLS} SELECT session_file, username, size_bytes, mtime_ms, count(*) OVER () AS total
         FROM scanned_sessions s ${where} ORDER BY ${order} LIMIT $limit OFFSET $offset`,
        { ...params, limit: query.limit, offset: query.offset },
      );
      const keys = rows.map((r) => String(r.session_file));
      const cells = keys.length
        ? await c.all(`WITH ${CELLS} SELECT * FROM cells WHERE session_file = ANY($keys::VARCHAR[]) ORDER BY session_file, processor`, { keys })
        : [];
      let total = rows.length ? Number(rows[0].total) : 0;
      if (!rows.length && query.offset > 0) {
        const [count] = await c.all(`WITH ${CELLS} SELECT count(*) AS n FROM scanned_sessions s ${where}`, params);
        total = Number(count.n);
      }
      return { total, rows, cells };
    });
  }

  /** Session keys matching a filter (for bulk edits on "everything the filter shows"). */
  async keys(filter: IndexFilter): Promise<string[]> {
    await this.ensureTables();
    const { where, params } = filterSql(filter);
    const rows = await this.db.all(`WITH ${CELLS} SELECT session_file FROM scanned_sessions s ${where} ORDER BY session_file`, params);
    return rows.map((r) => String(r.session_file));
  }

  async groups(): Promise<string[]> {
    await this.ensureTables();
    return (await this.db.all('SELECT DISTINCT username FROM scanned_sessions ORDER BY 1')).map((r) => String(r.username));
  }

  /** Sessions per processor and status, over the whole list. */
  async counts(): Promise<JsonRow[]> {
    await this.ensureTables();
    return this.db.all(`WITH ${CELLS} SELECT processor, status, count(*) AS n FROM cells GROUP BY processor, status`);
  }

  async total(): Promise<number> {
    await this.ensureTables();
    return Number((await this.db.all('SELECT count(*) AS n FROM scanned_sessions'))[0].n);
  }

  async get(sessionKey: string): Promise<{ row: JsonRow | null; cells: JsonRow[] }> {
    await this.ensureTables();
    const [row] = await this.db.all('SELECT session_file, username, size_bytes, mtime_ms FROM scanned_sessions WHERE session_file = $key', { key: sessionKey });
    const cells = await this.db.all(`WITH ${CELLS} SELECT * FROM cells WHERE session_file = $key ORDER BY processor`, { key: sessionKey });
    return { row: row ?? null, cells };
  }

  private async ensureTables(): Promise<void> {
    await this.db.run(CREATE_SCANNED);
    await this.db.run(CREATE_LOADED);
  }
}

const CREATE_SCANNED = 'CREATE TEMP TABLE IF NOT EXISTS scanned_sessions (session_file VARCHAR, username VARCHAR, size_bytes BIGINT, mtime_ms DOUBLE PRECISION)';
const SCANNED_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'username', type: 'VARCHAR' },
  { name: 'size_bytes', type: 'BIGINT' },
  { name: 'mtime_ms', type: 'DOUBLE' },
];
const CREATE_LOADED = 'CREATE TEMP TABLE IF NOT EXISTS loaded_processors (name VARCHAR, version VARCHAR)';
const LOADED_COLUMNS: ColumnSpec[] = [
  { name: 'name', type: 'VARCHAR' },
  { name: 'version', type: 'VARCHAR' },
];

/** One row per (session, loaded processor) with its status; 'stale' is rule 1 (dueRule.ts). */
const CELLS = `cells AS (
  SELECT s.session_file, p.name AS processor,
    CASE
      WHEN f.session_file IS NOT NULL AND f.quarantined AND f.processor_version IS NOT DISTINCT FROM p.version THEN 'quarantined'
      WHEN f.session_file IS NOT NULL THEN 'failed'
      WHEN st.session_file IS NULL THEN 'pending'
      WHEN ${staleSql('st', 'p.version', 's.mtime_ms')} THEN 'stale'
      ELSE 'processed'
    END AS status,
    f.attempts, f.last_error, st.processed_at, st.items_extracted
  FROM scanned_sessions s CROSS JOIN loaded_processors p
  LEFT JOIN session_processor_state st ON st.processor_name = p.name AND st.session_file = s.session_file
  LEFT JOIN session_processor_failures f ON f.processor_name = p.name AND f.session_file = s.session_file)`;

function filterSql(filter: IndexFilter): { where: string; params: Record<string, string | string[]> } {
  const conditions: string[] = [];
  const params: Record<string, string | string[]> = {};
  if (filter.group) {
    conditions.push('s.username = $group');
    params.group = filter.group;
  }
  if (filter.text) {
    conditions.push('strpos(lower(s.session_file), lower($text)) > 0');
    params.text = filter.text;
  }
  if (filter.status && filter.status.length > 0) {
    params.statuses = filter.status;
    let match = 'c.status = ANY($statuses::VARCHAR[])';
    if (filter.processor) {
      match += ' AND c.processor = $processor';
      params.processor = filter.processor;
    }
    conditions.push(`EXISTS (SELECT 1 FROM cells c WHERE c.session_file = s.session_file AND ${match})`);
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
