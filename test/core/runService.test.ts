import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { BusyError } from '../../main/core/errors.js';
import { PROGRESS_INTERVAL_MS, type RunEvent, type RunProgressEvent } from '../../main/core/runEvents.js';
import type { RunStats } from '../../main/core/runner/stats.js';
import { countingPlugin, userRecord, writeSession } from '../helpers.js';
import { Harness } from './harness.js';
import { gatedPlugin, waitFor } from './scheduler/support.js';
import { Gate } from './scheduler/support.js';
import { join } from 'node:path';

function seed(h: Harness, count: number): void {
  for (let i = 0; i < count; i++) writeSession(h.root, `u/${String(i).padStart(3, '0')}.jsonl`, [userRecord(`q${i}`)]);
}

test('a processor never runs twice at once, whoever starts it: from the start call on, a second start reports it and the CLI is refused', async () => {
  const h = new Harness();
  const gate = new Gate(join(h.dir, 'gate'));
  h.plugin('slow', gatedPlugin('slow', gate.path, 'u/000.jsonl'));
  seed(h, 2);
  const engine = await h.open();
  const [slow] = await engine.processors(['slow']);
  const first = engine.runs.start({ processors: [slow], trigger: 'app' });
  // No await in between: the scan has not even started, and the processor already counts as running.
  const second = engine.runs.start({ processors: [slow], trigger: 'schedule' });
  assert.deepEqual([first.started, first.alreadyRunning, second.started, second.alreadyRunning], [['slow'], [], [], ['slow']]);
  assert.equal(engine.runs.isRunning('slow'), true);
  await assert.rejects(engine.run(['slow']), (error: unknown) => error instanceof BusyError && /processor "slow" is already running/.test(error.message));
  await waitFor(gate.started, 'the gated session in flight');
  assert.deepEqual(
    engine.runs.list().map((r) => [r.processor, r.trigger]),
    [['slow', 'app']],
  );
  assert.deepEqual(engine.runs.cancel(), ['slow']);
  const [stats] = await first.done;
  assert.deepEqual([stats.cancelled, stats.errors], [true, 0]);
  assert.equal(engine.runs.isRunning('slow'), false);
  assert.deepEqual(await second.done, []);
});

test('cancelling every processor stops the shared run: sessions in flight are aborted, the rest capped, nothing half-written', async () => {
  const h = new Harness();
  const [gateA, gateB] = [new Gate(join(h.dir, 'gate-a')), new Gate(join(h.dir, 'gate-b'))];
  h.plugin('slow-a', gatedPlugin('slow-a', gateA.path, 'u/000.jsonl')).plugin('slow-b', gatedPlugin('slow-b', gateB.path, 'u/000.jsonl'));
  seed(h, 12);
  const engine = await h.open();
  const events: RunEvent[] = [];
  const run = engine.runs.start({ processors: await engine.processors([]), trigger: 'app', onEvent: (e) => events.push(e) });
  await waitFor(() => gateA.started() && gateB.started(), 'both processors on the shared session');
  assert.deepEqual(engine.runs.cancel().sort(), ['slow-a', 'slow-b']);
  const stats = await run.done;
  for (const s of stats) {
    assert.equal(s.cancelled, true, s.processor);
    assert.ok(s.capped >= 1, `${s.processor}: the gated session is left for the next run`);
    assert.equal(s.processed + s.capped, 12, s.processor);
  }
  const finished = events.filter((e) => e.type === 'run-finished');
  assert.deepEqual(finished.map((e) => e.processor).sort(), ['slow-a', 'slow-b']);
  const state = await h.rows("SELECT processor_name FROM session_processor_state WHERE session_file = 'u/000.jsonl'");
  assert.deepEqual(state, [], 'the aborted session wrote no state');
  const unfinished = await h.rows('SELECT processor_name FROM processor_runs WHERE finished_at IS NULL');
  assert.deepEqual(unfinished, []);
});

test('progress reaches a face at most once per PROGRESS_INTERVAL_MS per processor, plus the last (done = total), with an ETA', async () => {
  const h = new Harness().plugin('pace', countingPlugin('pace', { before: 'await new Promise((r) => setTimeout(r, 15));' }));
  seed(h, 60);
  const engine = await h.open();
  const progress: (RunProgressEvent & { atMs: number })[] = [];
  const started = performance.now();
  const run = engine.runs.start({
    processors: await engine.processors(['pace']),
    trigger: 'app',
    onEvent: (e) => e.type === 'run-progress' && progress.push({ ...e, atMs: performance.now() }),
  });
  const [stats] = await run.done;
  const elapsed = performance.now() - started;
  assert.equal(stats.processed, 60);
  const last = progress[progress.length - 1];
  assert.deepEqual([last.done, last.total, last.etaMs, last.trigger], [60, 60, 0, 'app']);
  // The runner reports each session at least twice (dispatched, done): 120+ reports, thinned to the interval.
  assert.ok(progress.length <= Math.ceil(elapsed / PROGRESS_INTERVAL_MS) + 2, `${progress.length} events in ${Math.round(elapsed)} ms`);
  const throttled = progress.filter((e) => e.done !== e.total);
  for (let i = 1; i < throttled.length; i++)
    assert.ok(throttled[i].atMs - throttled[i - 1].atMs >= PROGRESS_INTERVAL_MS - 1, 'events at least the interval apart');
  assert.ok(
    progress.some((e) => e.etaMs !== null && e.etaMs > 0),
    'an ETA while the run goes on',
  );
});

test('a run whose scan fails records a failed processor_runs row per processor, whichever face starts it (here the CLI)', async () => {
  const h = new Harness().plugin('one', countingPlugin('one')).plugin('two', countingPlugin('two'));
  seed(h, 1);
  const engine = await h.open();
  renameSync(h.root, `${h.root}-gone`);
  await assert.rejects(engine.run([]), /session root .* does not exist/);
  const rows = await h.rows('SELECT processor_name, trigger, finished_at, stats FROM processor_runs ORDER BY processor_name');
  assert.deepEqual(
    rows.map((r) => [r.processor_name, r.trigger, r.finished_at !== null]),
    [
      ['one', 'cli', true],
      ['two', 'cli', true],
    ],
  );
  for (const row of rows) assert.match(String((row.stats as unknown as { error: string }).error), /does not exist/);
});

test('failed-only runs rerun exactly the failed sessions of the processors that have some; the others finish at once with empty stats', async () => {
  const h = new Harness()
    .plugin('picky', countingPlugin('picky', { before: "if (session.sessionKey === 'u/001.jsonl') throw new Error('not this one');" }))
    .plugin('count', countingPlugin('count'));
  seed(h, 3);
  const engine = await h.open();
  assert.deepEqual(
    (await engine.run([])).map((s) => [s.processor, s.processed, s.errors]),
    [
      ['count', 3, 0],
      ['picky', 2, 1],
    ],
  );
  const events: RunEvent[] = [];
  const rerun = engine.runs.start({ processors: await engine.processors([]), trigger: 'app-rerun', failedOnly: true, onEvent: (e) => events.push(e) });
  assert.deepEqual(rerun.started.sort(), ['count', 'picky']);
  const stats = await rerun.done;
  assert.deepEqual(
    stats.map((s) => [s.processor, s.scanned, s.errors]),
    [['picky', 1, 1]],
  );
  const finished = events.filter((e): e is Extract<RunEvent, { type: 'run-finished' }> => e.type === 'run-finished');
  const count = finished.find((e) => e.processor === 'count')!;
  assert.deepEqual([count.error, (count.stats as RunStats).scanned, (count.stats as RunStats).run_id], [null, 0, '']);
  const [failure] = await h.rows("SELECT attempts FROM session_processor_failures WHERE processor_name = 'picky'");
  assert.equal(Number(failure.attempts), 1, 'attempts were cleared before the rerun, which failed once more');
  const triggers = await h.rows("SELECT trigger FROM processor_runs WHERE processor_name = 'picky' ORDER BY started_at");
  assert.deepEqual(
    triggers.map((r) => r.trigger),
    ['cli', 'app-rerun'],
  );
});

test('a quick processor of a shared run finishes, its items stored, and may run again while a slow one still holds a session they share', async () => {
  const h = new Harness();
  const gate = new Gate(join(h.dir, 'gate'));
  h.plugin('slow', gatedPlugin('slow', gate.path, 'u/000.jsonl'));
  h.plugin(
    'quick',
    `export default { name: 'quick', async processSession(session, ctx) {
    for await (const record of session.records()) ctx.emit({ type: record.type });
    return { items: [{ last: true }] };
  } };`,
  );
  seed(h, 3);
  const engine = await h.open();
  const events: RunEvent[] = [];
  const run = engine.runs.start({ processors: await engine.processors([]), trigger: 'app', onEvent: (e) => events.push(e) });
  await waitFor(() => events.some((e) => e.type === 'run-finished' && e.processor === 'quick'), 'quick to finish', 30_000);
  assert.equal(engine.pool.sessionTasks, 3, 'one read per session for both');
  assert.equal(engine.runs.isRunning('slow'), true);
  assert.equal(gate.started(), true);
  const quick = events.find((e): e is Extract<RunEvent, { type: 'run-finished' }> => e.type === 'run-finished' && e.processor === 'quick')!;
  assert.deepEqual([quick.stats?.processed, quick.stats?.items_extracted, quick.error], [3, 6, null]);
  const items = await h.rows(
    "SELECT item_index, item FROM processor_items WHERE processor_name = 'quick' AND session_file = 'u/000.jsonl' ORDER BY item_index",
  );
  assert.deepEqual(
    items.map((r) => [Number(r.item_index), r.item]),
    [
      [0, { type: 'user' }],
      [1, { last: true }],
    ],
  );
  const [row] = await h.rows("SELECT finished_at FROM processor_runs WHERE processor_name = 'quick'");
  assert.notEqual(row.finished_at, null, 'its run row is finished while the shared run goes on');

  const again = engine.runs.start({ processors: await engine.processors(['quick']), trigger: 'schedule' });
  assert.deepEqual(again.started, ['quick']);
  assert.equal((await again.done)[0].scanned, 0);

  gate.open();
  const stats = await run.done;
  assert.deepEqual(
    stats.map((s) => [s.processor, s.processed]),
    [
      ['quick', 3],
      ['slow', 3],
    ],
  );
});
