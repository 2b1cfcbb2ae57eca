import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeSession, userRecord, assistantRecord, countingPlugin } from '../../helpers.js';
import { Harness } from '../harness.js';

const session = (n: number) => [userRecord(`hello ${n}`), assistantRecord(`hi ${n}`)];

/** Hostile processors: each misbehaves only on sessions whose key contains "bad". */
const hostile: Record<string, { body: string; error: RegExp; timeoutMs?: number }> = {
  throws: { body: `throw new Error('thrown on purpose');`, error: /^thrown on purpose$/ },
  rejects: { body: `return Promise.reject(new Error('rejected on purpose'));`, error: /^rejected on purpose$/ },
  'never-settles': { body: `return new Promise(() => {});`, error: /^timeout after 300 ms$/, timeoutMs: 300 },
  'endless-loop': { body: `for (;;) {}`, error: /^timeout after 300 ms$/, timeoutMs: 300 },
  'process-exit': { body: `process.exit(3);`, error: /^plugin process exited with code 3$/ },
  'heap-grows': { body: `const a = []; for (;;) a.push(new Array(1e6).fill(1.5));`, error: /^out of memory \(limit 128 MB\)$/ },
  'split-bomb': { body: `const s = 'ab,'.repeat(60e6); return { items: [s.split(',').length] };`, error: /^out of memory \(limit 128 MB\)$/ },
  'writes-session': {
    body: `(await import('node:fs')).writeFileSync(session.path, 'clobbered'); throw new Error('wrote to session.path');`,
    error: /^wrote to session\.path$/,
  },
  'missing-import': { body: `await import('no-such-module-anywhere'); return {};`, error: /no-such-module-anywhere/ },
};

function hostilePlugin(name: string, body: string, timeoutMs?: number) {
  return `export default { name: ${JSON.stringify(name)}, ${timeoutMs ? `timeoutMs: ${timeoutMs},` : ''}
  async processSession(session, ctx) {
    if (session.sessionKey.includes('bad')) { ${body} }
    let n = 0; for await (const r of session.records()) n++;
    return { items: [{ n }] };
  } };`;
}

test('each hostile behaviour fails only its own (processor, session), with a clear reason; the rest go on', async () => {
  const h = new Harness(2);
  for (const [name, { body, timeoutMs }] of Object.entries(hostile)) h.plugin(name, hostilePlugin(name, body, timeoutMs));
  h.plugin('bystander', countingPlugin('bystander'));
  const engine = await h.open();
  await engine.close();
  // a smaller heap limit keeps the out-of-memory cases quick
  const { Engine } = await import('../../../main/core/engine.js');
  const small = await Engine.open({ state: h.db, sessions: h.root, plugins: [h.pluginsDir], builtins: false, pluginProcesses: 2, memoryLimitMb: 128 });
  try {
    writeSession(h.root, 'a/1-good.jsonl', session(1));
    const bad = writeSession(h.root, 'a/2-bad.jsonl', session(2));
    writeSession(h.root, 'a/3-good.jsonl', session(3));
    const stats = await small.run([]);
    const byName = Object.fromEntries(stats.map((s) => [s.processor, s]));
    let survived = 0;
    for (const [name, { error }] of Object.entries(hostile)) {
      const s = byName[name];
      assert.deepEqual([s.processed, s.errors], [2, 1], `${name}: ${JSON.stringify(s.errors_detail)}`);
      assert.equal(s.errors_detail[0].session, 'a/2-bad.jsonl', name);
      assert.match(s.errors_detail[0].error, error, name);
      survived++;
    }
    assert.equal(byName.bystander.processed, 3, 'an innocent processor sharing the sessions gets every result');
    const failures = await small.store.listFailures();
    assert.equal(failures.length, Object.keys(hostile).length);
    console.log(`hostile plugins: ${Object.keys(hostile).length} tried, ${survived} contained, 0 lost (bystander processed ${byName.bystander.processed}/3)`);
    assert.equal(readFileSync(bad, 'utf8'), 'clobbered', 'the write happened in the plugin process (plugins are not sandboxed from the file system)');
  } finally {
    await small.close();
  }
});

test('ctx.signal aborts at the timeout, so a cooperative plugin stops cleanly and its process is reused', async () => {
  const h = new Harness(1).plugin(
    'cooperative',
    `export default { name: 'cooperative', timeoutMs: 200, async processSession(session, ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      ctx.log.info('aborted: ' + ctx.signal.reason.message);
      throw ctx.signal.reason;
    } };`,
  );
  writeSession(h.root, 'a/1.jsonl', session(1));
  const stats = await h.run('cooperative');
  assert.deepEqual(stats.errors_detail, [{ session: 'a/1.jsonl', error: 'timeout after 200 ms' }]);
  assert.ok(
    h.logs.some((l) => l.includes('aborted: timeout after 200 ms')),
    h.logs.join('\n'),
  );
});

test('the host thread stays responsive while a plugin spins in an endless loop', async () => {
  const h = new Harness(1).plugin('spin', `export default { name: 'spin', timeoutMs: 1500, processSession() { for (;;) {} } };`);
  writeSession(h.root, 'a/1.jsonl', session(1));
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 50);
  const started = performance.now();
  const stats = await h.run('spin');
  clearInterval(timer);
  const elapsed = performance.now() - started;
  assert.equal(stats.errors, 1);
  const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
  const worst = Math.max(...gaps);
  console.log(`main-thread timer during a ${Math.round(elapsed)} ms hang: ${ticks.length} ticks, worst gap ${Math.round(worst)} ms`);
  assert.ok(ticks.length >= (elapsed / 50) * 0.5, `the timer kept firing (${ticks.length} ticks in ${Math.round(elapsed)} ms)`);
  assert.ok(worst < 500, `no long stall on the host thread (worst gap ${Math.round(worst)} ms)`);
});

test('plugin console output never reaches stdout; it becomes log lines', async () => {
  const h = new Harness(1).plugin('chatty', `export default { name: 'chatty', processSession() { console.log('hello from a plugin'); return {}; } };`);
  writeSession(h.root, 'a/1.jsonl', session(1));
  await h.run('chatty');
  // logged asynchronously from the process's stdout pipe
  for (let i = 0; i < 40 && !h.logs.some((l) => l.includes('hello from a plugin')); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(
    h.logs.some((l) => l === 'info: plugin output: hello from a plugin'),
    h.logs.join('\n'),
  );
});

test("a plugin that tampers with its process's answers fails its sessions with a reason naming the field; the run goes on", async () => {
  // Plugin code shares its process with our code: here it rewrites every session result on its way out.
  const h = new Harness(1).plugin(
    'forger',
    `const send = process.send.bind(process);
    const forge = (m) => m.type === 'batch' ? { ...m, messages: m.messages.map(forge) }
      : m.type === 'result' && m.result.outcomes
        ? { ...m, result: { ...m.result, outcomes: { forger: { ...m.result.outcomes.forger, itemsJson: [42] } } } }
        : m;
    process.send = (message, ...rest) => send(forge(message), ...rest);
    export default { name: 'forger', processSession() { return { items: [{ n: 1 }] }; } };`,
  );
  writeSession(h.root, 'a/1.jsonl', session(1));
  writeSession(h.root, 'a/2.jsonl', session(2));
  const stats = await h.run('forger');
  assert.deepEqual([stats.processed, stats.errors], [0, 2]);
  for (const { error } of stats.errors_detail) {
    const reason = 'result.outcomes.forger.itemsJson[0]: expected a string, got a number';
    assert.equal(error, `the plugin process answered a session request with a malformed result: ${reason}`);
  }
  assert.deepEqual(await h.rows('SELECT count(*)::INTEGER AS n FROM processor_items'), [{ n: 0 }], 'nothing of a malformed result is stored');
});
