// @ts-check
// The bundled price table (prices.json): read once at load and checked by the SDK's rules, so a bad edit
// fails loudly at startup instead of pricing sessions wrongly. Matching and pricing are the SDK's too
// (`session-inspector report --prices` reprices with the same rules).
import { readFileSync } from 'node:fs';
import { parsePriceTable } from 'session-inspector/plugin';

export { parsePriceTable, canonicalModelId, findPrice, messageCost } from 'session-inspector/plugin';

/** @returns {import('session-inspector/plugin').PriceTable} */
export function loadBundledPrices() {
  return parsePriceTable(JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')));
}
