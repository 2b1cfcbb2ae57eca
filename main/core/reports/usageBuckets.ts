import { findPrice, type PriceTable, type Rates } from '../../sdk/pricing.js';
import type { Database } from '../store/database.js';

/**
 * Reports read the tokens processor's messages (view `token_usage`, one row per billed message) summed per
 * session, project folder (`cwd`), model and quarter-hour of UTC. A quarter-hour is the finest grain any
 * report needs: every time zone's offset and every daylight-saving change is a whole number of quarter
 * hours, so a bucket lies within one local day in every zone; and a 5-hour block starts on a whole UTC hour,
 * so a bucket lies within one block (see blocks.ts for the gaps). Summing in the store keeps a report's cost
 * independent of how many messages there are, and the same SQL runs on DuckDB and PostgreSQL.
 */
export interface UsageBucket {
  sessionFile: string;
  /** The records' working folder; null when the messages' lines carry none. */
  cwd: string | null;
  /** null when the messages name no model. */
  model: string | null;
  /** Start of the quarter-hour, ms since the epoch (UTC). */
  bucketMs: number;
  /**
   * The bucket holds the messages exactly at bucketMs: a day starts at such an instant but a block's 5 hours
   * end on it, so these messages are kept apart from the rest of the quarter-hour (see blocks.ts).
   */
  onBoundary: boolean;
  /** The file line of the bucket's first message in its file (orders models as ccusage lists them). */
  firstLine: number;
  /** Times of the first and last message in the bucket, ms since the epoch. */
  firstMs: number;
  lastMs: number;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** USD at the bundled prices; `unpricedMessages` of the messages had no price and add nothing here. */
  cost: number;
  unpricedMessages: number;
  sidechainMessages: number;
  /** The session file is gone (Claude Code's cleanup); its messages stay in the store until `orphans remove`. */
  deleted: boolean;
  /** The machine whose runner processed the session (null for sessions processed before hosts were recorded). */
  host: string | null;
}

export const QUARTER_HOUR_MS = 15 * 60 * 1000;

/** The tokens processor's view; a store where it never ran has none. */
export const TOKENS_VIEW = 'token_usage';
const VIEW = TOKENS_VIEW;

/**
 * A message copied into several files (a resumed session repeats the history it continues) is billed once:
 * across the whole store each (message.id, requestId) counts once, in the copy with the largest output
 * (the most complete line of a streamed response), then the earliest, then by file and line. `copy` is 1
 * on the billed copy of each message of `t` (rows of the tokens view with a time); the sessions list's
 * costs (sessions/sessionFacts.ts) bill by this rule too.
 */
export const billingKeySql = (t: string) => `coalesce(${t}.message_key, ${t}.session_file || ':' || CAST(${t}.line_no AS VARCHAR))`;
export const billedCopySql = (t: string) =>
  `row_number() OVER (PARTITION BY ${billingKeySql(t)} ORDER BY ${t}.output_tokens DESC, ${t}."timestamp", ${t}.session_file, ${t}.line_no)`;

const bucketsSql = (prices = '', cost = 'b.cost_usd') => `
WITH ${prices}billed AS (
  SELECT t.*, ${billedCopySql('t')} AS copy
  FROM ${VIEW} t
  WHERE t."timestamp" IS NOT NULL
)
SELECT
  b.session_file, b.cwd, b.model,
  CAST(floor(date_part('epoch', b."timestamp") / 900) AS BIGINT) AS bucket,
  CAST(round(date_part('epoch', b."timestamp") * 1000) AS BIGINT) % 900000 = 0 AS on_boundary,
  CAST(round(date_part('epoch', min(b."timestamp")) * 1000) AS BIGINT) AS first_ms,
  CAST(round(date_part('epoch', max(b."timestamp")) * 1000) AS BIGINT) AS last_ms,
  min(b.line_no) AS first_line,
  count(*) AS messages,
  sum(b.input_tokens) AS input, sum(b.output_tokens) AS output,
  sum(b.cache_creation_input_tokens) AS cache_creation, sum(b.cache_read_input_tokens) AS cache_read,
  -- Whole nano-dollars (each message's cost is one): an exact sum, the same whatever the order of rows.
  coalesce(sum(CAST(round((${cost}) * 1e9) AS BIGINT)), 0) AS cost_nano,
  count(*) - count(${cost}) AS unpriced,
  count(*) FILTER (WHERE b.sidechain) AS sidechain,
  bool_or(o.session_file IS NOT NULL) AS deleted,
  h.host
FROM billed b
LEFT JOIN orphaned_sessions o ON o.session_file = b.session_file
LEFT JOIN session_hosts h ON h.session_file = b.session_file
${prices ? 'LEFT JOIN prices p ON p.model = b.model' : ''}
WHERE b.copy = 1
GROUP BY b.session_file, b.cwd, b.model, 4, 5, h.host
ORDER BY b.session_file, 4, 5, b.model, b.cwd`;

/** Messages without a usable time cannot be placed in any period; reports count them apart. */
const UNDATED_SQL = `SELECT count(*) AS n FROM ${VIEW} WHERE "timestamp" IS NULL`;

/** `db`: the store, or a connection of it inside a transaction. */
export async function tokensViewExists(db: Pick<Database, 'all'>): Promise<boolean> {
  const rows = await db.all('SELECT 1 FROM information_schema.tables WHERE table_name = $name AND table_schema = current_schema()', { name: VIEW });
  return rows.length > 0;
}

const RATE_COLUMNS = ['input', 'output', 'write_5m', 'write_1h', 'read'];

/**
 * Repricing with another table (`report --prices`): each model the store holds is matched in JavaScript by
 * the SDK's rule, and its rates join the messages as plain values, so the SQL stays the same on both
 * backends. The cost of each message is then its tokens times those rates, as messageCost() computes it.
 */
async function repricing(db: Database, table: PriceTable): Promise<{ cte: string; cost: string }> {
  const models = (await db.all(`SELECT DISTINCT model FROM ${VIEW} WHERE model IS NOT NULL`)).map((r) => String(r.model));
  const number = (n: number | undefined) => `CAST(${n === undefined ? 'NULL' : String(n)} AS DOUBLE PRECISION)`;
  const text = (s: string | null) => (s === null ? 'CAST(NULL AS VARCHAR)' : `CAST('${s.replaceAll("'", "''")}' AS VARCHAR)`);
  const rates = (r: Rates | undefined) => [r?.input, r?.output, r?.cache_write_5m, r?.cache_write_1h, r?.cache_read].map(number).join(', ');
  // One row that matches nothing keeps VALUES valid when no model has a price.
  const rows = [`(${text(null)}, ${rates(undefined)}, ${number(undefined)}, ${rates(undefined)})`];
  for (const model of models) {
    const entry = findPrice(table, model);
    if (entry) rows.push(`(${text(model)}, ${rates(entry)}, ${number(entry.long_prompt?.above_tokens)}, ${rates(entry.long_prompt)})`);
  }
  const columns = ['model', ...RATE_COLUMNS, 'long_above', ...RATE_COLUMNS.map((c) => `long_${c}`)];
  const priced = (prefix: string) =>
    `(b.input_tokens * p.${prefix}input + b.output_tokens * p.${prefix}output
      + (b.cache_creation_input_tokens - b.cache_creation_1h_input_tokens) * p.${prefix}write_5m
      + b.cache_creation_1h_input_tokens * p.${prefix}write_1h + b.cache_read_input_tokens * p.${prefix}read) / 1e6`;
  return {
    cte: `prices (${columns.join(', ')}) AS (VALUES ${rows.join(',\n')}),\n`,
    cost: `CASE WHEN p.model IS NULL THEN NULL
      WHEN p.long_above IS NOT NULL AND b.input_tokens + b.cache_creation_input_tokens + b.cache_read_input_tokens > p.long_above THEN ${priced('long_')}
      ELSE ${priced('')} END`,
  };
}

export interface LoadedBuckets {
  buckets: UsageBucket[];
  undatedMessages: number;
}

/**
 * The buckets of a store whose tokens have not changed since they were last summed: the app asks for
 * report after report (another zone, weekly instead of daily) over the same messages, and grouping
 * buckets takes milliseconds where summing the messages takes a quarter of a second over 60,000.
 */
const lastLoaded = new WeakMap<Database, { generation: string; loaded: LoadedBuckets }>();

/**
 * What changes when the messages a report sums change: a run stores sessions with a new read time (the
 * clock moves forward, so the newest one moves), a reset or a removal changes the counts, a deletion or a
 * return changes the orphans. Only a DuckDB store is remembered: this process is then its only writer,
 * where runners on other machines write a shared store with their own clocks.
 */
async function generation(db: Database): Promise<string | undefined> {
  if (db.shared) return undefined;
  const [row] = await db.all(`SELECT
      (SELECT count(*) FROM session_processor_state WHERE processor_name = 'tokens') AS sessions,
      (SELECT max(processed_at) FROM session_processor_state WHERE processor_name = 'tokens') AS newest,
      (SELECT count(*) FROM orphaned_sessions) AS orphans,
      (SELECT max(orphaned_at) FROM orphaned_sessions) AS newest_orphan`);
  return JSON.stringify(row);
}

/** `prices`: reprice every message with this table instead of the costs `tokens` stored (the bundled table's). */
export async function loadUsageBuckets(db: Database, prices?: PriceTable): Promise<LoadedBuckets> {
  if (prices) return sumBuckets(db, prices);
  const now = await generation(db);
  const last = lastLoaded.get(db);
  if (now !== undefined && last?.generation === now) return last.loaded;
  const loaded = await sumBuckets(db);
  if (now !== undefined) lastLoaded.set(db, { generation: now, loaded });
  return loaded;
}

async function sumBuckets(db: Database, prices?: PriceTable): Promise<LoadedBuckets> {
  if (!(await tokensViewExists(db))) return { buckets: [], undatedMessages: 0 };
  const sql = prices ? await repricing(db, prices).then(({ cte, cost }) => bucketsSql(cte, cost)) : bucketsSql();
  const rows = await db.all(sql);
  const buckets = rows.map((r) => ({
    sessionFile: String(r.session_file),
    cwd: r.cwd === null ? null : String(r.cwd),
    model: r.model === null ? null : String(r.model),
    bucketMs: Number(r.bucket) * QUARTER_HOUR_MS,
    onBoundary: r.on_boundary === true,
    firstLine: Number(r.first_line),
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
    messages: Number(r.messages),
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    cacheCreationTokens: Number(r.cache_creation),
    cacheReadTokens: Number(r.cache_read),
    cost: Number(r.cost_nano) / 1e9,
    unpricedMessages: Number(r.unpriced),
    sidechainMessages: Number(r.sidechain),
    deleted: r.deleted === true,
    host: r.host === null || r.host === undefined ? null : String(r.host),
  }));
  const [undated] = await db.all(UNDATED_SQL);
  return { buckets, undatedMessages: Number(undated?.n ?? 0) };
}
