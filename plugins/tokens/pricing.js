// @ts-check
// The bundled price table (prices.json): read once at load, validated so that a bad edit fails loudly at
// startup instead of pricing sessions wrongly. No network: costs are reproducible for a given table date.
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ input: number, output: number, cache_write_5m: number, cache_write_1h: number, cache_read: number }} Rates
 *   USD per million tokens.
 * @typedef {Rates & { match: string, long_prompt?: Rates & { above_tokens: number } }} PriceEntry
 * @typedef {{ as_of: string, models: PriceEntry[] }} PriceTable
 * @typedef {import('session-inspector/plugin').TokenCounts} TokenCounts
 */

const RATE_FIELDS = /** @type {const} */ (['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read']);

/**
 * @param {any} rates
 * @param {string} where
 */
function checkRates(rates, where) {
  for (const field of RATE_FIELDS) {
    const value = rates?.[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${where}: "${field}" must be a non-negative number`);
  }
}

/**
 * @param {unknown} value
 * @returns {PriceTable}
 */
export function parsePriceTable(value) {
  const table = /** @type {any} */ (value);
  if (typeof table?.as_of !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(table.as_of)) throw new Error('price table: "as_of" must be a YYYY-MM-DD date');
  if (!Array.isArray(table.models)) throw new Error('price table: "models" must be an array');
  table.models.forEach((/** @type {any} */ entry, /** @type {number} */ i) => {
    const where = `price table: models[${i}]`;
    if (typeof entry?.match !== 'string' || entry.match === '' || entry.match.indexOf('*') < entry.match.length - 1) {
      throw new Error(`${where}: "match" must be a model id, optionally ending in *`);
    }
    checkRates(entry, where);
    if (entry.long_prompt !== undefined) {
      checkRates(entry.long_prompt, `${where}.long_prompt`);
      if (!Number.isInteger(entry.long_prompt.above_tokens) || entry.long_prompt.above_tokens <= 0) {
        throw new Error(`${where}.long_prompt: "above_tokens" must be a positive integer`);
      }
    }
  });
  return table;
}

/** @returns {PriceTable} */
export function loadBundledPrices() {
  return parsePriceTable(JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')));
}

/**
 * The id as the table spells it: Bedrock (`us.anthropic.claude-…-v1:0`) and Vertex (`claude-…@20250514`)
 * ids and Claude Code's context suffix (`[1m]`) name the same models as the Anthropic API ids.
 * @param {string} model
 */
export function canonicalModelId(model) {
  let id = model.trim().toLowerCase().replace(/\[[^\]]*\]$/, '');
  const provider = id.lastIndexOf('anthropic.');
  if (provider !== -1) id = id.slice(provider + 'anthropic.'.length);
  return id.replace(/-v\d+(?::\d+)?$/, '').replace('@', '-');
}

/**
 * The entry pricing `model`: exact ids and prefixes ending in *, the longest pattern winning, so
 * `claude-opus-4-5*` beats `claude-opus-4*`. Undefined for a model the table does not cover.
 * @param {PriceTable} table
 * @param {string} model
 * @returns {PriceEntry | undefined}
 */
export function findPrice(table, model) {
  const id = canonicalModelId(model);
  /** @type {PriceEntry | undefined} */
  let best;
  for (const entry of table.models) {
    const wildcard = entry.match.endsWith('*');
    const pattern = wildcard ? entry.match.slice(0, -1) : entry.match;
    const hit = wildcard ? id.startsWith(pattern) : id === pattern;
    if (hit && (best === undefined || pattern.length > best.match.replace(/\*$/, '').length)) best = entry;
  }
  return best;
}

/**
 * USD for one API message. Cache writes with the 1-hour lifetime are billed at their own rate; a prompt
 * above the entry's long_prompt threshold is billed at the long-prompt rates for every token, output included.
 * @param {PriceEntry} entry
 * @param {TokenCounts} tokens
 */
export function messageCost(entry, tokens) {
  const prompt = tokens.input + tokens.cacheCreation + tokens.cacheRead;
  /** @type {Rates} */
  const rates = entry.long_prompt && prompt > entry.long_prompt.above_tokens ? entry.long_prompt : entry;
  const microDollars =
    tokens.input * rates.input +
    tokens.output * rates.output +
    (tokens.cacheCreation - tokens.cacheCreation1h) * rates.cache_write_5m +
    tokens.cacheCreation1h * rates.cache_write_1h +
    tokens.cacheRead * rates.cache_read;
  return microDollars / 1e6;
}
