// @ts-check
// tokens: one item per billed API message: when it started, its model, its four token counts and its
// list-price cost (the bundled, dated table in prices.json). Reports group these by each message's own
// time, in any time zone. A SQL processor: DuckDB reads only the fields below.
//
// One API response is written as one line per content block, each repeating `message.usage` (earlier lines
// of a streamed response may carry a smaller output_tokens). A message is (message.id, requestId), counted
// once with its line of the largest output_tokens (the first such line on a tie), and with the model, time,
// cwd and sidechain flag of its first line; a line with neither id counts on its own. Lines Claude Code
// writes itself (model `<synthetic>`) and assistant lines without a usage object are not API usage. A token
// count that is not a positive JSON number counts as 0. These are the rules of the SDK's ApiMessageCollector.
import { definePlugin } from 'session-inspector/plugin';
import { loadBundledPrices } from './pricing.js';

const prices = loadBundledPrices();

/** A number as an exact SQL decimal literal (rates are USD per million tokens, with a few decimals). */
const decimal = (/** @type {number} */ n) => `${n}::DECIMAL(18,6)`;
const quote = (/** @type {string} */ s) => `'${s.replaceAll("'", "''")}'`;

/** The price table as rows: pattern, whether it is a prefix, its position (the first of equal length wins), rates. */
const priceRows = prices.models
  .map((entry, position) => {
    const wildcard = entry.match.endsWith('*');
    const long = entry.long_prompt;
    const rates = (/** @type {import('session-inspector/plugin').Rates} */ r) =>
      [r.input, r.output, r.cache_write_5m, r.cache_write_1h, r.cache_read].map(decimal).join(', ');
    const longRates = long ? `${long.above_tokens}, ${rates(long)}` : 'NULL, NULL, NULL, NULL, NULL, NULL';
    return `(${quote(wildcard ? entry.match.slice(0, -1) : entry.match)}, ${wildcard}, ${position}, ${rates(entry)}, ${longRates})`;
  })
  .join(',\n    ');

/** A token count as the collector reads it: a positive JSON number, floored; anything else 0. */
const count = (/** @type {string} */ leaf) =>
  `CASE WHEN json_type(${leaf}) IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND CAST(${leaf} AS DOUBLE) > 0 ` +
  `THEN CAST(floor(CAST(${leaf} AS DOUBLE)) AS BIGINT) ELSE 0 END`;

/** A field that counts only when it is a JSON string (a number or object there is no id or model). */
const text = (/** @type {string} */ field) => `CASE WHEN json_type(${field}) = 'VARCHAR' THEN ${field} ->> '$' END`;

/** The usage object's counts, each still JSON (so a string or a negative number can be told apart). */
const USAGE_SHAPE = JSON.stringify({
  input_tokens: 'JSON',
  output_tokens: 'JSON',
  cache_creation_input_tokens: 'JSON',
  cache_read_input_tokens: 'JSON',
  cache_creation: { ephemeral_1h_input_tokens: 'JSON' },
});

const sql = `
WITH prices (pattern, prefix, position, input, output, write_5m, write_1h, read,
  long_above, long_input, long_output, long_write_5m, long_write_1h, long_read) AS (
  VALUES
    ${priceRows}
),
assistant_lines AS (
  -- usage must be an object (then so is message); a record that is not an object has no type
  SELECT session_file, line_no, message, requestId, timestamp, cwd, isSidechain, json_transform(message.usage, '${USAGE_SHAPE}') AS u
  FROM records
  WHERE type = 'assistant' AND json_type(message.usage) = 'OBJECT'
),
usage_lines AS (
  SELECT
    session_file,
    line_no,
    nullif(${text('message.model')}, '') AS model,
    -- NULL when the line has neither id: such a line is a message of its own.
    CASE WHEN coalesce(${text('message.id')}, '') <> '' OR coalesce(${text('requestId')}, '') <> ''
         THEN coalesce(${text('message.id')}, '') || ':' || coalesce(${text('requestId')}, '') END AS message_key,
    {'timestamp': iso_timestamp(timestamp), 'cwd': string_field(cwd), 'sidechain': json_true(isSidechain)} AS first,
    ${count('u.input_tokens')} AS input,
    ${count('u.output_tokens')} AS output,
    ${count('u.cache_creation_input_tokens')} AS cache_creation,
    ${count('u.cache_creation.ephemeral_1h_input_tokens')} AS cache_creation_1h,
    ${count('u.cache_read_input_tokens')} AS cache_read
  FROM assistant_lines
  WHERE ${text('message.model')} IS DISTINCT FROM '<synthetic>'
),
messages AS (
  SELECT
    session_file,
    arg_min_null(model, line_no) AS model, -- the first line's model, even when it names none
    arg_min(first, line_no) AS first,
    message_key,
    min(line_no) AS first_line,
    arg_max({'input': input, 'output': output, 'cache_creation': cache_creation,
             'cache_creation_1h': least(cache_creation, cache_creation_1h), 'cache_read': cache_read}, (output, -line_no)) AS t
  FROM usage_lines
  GROUP BY session_file, message_key, CASE WHEN message_key IS NULL THEN line_no END
),
models AS (
  -- The id as the table spells it: Bedrock and Vertex ids and Claude Code's context suffix name Anthropic models.
  SELECT model, regexp_replace(
      regexp_replace(CASE WHEN contains(id, 'anthropic.') THEN regexp_extract(id, '.*anthropic\\.(.*)$', 1) ELSE id END, '-v\\d+(:\\d+)?$', ''),
      '@', '-') AS id
  FROM (SELECT DISTINCT model, regexp_replace(lower(trim(model)), '\\[[^\\]]*\\]$', '') AS id FROM messages WHERE model IS NOT NULL)
),
priced AS (
  -- Exact ids and prefixes ending in *: the longest pattern wins.
  SELECT m.model, arg_max(p, (length(p.pattern), -p.position)) AS p
  FROM models AS m JOIN prices AS p ON (p.prefix AND starts_with(m.id, p.pattern)) OR (NOT p.prefix AND m.id = p.pattern)
  GROUP BY m.model
),
costed AS (
  SELECT
    m.session_file, m.model, m.message_key, m.first, m.first_line, m.t,
    CASE WHEN pr.p IS NULL THEN NULL
         WHEN pr.p.long_above IS NOT NULL AND m.t.input + m.t.cache_creation + m.t.cache_read > pr.p.long_above THEN
           m.t.input * pr.p.long_input + m.t.output * pr.p.long_output + (m.t.cache_creation - m.t.cache_creation_1h) * pr.p.long_write_5m
             + m.t.cache_creation_1h * pr.p.long_write_1h + m.t.cache_read * pr.p.long_read
         ELSE
           m.t.input * pr.p.input + m.t.output * pr.p.output + (m.t.cache_creation - m.t.cache_creation_1h) * pr.p.write_5m
             + m.t.cache_creation_1h * pr.p.write_1h + m.t.cache_read * pr.p.read
    END AS micro_usd
  FROM messages AS m LEFT JOIN priced AS pr ON pr.model = m.model
)
SELECT
  session_file,
  message_key,
  first.timestamp AS timestamp,
  model,
  t.input AS input_tokens,
  t.output AS output_tokens,
  t.cache_creation AS cache_creation_input_tokens,
  t.cache_creation_1h AS cache_creation_1h_input_tokens,
  t.cache_read AS cache_read_input_tokens,
  -- Exact decimals, then whole nano-dollars; an unpriced model (or none) has no cost, never 0.
  CAST(round(micro_usd, 3) * 1000 AS BIGINT) / 1e9 AS cost_usd,
  first.sidechain AS sidechain,
  first.cwd AS cwd,
  first_line AS line_no
FROM costed
ORDER BY session_file, first_line
`;

export default definePlugin({
  name: 'tokens',
  // Bump when prices.json changes, so stored costs are recomputed.
  version: `3+prices.${prices.as_of}`,
  view: {
    name: 'token_usage',
    columns: {
      // (message.id:requestId); NULL for a line with neither, which is a message of its own.
      message_key: 'VARCHAR',
      timestamp: 'TIMESTAMP', // UTC
      model: 'VARCHAR',
      input_tokens: 'BIGINT',
      output_tokens: 'BIGINT',
      cache_creation_input_tokens: 'BIGINT',
      cache_creation_1h_input_tokens: 'BIGINT',
      cache_read_input_tokens: 'BIGINT',
      cost_usd: 'DOUBLE',
      sidechain: 'BOOLEAN',
      cwd: 'VARCHAR',
      line_no: 'BIGINT',
    },
  },
  // Only lines carrying a usage object can count (an assistant line's `"usage":{…}` key is written
  // literally); the rest (tool results, prompts: two thirds of the bytes) are never parsed.
  linesContaining: ['"usage"'],
  columns: {
    type: 'VARCHAR',
    requestId: 'JSON',
    timestamp: 'JSON',
    cwd: 'JSON',
    isSidechain: 'JSON',
    // JSON, not typed fields: the rules above tell a string from a number, and an object from anything else.
    message: 'STRUCT(id JSON, model JSON, usage JSON)',
  },
  sql,
});
