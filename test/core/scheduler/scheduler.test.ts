import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, renameSync } from 'node:fs';
import { Scheduler } from '../../../main/core/scheduler/scheduler.js';
import type { RunStats } from '../../../main/core/runner/stats.js';
import { MINUTE, SchedulerHarness, cadencePlugin, gatedPlugin, waitFor } from './support.js';
import { ManualClock } from './manualClock.js';
import type { JsonRow } from '../../../main/core/store/jsonRows.js';

const statsOf = (row: JsonRow) => row.stats as unknown as RunStats & { error?: string };

test('a processor that never ran is due at start; then it runs every cadenceMinutes, not before', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 10));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await scheduler.settled();
  let runs = await h.runs('count');
  assert.deepEqual(
    runs.map((r) => [r.trigger, statsOf(r).processed]),
    [['schedule', 2]],
  );

  h.clock.advance(10 * MINUTE - 1);
  await scheduler.settled();
  assert.equal((await h.runs('count')).length, 1, 'not due a millisecond early');

  h.clock.advance(1);
  await scheduler.settled();
  runs = await h.runs('count');
  assert.deepEqual(
    runs.map((r) => [r.trigger, statsOf(r).scanned]),
    [
      ['schedule', 2],
      ['schedule', 0],
    ],
  );
  const [status] = await scheduler.status();
  assert.equal(status.lastRunAt, new Date(h.clock.now()).toISOString());
  assert.equal(status.nextDueAt, new Date(h.clock.now() + 10 * MINUTE).toISOString());
  assert.deepEqual([status.cadenceMinutes, status.cadenceSource, status.running, status.lastError], [10, 'processor', false, null]);
});

test('last-run times persist across restarts: at start only a processor whose cadence elapsed since its last run is due', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 10));
  const first = await h.scheduler();
  await first.start();
  await first.settled();
  await first.stop();
  await h.reopen();
  const lastRun = Date.parse(String((await h.runs('count'))[0].started_at));

  const early = new ManualClock(lastRun + 9 * MINUTE);
  const second = await h.scheduler({ clock: early });
  await second.start();
  await second.settled();
  assert.equal((await h.runs('count')).length, 1, 'restarted 9 minutes after its last run: not due');
  assert.equal((await second.status())[0].nextDueAt, new Date(lastRun + 10 * MINUTE).toISOString());
  early.advance(MINUTE);
  await second.settled();
  assert.equal((await h.runs('count')).length, 2, 'due exactly one cadence after the persisted run');
  await second.stop();

  const late = new ManualClock(Date.parse(String((await h.runs('count'))[1].started_at)) + 11 * MINUTE);
  const third = await h.scheduler({ clock: late });
  await third.start();
  await third.settled();
  assert.equal((await h.runs('count')).length, 3, 'restarted after the cadence elapsed: due at start');
});

test('processors run independently and in parallel; one still running at its next tick is not started twice', async () => {
  const h = new SchedulerHarness();
  const gate = h.gate('slow');
  h.plugin('slow', gatedPlugin('slow', gate.path, 'alice/a.jsonl', 1)).plugin('fast', cadencePlugin('fast', 1));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await waitFor(gate.started, 'slow to start its gated session');
  await waitFor(() => h.finished('fast').length === 1, 'the first fast run');

  for (let tick = 2; tick <= 3; tick++) {
    h.clock.advance(MINUTE);
    await waitFor(() => h.finished('fast').length === tick, `fast run ${tick}`);
  }
  const slowStatus = (await scheduler.status()).find((s) => s.processor === 'slow')!;
  assert.deepEqual([slowStatus.running, slowStatus.trigger], [true, 'schedule']);
  assert.equal(slowStatus.progress?.total, 2);
  assert.deepEqual(
    (await h.runs('slow')).map((r) => r.finished_at),
    [null],
    'two ticks passed, still one run in flight',
  );

  gate.open();
  await waitFor(() => h.finished('slow').length >= 1, 'slow to finish');
  await scheduler.settled();
  h.clock.advance(0);
  await scheduler.settled();
  // It was overdue when it finished, so it ran again at once (once), then waits for its cadence.
  const slowRuns = await h.runs('slow');
  assert.equal(slowRuns.length, 2);
  assert.ok(slowRuns.every((r) => r.finished_at !== null));
  assert.deepEqual(
    slowRuns.map((r) => statsOf(r).processed),
    [2, 0],
  );
});

test('a run that fails as a whole is recorded with its error and still advances its last run: no hot loop', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 10));
  const hidden = `${h.root}-unmounted`;
  renameSync(h.root, hidden); // the session root is gone (an unmounted drive)
  const scheduler = await h.scheduler();
  await scheduler.start();
  await scheduler.settled();
  let runs = await h.runs('count');
  assert.equal(runs.length, 1);
  assert.notEqual(runs[0].finished_at, null);
  assert.match(String(statsOf(runs[0]).error), /session root .* does not exist/);
  const [failed] = await scheduler.status();
  assert.match(String(failed.lastError), /does not exist/);
  assert.equal(failed.nextDueAt, new Date(h.clock.now() + 10 * MINUTE).toISOString());
  assert.match(String((h.finished('count')[0] as { error: string }).error), /does not exist/);

  h.clock.advance(5 * MINUTE);
  await scheduler.settled();
  assert.equal((await h.runs('count')).length, 1, 'not retried before its cadence');

  renameSync(hidden, h.root);
  h.clock.advance(5 * MINUTE);
  await scheduler.settled();
  runs = await h.runs('count');
  assert.deepEqual(
    runs.map((r) => statsOf(r).processed ?? null),
    [null, 2],
  );
  assert.equal((await scheduler.status())[0].lastError, null);
});

test('a run the database rejects mid-way is finished in processor_runs with the error', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 10));
  const engine = await h.open();
  // A real write failure: items table that refuses every row.
  await engine.store.db.run('DROP TABLE processor_items');
  await engine.store.db.run(
    'CREATE TABLE processor_items ' +
      '(processor_name VARCHAR NOT NULL, session_file VARCHAR NOT NULL, item_index INTEGER NOT NULL CHECK (item_index < 0), item JSON)',
  );
  const scheduler = await h.scheduler();
  await scheduler.start();
  await scheduler.settled();
  const [run] = await h.runs('count');
  assert.notEqual(run.finished_at, null);
  assert.match(String(statsOf(run).error), /CHECK constraint/i);
  assert.equal(statsOf(run).run_id.length > 0, true);
  assert.match(String((await scheduler.status())[0].lastError), /CHECK constraint/i);
  assert.equal((await engine.store.listState()).length, 0, 'nothing half-written');
});

test("cancel stops one processor's run (its session in flight is aborted, nothing half-written); another processor's run goes on", async () => {
  const h = new SchedulerHarness();
  const [gateA, gateB] = [h.gate('a'), h.gate('b')];
  h.plugin('slow-a', gatedPlugin('slow-a', gateA.path)).plugin('slow-b', gatedPlugin('slow-b', gateB.path));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await waitFor(() => gateA.started() && gateB.started(), 'both gated sessions in flight');
  assert.equal(scheduler.cancel('slow-a'), true);
  await waitFor(() => h.finished('slow-a').length === 1, 'slow-a to stop');
  const cancelled = (h.finished('slow-a')[0] as { stats: RunStats }).stats;
  assert.equal(cancelled.cancelled, true);
  assert.equal(cancelled.processed + cancelled.capped, 2);
  assert.ok(cancelled.capped >= 1, 'the gated session is left for the next run');
  assert.equal(scheduler.cancel('slow-a'), false, 'nothing left to cancel');
  assert.equal((await scheduler.status()).find((s) => s.processor === 'slow-b')!.running, true);

  gateB.open();
  await scheduler.settled();
  const other = (h.finished('slow-b')[0] as { stats: RunStats }).stats;
  assert.deepEqual([other.cancelled, other.processed], [false, 2]);
  const state = await h.rows("SELECT session_file FROM session_processor_state WHERE processor_name = 'slow-a'");
  assert.ok(!state.some((r) => r.session_file === 'alice/a.jsonl'), 'the aborted session wrote no state');
  const mismatched = await h.rows(`SELECT s.processor_name, s.session_file FROM session_processor_state s
    WHERE s.items_extracted <> (SELECT count(*) FROM processor_items i WHERE i.processor_name = s.processor_name AND i.session_file = s.session_file)`);
  assert.deepEqual(mismatched, [], 'every state row has exactly its items');
});

test('stop() is clean: runs in flight are cancelled and awaited, every run row is finished, the database closes and reopens', async () => {
  const h = new SchedulerHarness();
  const gate = h.gate('slow');
  h.plugin('slow', gatedPlugin('slow', gate.path)).plugin('count', cadencePlugin('count'));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await waitFor(gate.started, 'the gated session in flight');
  await scheduler.stop();
  assert.equal((await scheduler.status()).find((s) => s.processor === 'slow')!.running, false);
  h.clock.advance(60 * MINUTE);
  await scheduler.settled();
  const engine = await h.reopen(); // closes the database and opens it again
  const rows = await engine.store.db.all('SELECT processor_name, finished_at, stats FROM processor_runs ORDER BY processor_name');
  assert.deepEqual(
    rows.map((r) => r.processor_name),
    ['count', 'slow'],
    'no run after stop',
  );
  assert.ok(rows.every((r) => r.finished_at !== null));
  assert.equal((rows[1].stats as unknown as RunStats).cancelled, true);
  await assert.rejects(scheduler.runNow('count'), /not running/);
});

test('progress events carry processor, done/total, current session, errors, elapsed and ETA; finished runs announce state changes', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count'));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await scheduler.settled();
  assert.deepEqual(h.events[0], { type: 'watch', mode: 'off', detail: 'watching is off: sessions are picked up at each cadence' });
  const types = h.events.slice(1).map((e) => e.type);
  assert.equal(types[0], 'run-started');
  assert.ok(types.indexOf('run-finished') > types.indexOf('run-progress'));
  const progress = h.events.filter((e) => e.type === 'run-progress');
  const last = progress[progress.length - 1];
  assert.deepEqual(
    { ...last, elapsedMs: typeof last.elapsedMs },
    { type: 'run-progress', processor: 'count', trigger: 'schedule', done: 2, total: 2, current: null, errors: 0, elapsedMs: 'number', etaMs: 0 },
  );
  assert.deepEqual(
    h.events.filter((e) => e.type === 'state-changed'),
    [{ type: 'state-changed', processors: ['count'], orphaned: [], restored: [] }],
  );
  assert.doesNotThrow(() => JSON.stringify(h.events), 'events are JSON-safe');
});

test('runNow runs at once whatever the cadence and is refused while running; the cadence counts from it', async () => {
  const h = new SchedulerHarness();
  const gate = h.gate('slow');
  h.plugin('slow', gatedPlugin('slow', gate.path));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await waitFor(gate.started, 'the scheduled run in flight');
  await assert.rejects(scheduler.runNow('slow'), /already running/);
  gate.open();
  await scheduler.settled();
  h.clock.advance(3 * MINUTE);
  const stats = await scheduler.runNow('slow');
  assert.equal(stats.scanned, 0);
  assert.deepEqual(
    (await h.runs('slow')).map((r) => r.trigger),
    ['schedule', 'app'],
  );
  assert.equal((await scheduler.status())[0].nextDueAt, new Date(h.clock.now() + 10 * MINUTE).toISOString());
  await assert.rejects(scheduler.runNow('nope'), /--processor nope: no such processor/);
});

test('a cadence override in the settings takes effect at once and survives a restart', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 10));
  const scheduler = await h.scheduler();
  await scheduler.start();
  await scheduler.settled();
  const changed = await scheduler.setCadence('count', 2);
  assert.deepEqual([changed.cadenceMinutes, changed.cadenceSource], [2, 'settings']);
  h.clock.advance(2 * MINUTE);
  await scheduler.settled();
  assert.equal((await h.runs('count')).length, 2);
  await scheduler.stop();
  const again = await h.scheduler();
  assert.deepEqual((await again.status())[0].cadenceMinutes, 2);
  const fromEnv = await h.scheduler({ env: { SESSION_INSPECTOR_CADENCE_COUNT: '0.5' } });
  assert.deepEqual([(await fromEnv.status())[0].cadenceMinutes, (await fromEnv.status())[0].cadenceSource], [0.5, 'env']);
  const broken = await h.scheduler({ env: { SESSION_INSPECTOR_CADENCE_COUNT: 'soon' } });
  await assert.rejects(broken.start(), /SESSION_INSPECTOR_CADENCE_COUNT=soon: must be a number of minutes/);
  assert.ok(scheduler instanceof Scheduler);
  rmSync(h.settingsFile);
});
