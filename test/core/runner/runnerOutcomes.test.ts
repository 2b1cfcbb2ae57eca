// What a run reports and how it goes about it: stats, vanished files, odd results, batched writes, the plugin
// processes it starts, the due query, checkpoints and sessions split over processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { countingPlugin, writeSession, userRecord, tempDir } from '../../helpers.js';
import { Engine } from '../../../main/core/engine.js';
import { Harness, counts, stateTest } from '../harness.js';
import { SPLIT_MIN_BYTES } from '../../../main/core/runner/processorGroups.js';
import { md5, session } from './runnerHelpers.js';

stateTest('rule 10: stats add up, total malformed lines, and errors_detail names each failed session', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  writeSession(h.root, 'a/good.jsonl', '{"type":"user"}\n{broken\n{"type":"assistant"}\n{"type":"user"');
  writeSession(h.root, 'a/empty.jsonl', '');
  writeSession(h.root, 'a/blank.jsonl', '\n\n  \n');
  const stats = await h.run('count');
  assert.deepEqual(counts(stats), { scanned: 3, processed: 3, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 2 });
  assert.equal(stats.malformed_lines, 2);
  assert.equal(stats.scanned, stats.processed + stats.skipped + stats.capped + stats.errors + stats.quarantined + stats.vanished);
  assert.deepEqual(Object.keys(stats).sort(), [
    'bytes_read',
    'cancelled',
    'capped',
    'duration_ms',
    'elsewhere',
    'errors',
    'errors_detail',
    'items_extracted',
    'malformed_lines',
    'processed',
    'processor',
    'quarantined',
    'run_id',
    'scanned',
    'skipped',
    'vanished',
  ]);
});

stateTest('a file deleted between scan and processing is reported as vanished, not as a failure', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  writeSession(h.root, 'alice/b.jsonl', session(2));
  const engine = await h.open();
  const { sessions } = await engine.scan();
  rmSync(a);
  const [processor] = await engine.processors(['count']);
  const stats = await engine.runner.run(processor, sessions);
  assert.deepEqual(counts(stats), { scanned: 2, processed: 1, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 1, items_extracted: 2 });
  assert.deepEqual(await h.rows('SELECT * FROM session_processor_failures'), []);
});

stateTest('results: garbage counts as zero items with a warning; itemsCount overrides; non-JSON items fail the session', async (backend) => {
  const h = new Harness(2, backend)
    .plugin(
      'garbage',
      `export default { name: 'garbage', processSession(s) { return s.sessionKey.includes('1') ? null : s.sessionKey.includes('2') ? 42 : 'text'; } };`,
    )
    .plugin('counted', `export default { name: 'counted', processSession() { return { itemsCount: 7, items: [{ a: 1 }] }; } };`)
    .plugin(
      'bigint',
      `export default { name: 'bigint', processSession(s) { const cyc = {}; cyc.self = cyc; ` +
        `return { items: [{ ok: 1 }, s.sessionKey.includes('1') ? { n: 10n } : s.sessionKey.includes('2') ? cyc : () => 1] }; } };`,
    );
  for (const n of [1, 2, 3]) writeSession(h.root, `a/${n}.jsonl`, session(n));
  const garbage = await h.run('garbage');
  assert.deepEqual([garbage.processed, garbage.items_extracted, garbage.errors], [3, 0, 0]);
  assert.equal(h.logs.filter((l) => l.startsWith('warn: [garbage]')).length, 3);
  const counted = await h.run('counted');
  assert.equal(counted.items_extracted, 21);
  assert.deepEqual(await h.rows("SELECT DISTINCT items_extracted FROM session_processor_state WHERE processor_name = 'counted'"), [{ items_extracted: 7 }]);
  const bigint = await h.run('bigint');
  assert.equal(bigint.errors, 3);
  assert.deepEqual(
    bigint.errors_detail.sort((a, b) => (a.session < b.session ? -1 : 1)).map((e) => e.error),
    [
      'item 1 cannot be stored as JSON: contains a BigInt',
      'item 1 cannot be stored as JSON: Converting circular structure to JSON\n' +
        "    --> starting at object with constructor 'Object'\n    --- property 'self' closes the circle",
      'item 1 cannot be stored as JSON: it is a function',
    ],
  );
  assert.deepEqual(await h.rows("SELECT * FROM processor_items WHERE processor_name = 'bigint'"), []);
});

stateTest('a failing session never stops the others, across thousands of writes batched into few transactions', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'mixed',
    `export default { name: 'mixed', processSession(s) {
    const n = Number(s.sessionKey.split('/')[1].split('.')[0]);
    if (n % 7 === 0) throw new Error('seven');
    return { items: Array.from({ length: n % 5 }, (_, i) => ({ i })) }; } };`,
  );
  for (let n = 1; n <= 450; n++) writeSession(h.root, `u${n % 3}/${n}.jsonl`, '{"type":"user"}\n');
  const stats = await h.run('mixed');
  const failing = Math.floor(450 / 7);
  assert.deepEqual([stats.processed, stats.errors], [450 - failing, failing]);
  const [{ n }] = await h.rows('SELECT count(*) AS n FROM processor_items');
  let expected = 0;
  for (let i = 1; i <= 450; i++) if (i % 7 !== 0) expected += i % 5;
  assert.equal(n, expected);
  assert.equal(stats.items_extracted, expected);
});

stateTest(
  'plugin processes start early only when every session is due: a first run or a new version warms the pool, a rerun with nothing due starts none',
  async (backend) => {
    const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
    for (let i = 0; i < 3; i++) writeSession(h.root, `alice/s${i}.jsonl`, session(i));
    let engine = await h.open();
    assert.equal(await engine.store.hasNeverRun([{ name: 'count', version: '1' }]), true, 'a fresh store');
    assert.equal(counts(await h.run('count')).processed, 3);
    assert.equal(engine.pool.processesStarted, 2, 'both started at once (warmed), not one per task as it came');
    assert.equal(await engine.store.hasNeverRun([{ name: 'count', version: '1' }]), false);
    assert.equal(
      await engine.store.hasNeverRun([
        { name: 'count', version: '1' },
        { name: 'count', version: '2' },
      ]),
      true,
      'a new version has never run',
    );

    engine = await h.reopen(); // a new CLI process: plugins come from their cached descriptions
    assert.equal(counts(await h.run('count')).processed, 0);
    assert.equal(engine.pool.processesStarted, 0, 'nothing due: no plugin process, not even to describe the plugins');
    appendFileSync(join(h.root, 'alice/s1.jsonl'), `${JSON.stringify(userRecord('more'))}\n`);
    assert.equal(counts(await h.run('count')).processed, 1);
    assert.equal(engine.pool.processesStarted, 1, 'one session due: one process, started by its task');
  },
);

stateTest(
  'the due query brings back due sessions in scan order, and state rows only where the rule needs them (a result of this version, or a failure)',
  async (backend) => {
    const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
    for (let i = 0; i < 4; i++) writeSession(h.root, `alice/s${i}.jsonl`, session(i));
    const engine = await h.open();
    const { sessions } = await engine.scan();
    const keys = (due: { sessionKey: string }[]) => due.map((s) => s.sessionKey);
    let { due, snapshot } = await engine.store.dueSnapshot('count', '1', sessions);
    assert.deepEqual(keys(due), keys(sessions), 'never run: all of them, in scan order');
    assert.deepEqual([snapshot.states.size, snapshot.failures.size], [0, 0], 'and no rows to bring back');

    assert.equal(counts(await h.run('count')).processed, 4);
    ({ due, snapshot } = await engine.store.dueSnapshot('count', '1', sessions));
    assert.deepEqual([due.length, snapshot.states.size], [0, 0], 'nothing changed: nothing at all');
    ({ due, snapshot } = await engine.store.dueSnapshot('count', '2', sessions));
    assert.deepEqual([keys(due), snapshot.states.size], [keys(sessions), 0], 'a new version: all due, their old results are not needed');

    const touched = sessions[2];
    const later = new Date(Date.now() + 60_000);
    utimesSync(touched.path, later, later);
    const rescanned = (await engine.scan()).sessions;
    ({ due, snapshot } = await engine.store.dueSnapshot('count', '1', rescanned));
    assert.deepEqual(keys(due), [touched.sessionKey]);
    assert.equal(
      snapshot.states.get(touched.sessionKey)?.fileHash,
      createHash('md5').update(readFileSync(touched.path)).digest('hex'),
      'its stored hash, to hash first',
    );
  },
);

test('a DuckDB store checkpoints when a run ends (and only every 64 MB of log during one): the log is empty after each run', async () => {
  const h = new Harness(2).plugin(
    'bulk',
    `export default { name: 'bulk', processSession() {
    return { items: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(200) + i })) }; } };`,
  );
  for (let i = 0; i < 30; i++) writeSession(h.root, `alice/s${i}.jsonl`, session(i));
  const engine = await h.open();
  const state = (await engine.store.db.all("SELECT current_setting('checkpoint_threshold') AS t"))[0].t;
  assert.match(String(state), /^(61\.0 ?MiB|64\.0 ?MB|64MB)$/, 'fewer automatic checkpoints during a run');
  assert.equal(counts(await h.run('bulk')).processed, 30); // about 15 MB of items: the log holds them all until the end
  const wal = `${h.db}.wal`;
  assert.equal(existsSync(wal) ? statSync(wal).size : 0, 0, 'checkpointed when the run ended, store still open');
  const [{ n }] = await h.rows("SELECT count(*) AS n FROM processor_items WHERE processor_name = 'bulk'");
  assert.equal(n, 60_000);
});

test('a run on a new store file starts the plugin processes while the store opens; other commands, and runs on an existing store, do not', async () => {
  const dir = tempDir();
  const open = async (file: string, toRun: boolean) => {
    const engine = await Engine.open({ state: join(dir, file), sessions: dir, builtins: false, pluginProcesses: 2, home: join(dir, 'home'), toRun });
    const started = engine.pool.processesStarted;
    await engine.close();
    return started;
  };
  assert.equal(await open('status.duckdb', false), 0, 'not opened to run');
  assert.equal(await open('fresh.duckdb', true), 2, 'a new store: every session will be due');
  assert.equal(await open('fresh.duckdb', true), 0, 'the store exists now: the run decides once it knows what is due');
});

test("a session over one process's share of the run is split over processes, each reading it once; other sessions keep one shared pass", async () => {
  // Each processor reports the plugin process it ran in, and what it read.
  const pidProcessor = (name: string) => `export default { name: '${name}', async processSession(session) {
    let n = 0;
    for await (const _ of session.records()) n++;
    return { items: [{ pid: process.pid, records: n }] };
  } };`;
  const h = new Harness(2).plugin('a', pidProcessor('a')).plugin('b', pidProcessor('b'));
  // Just over the size a split starts at, in long lines (few records to parse), next to small sessions.
  const line = userRecord('x'.repeat(1024 * 1024));
  const big = Array.from({ length: Math.ceil(SPLIT_MIN_BYTES / (1024 * 1024)) + 1 }, () => line);
  writeSession(h.root, 'alice/big.jsonl', big);
  for (let i = 0; i < 4; i++) writeSession(h.root, `alice/small-${i}.jsonl`, session(i));
  // One session alone is all of its run's bytes, but under the split size it keeps one shared pass.
  writeSession(h.root, 'bob/alone.jsonl', session(9));
  const engine = await h.open();
  const stats = await engine.run(['a', 'b']);
  assert.deepEqual(
    stats.map((s) => [s.processor, s.processed, s.bytes_read > 0]),
    [
      ['a', 6, true],
      ['b', 6, true],
    ],
  );
  const items = await h.rows(
    "SELECT session_file, processor_name, item->>'pid' AS pid, (item->>'records')::INTEGER AS records FROM processor_items ORDER BY 1, 2",
  );
  const pids = (key: string) => items.filter((r) => r.session_file === key).map((r) => r.pid);
  const bigPids = pids('alice/big.jsonl');
  assert.notEqual(bigPids[0], bigPids[1], 'the big session ran in two processes at once');
  assert.deepEqual(
    items.filter((r) => r.session_file === 'alice/big.jsonl').map((r) => r.records),
    [big.length, big.length],
    'each read all of it',
  );
  for (let i = 0; i < 4; i++) {
    const [a, b] = pids(`alice/small-${i}.jsonl`);
    assert.equal(a, b, 'a small session: one process, one pass for both processors');
  }
  const state = await h.rows("SELECT processor_name, file_hash FROM session_processor_state WHERE session_file = 'alice/big.jsonl' ORDER BY 1");
  assert.deepEqual(
    state.map((r) => r.file_hash),
    [md5(join(h.root, 'alice/big.jsonl')), md5(join(h.root, 'alice/big.jsonl'))],
  );

  // A run over one small session (a rerun of one session from the app): one process, one pass.
  appendFileSync(join(h.root, 'bob/alone.jsonl'), `${JSON.stringify(userRecord('more'))}\n`);
  const [a, b] = await engine.run(['a', 'b']);
  assert.deepEqual([a.processed, b.processed], [1, 1]);
  const [pa, pb] = (await h.rows("SELECT item->>'pid' AS pid FROM processor_items WHERE session_file = 'bob/alone.jsonl' ORDER BY processor_name")).map(
    (r) => r.pid,
  );
  assert.equal(pa, pb);
});
