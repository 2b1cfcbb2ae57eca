// The runner's rules 1 to 9: which sessions a run reads, caps, retries, quarantines and stores.
import assert from 'node:assert/strict';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusyError, UsageError } from '../../../main/core/errors.js';
import { countingPlugin, writeSession, userRecord, sleep } from '../../helpers.js';
import { Harness, counts, stateTest } from '../harness.js';
import { md5, session, setMtime } from './runnerHelpers.js';

stateTest('first run processes every session: state row, items, hash of the content, read time before processing', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count', { before: "ctx.log.info('called at ' + Date.now());" }));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  writeSession(h.root, 'bob/b.jsonl', [...session(2), userRecord('more')]);
  const before = Date.now();
  const stats = await h.run('count');
  assert.deepEqual(counts(stats), { scanned: 2, processed: 2, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 5 });
  assert.equal(stats.bytes_read, statSync(a).size + statSync(join(h.root, 'bob/b.jsonl')).size);
  const rows = await h.rows(
    'SELECT session_file, username, items_extracted, file_hash, processor_version, epoch_ms(processed_at) AS at FROM session_processor_state ORDER BY 1',
  );
  assert.deepEqual(
    rows.map((r) => [r.session_file, r.username, r.items_extracted, r.processor_version]),
    [
      ['alice/a.jsonl', 'alice', 2, '1'],
      ['bob/b.jsonl', 'bob', 3, '1'],
    ],
  );
  assert.equal(rows[0].file_hash, md5(a));
  // processed_at is the read time: after the run started, not after the processor was called
  const calledAt = Number(/called at (\d+)/.exec(h.logs.find((l) => l.includes('alice/a.jsonl'))!)![1]);
  assert.ok(Number(rows[0].at) >= before - 1 && Number(rows[0].at) <= calledAt, `${rows[0].at} in [${before}, ${calledAt}]`);
  const items = await h.rows("SELECT item_index, item FROM processor_items WHERE session_file = 'alice/a.jsonl' ORDER BY 1");
  assert.deepEqual(items, [
    { item_index: 0, item: { type: 'user' } },
    { item_index: 1, item: { type: 'assistant' } },
  ]);
  const [run] = await h.rows('SELECT processor_name, trigger, finished_at IS NOT NULL AS finished, stats FROM processor_runs');
  assert.equal(run.processor_name, 'count');
  assert.equal(run.finished, true);
  assert.equal((run.stats as { processed: number }).processed, 2);
});

stateTest('rule 1: stable files are filtered without being read; a touched or changed file is a candidate', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  const b = writeSession(h.root, 'alice/b.jsonl', session(2));
  const old = Date.now() - 60_000;
  setMtime(a, old);
  setMtime(b, old);
  await h.run('count');
  const second = await h.run('count');
  assert.deepEqual(counts(second), { scanned: 0, processed: 0, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 0 });
  assert.equal(second.bytes_read, 0);
  appendFileSync(b, `${JSON.stringify(userRecord('appended'))}\n`);
  const third = await h.run('count');
  assert.deepEqual(counts(third), { scanned: 1, processed: 1, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 3 });
});

stateTest('rule 1: an mtime within 50 ms before processed_at is hashed; an older one is trusted unread', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  setMtime(a, Date.now() - 60_000);
  await h.run('count');
  const [{ at }] = await h.rows('SELECT epoch_ms(processed_at) AS at FROM session_processor_state');
  setMtime(a, Number(at) - 20);
  const near = await h.run('count');
  assert.deepEqual([near.scanned, near.skipped, near.processed], [1, 1, 0]);
  assert.ok(near.bytes_read > 0, 'hashed');
  setMtime(a, Number(at) - 80);
  const far = await h.run('count');
  assert.deepEqual([far.scanned, far.bytes_read], [0, 0]);
});

stateTest('rule 1: a changed processor version re-processes every session; rows of the original pipeline count as version "1"', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count', { version: '1' }));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  setMtime(a, Date.now() - 60_000);
  await h.run('count');
  await h.rows('UPDATE session_processor_state SET processor_version = NULL');
  assert.equal((await h.run('count')).scanned, 0, 'NULL (pre-version row) matches the default version');
  h.plugin('count', countingPlugin('count', { version: '2' }));
  await h.reopen();
  const bumped = await h.run('count');
  assert.deepEqual([bumped.scanned, bumped.processed], [1, 1]);
  assert.deepEqual(await h.rows('SELECT processor_version FROM session_processor_state'), [{ processor_version: '2' }]);
});

stateTest('rule 2: same hash and version after hashing is skipped, and skips never count against the cap', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const files = [1, 2, 3].map((n) => writeSession(h.root, `alice/${n}.jsonl`, session(n)));
  await h.run('count');
  const future = Date.now() + 5_000;
  for (const f of files) setMtime(f, future); // touched, content unchanged
  writeSession(h.root, 'alice/4.jsonl', session(4));
  const stats = await h.run('count', { maxSessionsPerRun: 1 });
  assert.deepEqual(counts(stats), { scanned: 4, processed: 1, skipped: 3, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 2 });
});

stateTest('rule 2: a skipped session stores its new read time, so a touched but unchanged file is hashed once, not on every run', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const files = [1, 2].map((n) => writeSession(h.root, `alice/${n}.jsonl`, session(n)));
  await h.run('count');
  const before = await (await h.open()).store.listState();
  await sleep(100);
  const touched = Date.now();
  setMtime(files[0], touched); // touched, content unchanged
  await sleep(100); // the next read is safely after the touch (rule 1's 50 ms window)
  const second = await h.run('count');
  assert.deepEqual([second.scanned, second.skipped, second.processed], [1, 1, 0]);
  assert.ok(second.bytes_read > 0, 'the touched file was hashed once');
  const after = await (await h.open()).store.listState();
  const at = (rows: typeof before, key: string) => Date.parse(String(rows.find((r) => r.session_file === key)!.processed_at));
  assert.ok(at(after, 'alice/1.jsonl') > touched, 'the read time moved past the touch');
  assert.equal(at(after, 'alice/2.jsonl'), at(before, 'alice/2.jsonl'), 'an untouched session keeps its row');
  assert.deepEqual(
    after.map((r) => [r.file_hash, r.items_extracted]),
    before.map((r) => [r.file_hash, r.items_extracted]),
  );
  const third = await h.run('count');
  assert.deepEqual([third.scanned, third.bytes_read], [0, 0], 'not hashed again');
});

stateTest('rule 3: maxSessionsPerRun caps processor calls (failures count); the rest are capped, unread, and next in line', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'picky',
    `export default { name: 'picky', processSession(s) { if (s.sessionKey.includes('bad')) throw new Error('nope'); return { items: [] }; } };`,
  );
  writeSession(h.root, 'a/1-bad.jsonl', session(1));
  for (const n of [2, 3, 4, 5]) writeSession(h.root, `a/${n}.jsonl`, session(n));
  const first = await h.run('picky', { maxSessionsPerRun: 2 });
  assert.deepEqual(counts(first), { scanned: 5, processed: 1, skipped: 0, capped: 3, errors: 1, quarantined: 0, vanished: 0, items_extracted: 0 });
  const readTwo = statSync(join(h.root, 'a/1-bad.jsonl')).size + statSync(join(h.root, 'a/2.jsonl')).size;
  assert.equal(first.bytes_read, readTwo, 'capped sessions are not hashed');
  const second = await h.run('picky', { maxSessionsPerRun: 2 });
  assert.deepEqual([second.processed, second.errors, second.capped], [2, 0, 2], 'never-failed sessions first, the failed one after');
  const third = await h.run('picky', { maxSessionsPerRun: 2 });
  assert.deepEqual([third.processed, third.errors, third.capped], [1, 1, 0]);
});

stateTest('rule 4: the time budget is checked before each candidate; the rest are capped, not errors', async (backend) => {
  const h = new Harness(1, backend).plugin(
    'slow',
    `export default { name: 'slow', async processSession() { await new Promise((r) => setTimeout(r, 200)); return { items: [] }; } };`,
  );
  for (const n of [1, 2, 3]) writeSession(h.root, `a/${n}.jsonl`, session(n));
  const none = await h.run('slow', { timeBudgetSeconds: 0 });
  assert.deepEqual([none.scanned, none.processed, none.capped, none.errors], [3, 0, 3, 0]);
  const one = await h.run('slow', { timeBudgetSeconds: 0.15 });
  assert.deepEqual([one.processed, one.capped, one.errors], [1, 2, 0]);
  const rest = await h.run('slow', { timeBudgetSeconds: 150 });
  assert.deepEqual([rest.processed, rest.capped], [2, 0]);
});

stateTest('rule 4 with two plugin processes: sessions already dispatched finish, the rest are capped', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'slow',
    `export default { name: 'slow', async processSession() { await new Promise((r) => setTimeout(r, 300)); return { items: [] }; } };`,
  );
  for (const n of [1, 2, 3, 4]) writeSession(h.root, `a/${n}.jsonl`, session(n));
  const stats = await h.run('slow', { timeBudgetSeconds: 0.15 });
  assert.deepEqual([stats.processed, stats.capped, stats.errors], [2, 2, 0]);
});

stateTest('rule 5: a throw, a rejection or a timeout leaves no state row; the failure row has attempts, error and hash', async (backend) => {
  const h = new Harness(2, backend)
    .plugin('thrower', `export default { name: 'thrower', processSession() { throw new Error('boom: bad record'); } };`)
    .plugin('rejecter', `export default { name: 'rejecter', async processSession() { await null; return Promise.reject(new TypeError('async boom')); } };`)
    .plugin(
      'sleeper',
      `export default { name: 'sleeper', timeoutMs: 100, processSession(s, ctx) { ` +
        `return new Promise((resolve) => ctx.signal.addEventListener('abort', () => setTimeout(resolve, 5000))); } };`,
    )
    .plugin('hangs', `export default { name: 'hangs', timeoutMs: 100, processSession() { return new Promise(() => {}); } };`);
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  for (const [name, error] of [
    ['thrower', 'boom: bad record'],
    ['rejecter', 'async boom'],
    ['sleeper', 'timeout after 100 ms'],
    ['hangs', 'timeout after 100 ms'],
  ]) {
    const stats = await h.run(name);
    assert.deepEqual([stats.processed, stats.errors], [0, 1], name);
    assert.deepEqual(stats.errors_detail, [{ session: 'alice/a.jsonl', error }], name);
    assert.deepEqual(await h.rows(`SELECT * FROM session_processor_state WHERE processor_name = '${name}'`), [], name);
    const [failure] = await h.rows(`SELECT attempts, last_error, file_hash, quarantined FROM session_processor_failures WHERE processor_name = '${name}'`);
    assert.deepEqual(failure, { attempts: 1, last_error: error, file_hash: md5(a), quarantined: false }, name);
  }
});

stateTest('rule 5: a failure after an earlier success keeps the earlier state and items', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'flaky',
    `export default { name: 'flaky', async processSession(s) {
    let n = 0; for await (const r of s.records()) { if (r.fail) throw new Error('cannot handle fail'); n++; }
    return { items: [{ n }] }; } };`,
  );
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  setMtime(a, Date.now() - 60_000);
  await h.run('flaky');
  appendFileSync(a, '{"fail":true}\n');
  const stats = await h.run('flaky');
  assert.equal(stats.errors, 1);
  assert.deepEqual(await h.rows('SELECT items_extracted FROM session_processor_state'), [{ items_extracted: 1 }]);
  assert.deepEqual(await h.rows('SELECT item FROM processor_items'), [{ item: { n: 2 } }]);
});

stateTest('rule 6: quarantined after 3 failures on the same content, unread until content, version or a rerun changes it', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'poison',
    `export default { name: 'poison', version: '1', async processSession(s) {
    for await (const r of s.records()) if (r.poison) throw new Error('poison record');
    return { items: [] }; } };`,
  );
  const p = writeSession(h.root, 'alice/p.jsonl', [{ poison: true }]);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const stats = await h.run('poison');
    assert.equal(stats.errors, 1, `attempt ${attempt}`);
    const [row] = await h.rows('SELECT attempts, quarantined FROM session_processor_failures');
    assert.deepEqual(row, { attempts: attempt, quarantined: attempt === 3 });
  }
  setMtime(p, Date.now() - 60_000);
  const quarantined = await h.run('poison');
  assert.deepEqual(counts(quarantined), { scanned: 1, processed: 0, skipped: 0, capped: 0, errors: 0, quarantined: 1, vanished: 0, items_extracted: 0 });
  assert.equal(quarantined.bytes_read, 0, 'quarantined and untouched: not read');
  // touched but unchanged content: hashed, still quarantined
  setMtime(p, Date.now() + 5_000);
  const touched = await h.run('poison');
  assert.deepEqual([touched.quarantined, touched.errors], [1, 0]);
  // changed content: attempted again, attempts start over
  appendFileSync(p, '{"more":1}\n');
  const changed = await h.run('poison');
  assert.equal(changed.errors, 1);
  assert.deepEqual(await h.rows('SELECT attempts, quarantined FROM session_processor_failures'), [{ attempts: 1, quarantined: false }]);
  // a configurable cap
  const capped = await h.run('poison', { maxAttempts: 2 });
  assert.equal(capped.errors, 1);
  assert.deepEqual(await h.rows('SELECT attempts, quarantined FROM session_processor_failures'), [{ attempts: 2, quarantined: true }]);
  // a new version is attempted again
  h.plugin('poison', `export default { name: 'poison', version: '2', processSession() { return { items: [{ fixed: true }] }; } };`);
  await h.reopen();
  const fixed = await h.run('poison');
  assert.deepEqual([fixed.processed, fixed.quarantined], [1, 0]);
  assert.deepEqual(await h.rows('SELECT * FROM session_processor_failures'), [], 'rule 7: success removes the failure row');
});

stateTest('rule 6: a rerun clears attempts and quarantine and runs just those sessions now', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'poison',
    `export default { name: 'poison', processSession(s) { if (s.sessionKey.startsWith('p')) throw new Error('poison'); return {}; } };`,
  );
  writeSession(h.root, 'p/1.jsonl', session(1));
  writeSession(h.root, 'p/2.jsonl', session(2));
  writeSession(h.root, 'ok/3.jsonl', session(3));
  for (let i = 0; i < 3; i++) await h.run('poison');
  assert.equal((await h.run('poison')).quarantined, 2);
  const engine = await h.open();
  const [stats] = await engine.rerunFailed({ processor: ['poison'], session: ['p/1.jsonl'] });
  assert.ok(stats, 'a rerun ran');
  assert.deepEqual([stats.scanned, stats.errors, stats.quarantined], [1, 1, 0]);
  assert.deepEqual(await h.rows('SELECT session_file, attempts, quarantined FROM session_processor_failures ORDER BY 1'), [
    { session_file: 'p/1.jsonl', attempts: 1, quarantined: false },
    { session_file: 'p/2.jsonl', attempts: 3, quarantined: true },
  ]);
  const audit = await h.rows('SELECT action, processor_name, session_file, before, after FROM state_audit');
  assert.equal(audit.length, 1);
  assert.deepEqual(
    [audit[0].action, audit[0].session_file, (audit[0].before as { attempts: number }).attempts, audit[0].after],
    ['rerun', 'p/1.jsonl', 3, null],
  );
  const [runRow] = await h.rows('SELECT trigger FROM processor_runs ORDER BY started_at DESC LIMIT 1');
  assert.equal(runRow.trigger, 'rerun');
});

stateTest('rule 7: success replaces the previous items of the session, it does not append to them', async (backend) => {
  const h = new Harness(2, backend).plugin('count', countingPlugin('count'));
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  writeSession(h.root, 'alice/b.jsonl', session(2));
  await h.run('count');
  writeFileSync(a, `${JSON.stringify(userRecord('only one'))}\n`);
  setMtime(a, Date.now() + 5_000);
  await h.run('count');
  assert.deepEqual(await h.rows('SELECT session_file, count(*) AS n FROM processor_items GROUP BY 1 ORDER BY 1'), [
    { session_file: 'alice/a.jsonl', n: 1 },
    { session_file: 'alice/b.jsonl', n: 2 },
  ]);
  assert.deepEqual(await h.rows("SELECT items_extracted FROM session_processor_state WHERE session_file = 'alice/a.jsonl'"), [{ items_extracted: 1 }]);
});

stateTest('rule 8: a second run of the same processor is refused at once; the lock is released after a throw', async (backend) => {
  const h = new Harness(2, backend)
    .plugin('slow', `export default { name: 'slow', async processSession() { await new Promise((r) => setTimeout(r, 300)); return {}; } };`)
    .plugin('other', countingPlugin('other'));
  writeSession(h.root, 'a/1.jsonl', session(1));
  const engine = await h.open();
  const first = engine.run(['slow']);
  // "in progress" starts when the run holds its lock (after loading plugins and scanning)
  while (!engine.runner.isRunning('slow')) await sleep(5);
  await assert.rejects(engine.run(['slow']), (e: Error) => e instanceof BusyError && /"slow" is already running/.test(e.message));
  const [other] = await engine.run(['other']); // other processors are not blocked
  assert.equal(other.processed, 1);
  const [done] = await first;
  assert.equal(done.processed, 1);
  assert.ok(!engine.runner.isRunning('slow'));
  await assert.rejects(engine.run(['slow'], { maxAttempts: 0 }), UsageError);
  assert.ok(!engine.runner.isRunning('slow'), 'released after a throw');
  assert.equal((await engine.run(['slow']))[0].scanned, 0);
});

stateTest('rule 9: content appended while the processor runs is processed by a later run', async (backend) => {
  const h = new Harness(2, backend).plugin(
    'live',
    `
import { appendFileSync } from 'node:fs';
export default { name: 'live', async processSession(s) {
  let n = 0;
  for await (const r of s.records()) n++;
  if (!s.sessionKey.includes('done')) appendFileSync(s.path, JSON.stringify({ type: 'user', appended: n }) + '\\n'); // Claude Code writing meanwhile
  return { items: [{ n }] };
} };`,
  );
  const a = writeSession(h.root, 'alice/a.jsonl', session(1));
  const before = md5(a);
  const first = await h.run('live');
  assert.equal(first.processed, 1);
  const [row] = await h.rows('SELECT file_hash FROM session_processor_state');
  assert.equal(row.file_hash, before, 'the stored hash is of the content that was processed');
  const second = await h.run('live');
  assert.deepEqual([second.scanned, second.processed], [1, 1]);
  assert.deepEqual(await h.rows('SELECT item FROM processor_items'), [{ item: { n: 3 } }]);
});
