// @ts-check
// tokens: one item per (session, model): API messages and token totals, each message counted once
// (see ApiMessageCollector), priced with the bundled, dated table in prices.json.
import { definePlugin, ApiMessageCollector } from 'session-inspector/plugin';
import { findPrice, loadBundledPrices, messageCost } from './pricing.js';

const prices = loadBundledPrices();

/**
 * @typedef {{
 *   model: string | null, messages: number, input_tokens: number, output_tokens: number,
 *   cache_creation_input_tokens: number, cache_read_input_tokens: number, cost_usd: number | null
 * }} TokenUsage
 */

/** Sums of many small float products pick up noise (0.30000000000000004); nano-dollars are plenty. */
const roundUsd = (/** @type {number} */ usd) => Math.round(usd * 1e9) / 1e9;

export default definePlugin({
  name: 'tokens',
  // Bump when prices.json changes, so stored costs are recomputed.
  version: `1+prices.${prices.as_of}`,
  view: {
    name: 'token_usage',
    columns: {
      model: 'VARCHAR',
      messages: 'BIGINT',
      input_tokens: 'BIGINT',
      output_tokens: 'BIGINT',
      cache_creation_input_tokens: 'BIGINT',
      cache_read_input_tokens: 'BIGINT',
      cost_usd: 'DOUBLE',
    },
  },
  // Only lines carrying a usage object can count (an assistant line's `"usage":{…}` key is written
  // literally); the rest (tool results, prompts: two thirds of the bytes) are never decoded or parsed.
  linesContaining: ['"usage"'],
  async processSession(session, ctx) {
    const collector = new ApiMessageCollector({ firstLine: false }); // models and tokens are all it needs
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      collector.observe(record);
    }
    /** @type {Map<string | null, { row: TokenUsage, price: import('./pricing.js').PriceEntry | undefined }>} */
    const byModel = new Map();
    for (const message of collector.messages()) {
      let group = byModel.get(message.model);
      if (!group) {
        const price = message.model === null ? undefined : findPrice(prices, message.model);
        if (!price) {
          // Never a silent 0: an unpriced model has no cost, and the run log says why.
          ctx.log.warn(
            message.model === null
              ? `tokens: ${session.sessionKey}: assistant lines without a model; cost_usd is null`
              : `tokens: ${session.sessionKey}: no price for model "${message.model}" in the table as of ${prices.as_of}; cost_usd is null`,
          );
        }
        const row = {
          model: message.model,
          messages: 0,
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cost_usd: price ? 0 : null,
        };
        group = { row, price };
        byModel.set(message.model, group);
      }
      const { row, price } = group;
      const t = message.tokens;
      row.messages++;
      row.input_tokens += t.input;
      row.output_tokens += t.output;
      row.cache_creation_input_tokens += t.cacheCreation;
      row.cache_read_input_tokens += t.cacheRead;
      if (price && row.cost_usd !== null) row.cost_usd += messageCost(price, t);
    }
    const items = [...byModel.values()].map(({ row }) => ({ ...row, cost_usd: row.cost_usd === null ? null : roundUsd(row.cost_usd) }));
    return { items };
  },
});
