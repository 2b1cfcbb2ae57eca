import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userRecord, writeSession, countingPlugin } from '../helpers.js';
import { Harness } from '../core/harness.js';

test('a plugin returning 1 million items: stored whole, in one transaction with its state row', async () => {
  const h = new Harness(2)
    .plugin(
      'million',
      `export default { name: 'million', timeoutMs: 120000, processSession() { ` +
        `return { items: Array.from({ length: 1_000_000 }, (_, i) => ({ i, tag: 'x' + (i % 97) })) }; } };`,
    )
    .plugin('count', countingPlugin('count'));
  writeSession(h.root, 'a/one.jsonl', [userRecord('one')]);
  writeSession(h.root, 'a/two.jsonl', [userRecord('two')]);
  const started = performance.now();
  const stats = await (await h.open()).run([]);
  const million = stats.find((s) => s.processor === 'million')!;
  assert.deepEqual([million.processed, million.errors, million.items_extracted], [2, 0, 2_000_000]);
  assert.equal(stats.find((s) => s.processor === 'count')!.processed, 2);
  const [{ n, top }] = await h.rows("SELECT count(*) AS n, max(item_index) AS top FROM processor_items WHERE processor_name = 'million'");
  assert.deepEqual([n, top], [2_000_000, 999_999]);
  console.log(`huge results: 2 x 1,000,000 items stored in ${((performance.now() - started) / 1000).toFixed(1)} s, 0 lost`);
});
