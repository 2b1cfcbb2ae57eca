import assert from 'node:assert/strict';
import { appendFileSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ITEM_MESSAGE_ITEMS } from '../../../main/core/pluginProcesses/protocol.js';
import { writeSession, userRecord, assistantRecord, sleep } from '../../helpers.js';
import { Harness, stateTest } from '../harness.js';

const session = (n: number) => [userRecord(`hello ${n}`), assistantRecord(`hi ${n}`)];
/** More items than one 'items' message holds, so they really travel in several while the task runs. */
const MANY = ITEM_MESSAGE_ITEMS * 2 + 123;

/** Rows staged and not yet moved or discarded (the staging table is dropped whenever nothing is staged). */
async function stagedRows(h: Harness): Promise<number> {
  try {
    const [row] = await h.rows('SELECT count(*) AS n FROM staged_items');
    return Number(row.n);
  } catch (error) {
    assert.match(String(error), /staged_items/);
    return 0;
  }
}

/** A session's items as [item_index, item] in index order. */
async function itemsOf(h: Harness, processor: string) {
  const rows = await h.rows(
    `SELECT session_file, item_index, item FROM processor_items WHERE processor_name = '${processor}' ORDER BY session_file, item_index`,
  );
  return rows.map((r) => [r.session_file, r.item_index, r.item]);
}

stateTest('emitted items are stored in order before the returned ones, numbered from 0; the count includes both', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'emitter',
    `export default { name: 'emitter', async processSession(s, ctx) {
    let line = 0;
    for await (const r of s.records()) { line++; for (let i = 0; i < ${MANY}; i++) ctx.emit({ line, i }); }
    return { items: ['tail', { last: true }] };
  } };`,
  );
  writeSession(h.root, 'a/one.jsonl', [userRecord('x')]);
  writeSession(h.root, 'a/two.jsonl', session(2));
  const stats = await h.run('emitter');
  assert.deepEqual([stats.processed, stats.errors, stats.items_extracted], [2, 0, 3 * MANY + 4]);
  const expected = (key: string, lines: number) => [
    ...Array.from({ length: lines * MANY }, (_, n) => [key, n, { line: Math.floor(n / MANY) + 1, i: n % MANY }]),
    [key, lines * MANY, 'tail'],
    [key, lines * MANY + 1, { last: true }],
  ];
  // The same list on both backends: each variant compares with it exactly.
  assert.deepEqual(await itemsOf(h, 'emitter'), [...expected('a/one.jsonl', 1), ...expected('a/two.jsonl', 2)]);
  assert.deepEqual(await h.rows('SELECT session_file, items_extracted FROM session_processor_state ORDER BY 1'), [
    { session_file: 'a/one.jsonl', items_extracted: MANY + 2 },
    { session_file: 'a/two.jsonl', items_extracted: 2 * MANY + 2 },
  ]);
  assert.equal(await stagedRows(h), 0, 'committed items leave nothing staged');
});

stateTest('a processor that emits items and then throws or times out keeps its previous items; the failure counts an attempt', async (backend) => {
  const h = new Harness(2, backend)
    .plugin(
      'thrower',
      `export default { name: 'thrower', async processSession(s, ctx) {
      let fail = false; for await (const r of s.records()) if (r.fail) fail = true;
      for (let i = 0; i < ${MANY}; i++) ctx.emit({ fail, i });
      if (fail) throw new Error('failed after emitting');
      return { items: [{ kept: true }] };
    } };`,
    )
    .plugin(
      'sleeper',
      `export default { name: 'sleeper', timeoutMs: 2000, async processSession(s, ctx) {
      let fail = false; for await (const r of s.records()) if (r.fail) fail = true;
      for (let i = 0; i < ${MANY}; i++) ctx.emit({ fail, i });
      if (fail) await new Promise(() => {});
      return {};
    } };`,
    );
  const a = writeSession(h.root, 'a/a.jsonl', session(1));
  utimesSync(a, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const engine = await h.open();
  await engine.run(['thrower', 'sleeper']);
  const before = { thrower: await itemsOf(h, 'thrower'), sleeper: await itemsOf(h, 'sleeper') };
  assert.equal(before.thrower.length, MANY + 1);
  assert.equal(before.sleeper.length, MANY);
  appendFileSync(a, '{"fail":true}\n');
  for (const round of [1, 2]) {
    const stats = await engine.run(['thrower', 'sleeper']);
    assert.deepEqual(
      stats.map((s) => [s.processor, s.processed, s.errors]),
      [
        ['sleeper', 0, 1],
        ['thrower', 0, 1],
      ],
    );
    assert.deepEqual(
      stats.map((s) => s.errors_detail[0].error),
      ['timeout after 2000 ms', 'failed after emitting'],
    );
    assert.deepEqual(
      { thrower: await itemsOf(h, 'thrower'), sleeper: await itemsOf(h, 'sleeper') },
      before,
      'the earlier items stay, none of the failed attempt land',
    );
    const failures = await h.rows('SELECT processor_name, attempts FROM session_processor_failures ORDER BY 1');
    assert.deepEqual(failures, [
      { processor_name: 'sleeper', attempts: round },
      { processor_name: 'thrower', attempts: round },
    ]);
    assert.equal(await stagedRows(h), 0, 'the failed attempts left nothing staged');
  }
});

stateTest(
  'an item that cannot be stored as JSON fails only its (processor, session), naming its index, even if the processor catches the throw',
  async (backend) => {
    const h = new Harness(2, backend)
      .plugin(
        'bad',
        `export default { name: 'bad', async processSession(s, ctx) {
      for await (const r of s.records()) {}
      if (s.sessionKey.includes('good')) { for (let i = 0; i < ${MANY}; i++) ctx.emit({ i }); return {}; }
      for (let i = 0; i < ${MANY}; i++) ctx.emit({ i });
      try { ctx.emit({ n: 1n }); } catch {}
      ctx.emit({ after: true });
      return { items: [{ returned: true }] };
    } };`,
      )
      .plugin('fine', `export default { name: 'fine', async processSession(s, ctx) { ctx.emit({ ok: s.sessionKey }); } };`);
    writeSession(h.root, 'a/bad.jsonl', session(1));
    writeSession(h.root, 'a/good.jsonl', session(2));
    const engine = await h.open();
    const stats = await engine.run(['bad', 'fine']);
    assert.deepEqual(
      stats.map((s) => [s.processor, s.processed, s.errors]),
      [
        ['bad', 1, 1],
        ['fine', 2, 0],
      ],
    );
    assert.deepEqual(stats[0].errors_detail, [{ session: 'a/bad.jsonl', error: `item ${MANY} cannot be stored as JSON: contains a BigInt` }]);
    const bad = await h.rows("SELECT session_file, count(*) AS n FROM processor_items WHERE processor_name = 'bad' GROUP BY 1");
    assert.deepEqual(
      bad.map((r) => [r.session_file, Number(r.n)]),
      [['a/good.jsonl', MANY]],
    );
    assert.deepEqual(await itemsOf(h, 'fine'), [
      ['a/bad.jsonl', 0, { ok: 'a/bad.jsonl' }],
      ['a/good.jsonl', 0, { ok: 'a/good.jsonl' }],
    ]);
    assert.equal(await stagedRows(h), 0);
  },
);

stateTest('a cancelled run discards the items its sessions in flight had emitted', async (backend) => {
  const h = new Harness(1, backend);
  const marker = join(h.dir, 'emitted');
  h.plugin(
    'patient',
    `import { writeFileSync } from 'node:fs';
    export default { name: 'patient', async processSession(s, ctx) {
      for await (const r of s.records()) {}
      for (let i = 0; i < ${MANY}; i++) ctx.emit({ i });
      writeFileSync(${JSON.stringify(marker)}, 'emitted'); // the test cancels once the items are on their way
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { items: [{ finished: true }] };
    } };`,
  );
  writeSession(h.root, 'a/a.jsonl', session(1));
  const controller = new AbortController();
  const running = h.run('patient', { signal: controller.signal });
  while (!existsSync(marker)) await sleep(20);
  controller.abort();
  const stats = await running;
  assert.deepEqual([stats.processed, stats.capped, stats.errors, stats.cancelled], [0, 1, 0, true]);
  assert.deepEqual(await itemsOf(h, 'patient'), []);
  assert.deepEqual(await h.rows('SELECT * FROM session_processor_state'), []);
  assert.equal(await stagedRows(h), 0);
});

test('a processor emitting far more than its plugin process could hold succeeds: items are sent and stored as they come', async () => {
  // 48 MB of heap; about 90 MB of items as JSON (several times that as objects): held until the end, they
  // could not fit; streamed, at most a few messages of them exist at once.
  const h = new Harness(1, 'duckdb', 48).plugin(
    'flood',
    `export default { name: 'flood', async processSession(s, ctx) {
    const pad = 'x'.repeat(200);
    let n = 0;
    for await (const r of s.records()) for (let i = 0; i < 1000; i++) ctx.emit({ n: n++, pad });
    return {};
  } };`,
  );
  writeSession(
    h.root,
    'a/big.jsonl',
    Array.from({ length: 400 }, (_, i) => userRecord(`line ${i}`)),
  );
  const stats = await h.run('flood');
  assert.deepEqual([stats.processed, stats.errors, stats.items_extracted], [1, 0, 400_000], JSON.stringify(stats.errors_detail));
  const [row] = await h.rows(
    'SELECT count(*) AS n, min(item_index) AS lo, max(item_index) AS hi, count(DISTINCT item_index) AS d, ' +
      "count(*) FILTER (WHERE CAST(json_extract(item, '$.n') AS BIGINT) = item_index) AS matching FROM processor_items",
  );
  assert.deepEqual(Object.values(row).map(Number), [400_000, 0, 399_999, 400_000, 400_000], 'every item once, at its own index');
});
