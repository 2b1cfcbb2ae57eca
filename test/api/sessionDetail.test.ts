import assert from 'node:assert/strict';
import { tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { stateTest } from '../core/harness.js';
import { openService } from './harness.js';

stateTest("sessions/get: every processor's state, failure and first 200 items, each of its own session and in item order", async (backend) => {
  const plugins = tempDir('si-api-detail-plugins-');
  // `many` finds as many items as the session's first prompt says, numbered in order.
  writePlugin(
    plugins,
    'many',
    `export default { name: 'many', async processSession(s) {
    for await (const r of s.records()) { const n = Number(r.message.content); return { items: Array.from({ length: n }, (_, i) => ({ i })) }; }
    return { items: [] }; } };`,
  );
  writePlugin(plugins, 'none', `export default { name: 'none', processSession() { return { items: [] }; } };`);
  writePlugin(
    plugins,
    'picky',
    `export default { name: 'picky', processSession(s) { ` +
      `if (s.sessionKey.includes('big')) throw new Error('cannot read this one'); return { items: [{ ok: 1 }] }; } };`,
  );
  const api = await openService({ plugins: [plugins], backend });
  writeSession(api.root, 'alice/big.jsonl', [userRecord('250')]);
  writeSession(api.root, 'alice/small.jsonl', [userRecord('3')]);
  await api.call('sessions/refresh', {});
  await api.call('runs/start', {});
  for (const processor of ['many', 'none', 'picky']) await api.waitFor((e) => e.type === 'run-finished' && e.processor === processor);

  const big = await api.call('sessions/get', { sessionKey: 'alice/big.jsonl' });
  assert.deepEqual(
    big.processors.map((p) => [p.processor, p.status, p.itemsTotal, p.items.length]),
    [
      ['many', 'processed', 250, 200],
      ['none', 'processed', 0, 0],
      ['picky', 'failed', 0, 0],
    ],
  );
  const [many, none, picky] = big.processors;
  assert.deepEqual(
    many.items,
    Array.from({ length: 200 }, (_, i) => ({ i })),
  );
  assert.deepEqual([many.state?.itemsExtracted, many.state?.sessionKey, many.failure], [250, 'alice/big.jsonl', null]);
  assert.deepEqual([none.state?.itemsExtracted, none.failure], [0, null]);
  assert.deepEqual([picky.state, picky.failure?.attempts, picky.failure?.lastError], [null, 1, 'cannot read this one']);
  assert.deepEqual(
    big.session.statuses.map((s) => s.status),
    ['processed', 'processed', 'failed'],
  );

  const small = await api.call('sessions/get', { sessionKey: 'alice/small.jsonl' });
  assert.deepEqual(
    small.processors.map((p) => [p.processor, p.status, p.itemsTotal, p.items]),
    [
      ['many', 'processed', 3, [{ i: 0 }, { i: 1 }, { i: 2 }]],
      ['none', 'processed', 0, []],
      ['picky', 'processed', 1, [{ ok: 1 }]],
    ],
  );
});
