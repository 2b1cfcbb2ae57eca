import { billedCopySql, billingKeySql, tokensViewExists } from '../reports/usageBuckets.js';
import type { ColumnSpec, Connection, Database } from '../store/database.js';
import { parentSessionOf, projectOf } from './projects.js';

/**
 * What the processors found about each session, as plain columns the sessions list sorts and filters on
 * in the database: the title, project, branch, times and message counts `summary` extracted, the cost
 * `tokens` billed, and how many items `errors` and `secrets` found. Reading them from the processors' JSON
 * items on every query would parse every item each time (seconds at 100,000 sessions), so they are kept in
 * cache tables, brought up to date only for the sessions whose stored results changed since the last look.
 *
 * On a DuckDB store the cache tables are part of the file (this process is their only writer, and the next
 * start need not rebuild them); on a shared PostgreSQL store they are temporary, one copy per connection,
 * because several analysts would otherwise rewrite one shared cache at once. Either way they are derived
 * data: dropping them costs one rebuild.
 */

/** The processors the facts come from, and what changes a session's facts: a new result or another count of items. */
export const FACT_SOURCES = ['summary', 'tokens', 'errors', 'secrets'] as const;

const FACTS = 'cache_session_facts';
const SOURCES = 'cache_session_fact_sources';
/** Every billed-message candidate of the tokens processor, typed: billing (which copy of a message counts) runs here without parsing JSON. */
const COPIES = 'cache_token_copies';
const COSTS = 'cache_session_costs';
/** One row: the version of this code that wrote the cache, and the fingerprint of the results it reflects. */
const META = 'cache_session_facts_meta';
/** The sessions whose facts a refresh recomputes, and for costs the messages and sessions that involves (temp tables on both backends). */
const CHANGED = 'facts_changed';
const TOUCHED = 'facts_touched_messages';
const AFFECTED = 'facts_costs_affected';

const FACT_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'title', type: 'VARCHAR' },
  { name: 'project', type: 'VARCHAR' },
  { name: 'project_path', type: 'VARCHAR' },
  { name: 'cwd', type: 'VARCHAR' },
  { name: 'git_branch', type: 'VARCHAR' },
  { name: 'started_ms', type: 'BIGINT' },
  { name: 'ended_ms', type: 'BIGINT' },
  { name: 'duration_s', type: 'DOUBLE' },
  { name: 'prompts', type: 'INTEGER' },
  { name: 'replies', type: 'INTEGER' },
  { name: 'tool_errors', type: 'INTEGER' },
  { name: 'secrets', type: 'INTEGER' },
  { name: 'parent_session', type: 'VARCHAR' },
];

const sqlType = (type: ColumnSpec['type']) => (type === 'DOUBLE' ? 'DOUBLE PRECISION' : type);
const tableDdl = (kind: string, name: string, columns: ColumnSpec[]) =>
  `CREATE ${kind}TABLE IF NOT EXISTS ${name} (${columns.map((c) => `${c.name} ${sqlType(c.type)}`).join(', ')})`;

const SOURCE_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'processor', type: 'VARCHAR' },
  { name: 'processed_at', type: 'TIMESTAMP' },
  { name: 'items', type: 'BIGINT' },
];
// The columns the billing rule orders by keep the names and types of the tokens view (billedCopySql reads
// them); message_key holds the billing key (the message's key, else file:line), so it is never NULL.
const COPY_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'line_no', type: 'BIGINT' },
  { name: 'message_key', type: 'VARCHAR' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'output_tokens', type: 'BIGINT' },
  { name: 'cost_nano', type: 'BIGINT' },
];
const COST_COLUMNS: ColumnSpec[] = [
  { name: 'session_file', type: 'VARCHAR' },
  { name: 'cost_nano', type: 'BIGINT' },
  { name: 'billed_messages', type: 'BIGINT' },
  { name: 'unpriced_messages', type: 'BIGINT' },
];
const TABLES: [string, ColumnSpec[]][] = [
  [FACTS, FACT_COLUMNS],
  [SOURCES, SOURCE_COLUMNS],
  [COPIES, COPY_COLUMNS],
  [COSTS, COST_COLUMNS],
];

/**
 * The cache as the sessions list joins it to the scanned sessions `s`: `f` the facts, `k` the costs, and
 * `kt` the tokens result they were billed from (a session tokens processed with no billed message costs 0).
 */
export const FACTS_JOIN = `LEFT JOIN ${FACTS} f ON f.session_file = s.session_file
  LEFT JOIN ${COSTS} k ON k.session_file = s.session_file
  LEFT JOIN ${SOURCES} kt ON kt.session_file = s.session_file AND kt.processor = 'tokens'`;

const SUMMARY_FIELDS = {
  session_id: 'VARCHAR',
  first_at: 'TIMESTAMP',
  last_at: 'TIMESTAMP',
  duration_s: 'DOUBLE',
  user_turns: 'INTEGER',
  assistant_messages: 'INTEGER',
  cwd: 'VARCHAR',
  git_branch: 'VARCHAR',
  title: 'VARCHAR',
};
const TOKEN_FIELDS = { message_key: 'VARCHAR', timestamp: 'TIMESTAMP', output_tokens: 'BIGINT', cost_usd: 'DOUBLE', line_no: 'BIGINT' };
const epochMs = (column: string) => `CAST(round(date_part('epoch', ${column}) * 1000) AS BIGINT)`;
const sourceList = FACT_SOURCES.map((p) => `'${p}'`).join(', ');

/**
 * A fingerprint of the source processors' stored results: any new result, removal or edit moves one of the
 * sums, so an unchanged fingerprint spares comparing every result with the cache (an aggregate of one
 * column is a tenth of that join's cost at 100,000 sessions).
 */
export const resultsFingerprintSql = (where = 'true') => `SELECT count(*) AS n, sum(items_extracted) AS items, sum(epoch_ms(processed_at)) AS at
  FROM session_processor_state WHERE ${where}`;
const FINGERPRINT_SQL = resultsFingerprintSql(`processor_name IN (${sourceList})`);

/** Bump when what the cache holds changes meaning: a DuckDB store's cache of another version is rebuilt. */
const CACHE_VERSION = 1;

export class SessionFacts {
  private ready = false;
  private known = '';

  constructor(private readonly db: Database) {}

  /** Brings the facts up to date with the stored results (one aggregate when nothing changed); true when some changed. */
  async refresh(): Promise<boolean> {
    await this.ensureTables();
    const fingerprint = JSON.stringify(await this.db.all(FINGERPRINT_SQL));
    if (fingerprint === this.known) return false;
    const changed = await this.compare(fingerprint);
    this.known = fingerprint;
    return changed;
  }

  /** The fingerprint of the results the cache reflects ('' before the first refresh). */
  get fingerprint(): string {
    return this.known;
  }

  /** Recomputes the facts of every session whose results differ from those the cache was built from; true when there were any. */
  private async compare(fingerprint: string): Promise<boolean> {
    return this.db.transaction(async (c) => {
      // Stored with the cache it describes: the next process starts from it instead of comparing everything.
      await c.run(`UPDATE ${META} SET fingerprint = $fingerprint`, { fingerprint });
      await c.run(`DROP TABLE IF EXISTS ${CHANGED}`);
      await c.run(`CREATE TEMP TABLE ${CHANGED} AS
        SELECT DISTINCT coalesce(cur.session_file, old.session_file) AS session_file
        FROM (SELECT session_file, processor_name AS processor, processed_at, items_extracted AS items
              FROM session_processor_state WHERE processor_name IN (${sourceList})) cur
        FULL OUTER JOIN ${SOURCES} old ON old.session_file = cur.session_file AND old.processor = cur.processor
        WHERE cur.session_file IS NULL OR old.session_file IS NULL
          OR cur.processed_at IS DISTINCT FROM old.processed_at OR cur.items IS DISTINCT FROM old.items`);
      const [{ n }] = await c.all(`SELECT count(*) AS n FROM ${CHANGED}`);
      if (Number(n) === 0) return false;
      await this.db.updateStatistics(c, [CHANGED]);
      await this.recomputeFacts(c);
      await this.recomputeCosts(c);
      await c.run(`DELETE FROM ${SOURCES} WHERE session_file IN (SELECT session_file FROM ${CHANGED})`);
      await c.run(`INSERT INTO ${SOURCES} SELECT session_file, processor_name, processed_at, items_extracted FROM session_processor_state
        WHERE processor_name IN (${sourceList}) AND session_file IN (SELECT session_file FROM ${CHANGED})`);
      await this.db.updateStatistics(c, [FACTS, SOURCES, COPIES, COSTS]);
      return true;
    });
  }

  /** summary's item and the counts of errors and secrets, for the changed sessions; project and parent by the rules in projects.ts. */
  private async recomputeFacts(c: Connection): Promise<void> {
    const summary = this.db.typedItems('summary', SUMMARY_FIELDS, CHANGED);
    const rows = await c.all(`SELECT ch.session_file, s.title, s.cwd, s.git_branch, s.session_id,
        ${epochMs('s.first_at')} AS started_ms, ${epochMs('s.last_at')} AS ended_ms, s.duration_s,
        s.user_turns, s.assistant_messages, e.items_extracted AS tool_errors, k.items_extracted AS secrets,
        sm.session_file IS NOT NULL AS summarized
      FROM ${CHANGED} ch
      LEFT JOIN (${summary}) s ON s.session_file = ch.session_file AND s.item_index = 0
      LEFT JOIN session_processor_state sm ON sm.processor_name = 'summary' AND sm.session_file = ch.session_file
      LEFT JOIN session_processor_state e ON e.processor_name = 'errors' AND e.session_file = ch.session_file
      LEFT JOIN session_processor_state k ON k.processor_name = 'secrets' AND k.session_file = ch.session_file`);
    await c.run(`DELETE FROM ${FACTS} WHERE session_file IN (SELECT session_file FROM ${CHANGED})`);
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const count = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    await c.insertRows(
      FACTS,
      FACT_COLUMNS,
      rows.map((r) => {
        const file = String(r.session_file);
        const cwd = text(r.cwd) || null;
        const project = projectOf(file, cwd);
        // A summarized session without an item had no records: it has no messages, which is not unknown.
        const messages = (v: unknown) => count(v) ?? (r.summarized === true ? 0 : null);
        return [
          file,
          text(r.title),
          project.name,
          project.path,
          cwd,
          text(r.git_branch) || null,
          count(r.started_ms),
          count(r.ended_ms),
          count(r.duration_s),
          messages(r.user_turns),
          messages(r.assistant_messages),
          count(r.tool_errors),
          count(r.secrets),
          parentSessionOf(file, text(r.session_id)),
        ];
      }),
    );
  }

  /**
   * Costs bill each message once across the store, as the reports do (billedCopySql): which copy of a message
   * is billed can move between sessions when one of them changes. So the costs recomputed are those of the
   * changed sessions and of every session holding a copy of a message they held before or hold now (the old
   * and the new billed copies are among those), each from all copies of all its messages. The copies are
   * typed columns here, so billing parses no JSON.
   */
  private async recomputeCosts(c: Connection): Promise<void> {
    if (!(await tokensViewExists(c))) return;
    const tokens = this.db.typedItems('tokens', TOKEN_FIELDS, CHANGED);
    const inChanged = `session_file IN (SELECT session_file FROM ${CHANGED})`;
    await c.run(`DROP TABLE IF EXISTS ${TOUCHED}`);
    await c.run(`CREATE TEMP TABLE ${TOUCHED} AS SELECT DISTINCT message_key FROM ${COPIES} WHERE ${inChanged}`);
    await c.run(`DELETE FROM ${COPIES} WHERE ${inChanged}`);
    await c.run(`INSERT INTO ${COPIES} SELECT session_file, line_no, ${billingKeySql('t')}, "timestamp", output_tokens, CAST(round(cost_usd * 1e9) AS BIGINT)
      FROM (${tokens}) t WHERE "timestamp" IS NOT NULL`);
    await c.run(`INSERT INTO ${TOUCHED} SELECT message_key FROM ${COPIES} WHERE ${inChanged}`);
    await this.db.updateStatistics(c, [COPIES, TOUCHED]);
    await c.run(`DROP TABLE IF EXISTS ${AFFECTED}`);
    await c.run(`CREATE TEMP TABLE ${AFFECTED} AS
      SELECT session_file FROM ${COPIES} WHERE message_key IN (SELECT message_key FROM ${TOUCHED}) UNION SELECT session_file FROM ${CHANGED}`);
    await c.run(`DELETE FROM ${COSTS} WHERE session_file IN (SELECT session_file FROM ${AFFECTED})`);
    await c.run(`INSERT INTO ${COSTS} SELECT session_file, coalesce(sum(cost_nano), 0), count(*), count(*) - count(cost_nano)
      FROM (SELECT t.*, ${billedCopySql('t')} AS copy FROM ${COPIES} t
            WHERE t.message_key IN (SELECT message_key FROM ${COPIES} WHERE session_file IN (SELECT session_file FROM ${AFFECTED}))) b
      WHERE copy = 1 AND session_file IN (SELECT session_file FROM ${AFFECTED}) GROUP BY session_file`);
  }

  private async ensureTables(): Promise<void> {
    if (this.ready) return;
    // A shared store's cache is per connection (see above); a DuckDB store's outlives the process, so one
    // written by another version of this code is dropped and rebuilt.
    const kind = this.db.shared ? 'TEMP ' : '';
    const stored = this.db.shared ? null : await this.storedMeta();
    if (!this.db.shared && stored?.version !== CACHE_VERSION) {
      for (const name of [...TABLES.map(([table]) => table), META]) await this.db.run(`DROP TABLE IF EXISTS ${name}`);
    }
    for (const [name, columns] of TABLES) await this.db.run(tableDdl(kind, name, columns));
    await this.db.run(`CREATE ${kind}TABLE IF NOT EXISTS ${META} (version INTEGER, fingerprint VARCHAR)`);
    if (stored?.version === CACHE_VERSION) this.known = stored.fingerprint;
    else await this.db.run(`INSERT INTO ${META} VALUES (${CACHE_VERSION}, '')`);
    this.ready = true;
  }

  private async storedMeta(): Promise<{ version: number; fingerprint: string } | null> {
    const exists = await this.db.all('SELECT 1 FROM information_schema.tables WHERE table_name = $name', { name: META });
    if (exists.length === 0) return null;
    const [row] = await this.db.all(`SELECT version, fingerprint FROM ${META}`);
    return row ? { version: Number(row.version), fingerprint: String(row.fingerprint ?? '') } : null;
  }
}
