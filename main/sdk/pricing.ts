// Price tables for API usage: USD per million tokens by model, as the built-in `tokens` processor prices
// messages and `session-inspector report --prices FILE` reprices them. No network: a cost is reproducible
// for a given table.
import type { TokenCounts } from './apiMessages.js';

/** USD per million tokens. */
export interface Rates {
  input: number;
  output: number;
  cache_write_5m: number;
  cache_write_1h: number;
  cache_read: number;
}

/** `match`: a model id, or a prefix ending in `*`; `long_prompt`: rates for a request whose prompt is above `above_tokens`. */
export interface PriceEntry extends Rates {
  match: string;
  long_prompt?: Rates & { above_tokens: number };
}

export interface PriceTable {
  as_of: string;
  models: PriceEntry[];
}

const RATE_FIELDS = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] as const;

function checkRates(rates: unknown, where: string): void {
  for (const field of RATE_FIELDS) {
    const value = (rates as Record<string, unknown> | undefined)?.[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${where}: "${field}" must be a non-negative number`);
  }
}

/** A table in this project's shape (`{ as_of, models: [...] }`), checked so a bad edit fails loudly. */
export function parsePriceTable(value: unknown): PriceTable {
  const table = value as { as_of?: unknown; models?: unknown } | null;
  if (typeof table?.as_of !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(table.as_of)) throw new Error('price table: "as_of" must be a YYYY-MM-DD date');
  if (!Array.isArray(table.models)) throw new Error('price table: "models" must be an array');
  table.models.forEach((entry: Record<string, unknown> | null, i: number) => {
    const where = `price table: models[${i}]`;
    const match = entry?.match;
    // A `*` only at the end (a prefix); an exact id has none.
    const star = typeof match === 'string' ? match.indexOf('*') : -1;
    if (typeof match !== 'string' || match === '' || match === '*' || (star !== -1 && star !== match.length - 1)) {
      throw new Error(`${where}: "match" must be a model id, optionally ending in *`);
    }
    checkRates(entry, where);
    const long = entry?.long_prompt as Record<string, unknown> | undefined;
    if (long !== undefined) {
      checkRates(long, `${where}.long_prompt`);
      if (!Number.isInteger(long.above_tokens) || (long.above_tokens as number) <= 0) {
        throw new Error(`${where}.long_prompt: "above_tokens" must be a positive integer`);
      }
    }
  });
  return table as PriceTable;
}

/** Long-context rates in LiteLLM's table apply above this many prompt tokens. */
const LITELLM_LONG_ABOVE = 200_000;

/**
 * A table in LiteLLM's shape (`model_prices_and_context_window.json`: per model, USD per token in
 * `input_cost_per_token`, `output_cost_per_token`, `cache_creation_input_token_cost`,
 * `cache_creation_input_token_cost_above_1hr`, `cache_read_input_token_cost` and their
 * `_above_200k_tokens` variants). Anthropic's ids only (bare or `anthropic/`): provider ids in transcripts
 * are reduced to those before matching. Missing cache rates follow Anthropic's multipliers of the input
 * rate (5-minute writes 1.25x, 1-hour writes 2x, reads 0.1x).
 */
export function priceTableFromLiteLLM(value: unknown, asOf: string): PriceTable {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error("price table: expected an object of models (LiteLLM's shape) or { as_of, models }");
  }
  const perMillion = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n * 1e6 : undefined);
  const models: PriceEntry[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    const id = key.startsWith('anthropic/') ? key.slice('anthropic/'.length) : key;
    if (id.includes('/') || seen.has(id) || raw === null || typeof raw !== 'object') continue;
    const rates = (suffix: string): Rates | undefined => {
      const input = perMillion(raw[`input_cost_per_token${suffix}`]);
      const output = perMillion(raw[`output_cost_per_token${suffix}`]);
      if (input === undefined || output === undefined) return undefined;
      return {
        input,
        output,
        cache_write_5m: perMillion(raw[`cache_creation_input_token_cost${suffix}`]) ?? input * 1.25,
        cache_write_1h: perMillion(raw[`cache_creation_input_token_cost_above_1hr${suffix}`]) ?? input * 2,
        cache_read: perMillion(raw[`cache_read_input_token_cost${suffix}`]) ?? input * 0.1,
      };
    };
    const base = rates('');
    if (!base) continue;
    const long = rates('_above_200k_tokens');
    seen.add(id);
    models.push({ match: id, ...base, ...(long ? { long_prompt: { ...long, above_tokens: LITELLM_LONG_ABOVE } } : {}) });
  }
  if (models.length === 0) throw new Error('price table: no model with input_cost_per_token and output_cost_per_token');
  return parsePriceTable({ as_of: asOf, models });
}

/** Either shape: this project's `{ as_of, models }`, or LiteLLM's (dated `asOf`, e.g. the file's date). */
export function readPriceTable(value: unknown, asOf: string): PriceTable {
  const table = value as { models?: unknown } | null;
  return Array.isArray(table?.models) ? parsePriceTable(value) : priceTableFromLiteLLM(value, asOf);
}

/**
 * The id as the table spells it: Bedrock (`us.anthropic.claude-…-v1:0`) and Vertex (`claude-…@20250514`)
 * ids and Claude Code's context suffix (`[1m]`) name the same models as the Anthropic API ids.
 */
export function canonicalModelId(model: string): string {
  let id = model
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '');
  const provider = id.lastIndexOf('anthropic.');
  if (provider !== -1) id = id.slice(provider + 'anthropic.'.length);
  return id.replace(/-v\d+(?::\d+)?$/, '').replace('@', '-');
}

/**
 * The entry pricing `model`: exact ids and prefixes ending in *, the longest pattern winning (the first of
 * equal length), so `claude-opus-4-5*` beats `claude-opus-4*`. Undefined for a model the table does not cover.
 */
export function findPrice(table: PriceTable, model: string): PriceEntry | undefined {
  const id = canonicalModelId(model);
  let best: PriceEntry | undefined;
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
 */
export function messageCost(entry: PriceEntry, tokens: TokenCounts): number {
  const prompt = tokens.input + tokens.cacheCreation + tokens.cacheRead;
  const rates: Rates = entry.long_prompt && prompt > entry.long_prompt.above_tokens ? entry.long_prompt : entry;
  const microDollars =
    tokens.input * rates.input +
    tokens.output * rates.output +
    (tokens.cacheCreation - tokens.cacheCreation1h) * rates.cache_write_5m +
    tokens.cacheCreation1h * rates.cache_write_1h +
    tokens.cacheRead * rates.cache_read;
  return microDollars / 1e6;
}
