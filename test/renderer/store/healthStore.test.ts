// The health badge's store: `health/get` read on demand, after the events that change health, and on a
// timer; the newest answer wins; a failed read keeps the last report; each problem's fix opens its view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthProblemView, HealthReport, ProcessorHealthView } from '../../../main/api/contract.js';
import { healthFixes, healthLabel, pollHealth } from '../../../renderer/src/store/healthSlice.js';
import { ApiRefusal, deferred, emptySessionPage, makeStore, settle } from '../fakeTransport.js';
import { REFRESH_HANDLERS, bindTestEvents, runStats } from './storeHarness.js';

function processor(name: string, problems: Partial<ProcessorHealthView> = {}): ProcessorHealthView {
  const overdue = problems.overdue ?? false;
  const failing = problems.failing ?? false;
  const stuck = problems.stuck ?? false;
  const quarantined = problems.quarantined ?? 0;
  return {
    processor: name,
    cadence_minutes: 10,
    last_run_started_at: '2025-09-01T10:00:00.000Z',
    last_run_finished_at: '2025-09-01T10:00:05.000Z',
    last_run_seconds: 5,
    next_due_at: '2025-09-01T10:10:00.000Z',
    overdue,
    failing,
    stuck,
    quarantined,
    oldest_quarantined_at: null,
    healthy: !overdue && !failing && !stuck && quarantined === 0,
  };
}

const OVERDUE: HealthProblemView = {
  kind: 'overdue',
  processor: 'count',
  message: 'count: last run started 2,880 min ago, its cadence is 10 min: is `watch` (or the app, or cron) still running?',
};
const QUARANTINED: HealthProblemView = {
  kind: 'quarantined',
  processor: 'tools',
  message: 'tools: 2 session(s) quarantined since 2025-09-01T10:00:00.000Z: fix the cause, then `session-inspector rerun --failed --processor tools`',
};
const SICK: HealthReport = { processors: [processor('count', { overdue: true }), processor('tools', { quarantined: 2 })], problems: [OVERDUE, QUARANTINED] };
const WELL: HealthReport = { processors: [processor('count'), processor('tools')], problems: [] };

test('health: the badge reads "healthy" or counts the problems', () => {
  assert.equal(healthLabel(WELL), 'healthy');
  assert.equal(healthLabel({ ...SICK, problems: [OVERDUE] }), '1 problem');
  assert.equal(healthLabel(SICK), '2 problems');
  assert.equal(healthLabel({ processors: [], problems: Array.from({ length: 1200 }, () => OVERDUE) }), '1,200 problems');
});

test('health: each kind of problem links to the view that fixes it; a stopped runner to none', () => {
  const kinds = (p: HealthProblemView) => healthFixes(p).map((f) => [f.kind, 'processor' in f ? f.processor : null]);
  assert.deepEqual(kinds(OVERDUE), [
    ['runs', 'count'],
    ['scheduler', null],
  ]);
  assert.deepEqual(kinds({ kind: 'stuck', processor: 'count', message: '' }), [['runs', 'count']]);
  assert.deepEqual(kinds({ kind: 'failing', processor: 'count', message: '' }), [
    ['failed-sessions', 'count'],
    ['runs', 'count'],
  ]);
  assert.deepEqual(kinds(QUARANTINED), [['failed-sessions', 'tools']]);
  assert.deepEqual(kinds({ kind: 'runner-stopped', processor: null, message: 'runner r1 stopped renewing its leases' }), []);
  assert.deepEqual(
    healthFixes(OVERDUE).map((f) => f.label),
    ['Runs of count', 'Scheduler settings'],
  );
});

test('health: loadHealth shows the report; a failed read keeps the last one beside its error; the newest answer wins', async () => {
  let answer: () => HealthReport | Promise<HealthReport> = () => SICK;
  const { store, transport } = makeStore({ 'health/get': () => answer() });
  assert.equal(store.getState().health.report, null);
  await store.getState().loadHealth();
  assert.deepEqual(store.getState().health, { report: SICK, error: null });
  assert.deepEqual(transport.callsOf('health/get'), [{}]);

  answer = () => {
    throw new ApiRefusal('unavailable', 'the state store is being switched');
  };
  await store.getState().loadHealth();
  assert.deepEqual(store.getState().health, { report: SICK, error: 'the state store is being switched' });

  // The timer's read is slow; a run finishes and the read it causes answers first.
  const slow = deferred<HealthReport>();
  answer = () => slow.promise;
  const older = store.getState().loadHealth();
  answer = () => WELL;
  await store.getState().loadHealth();
  assert.deepEqual(store.getState().health, { report: WELL, error: null });
  slow.resolve(SICK);
  await older;
  assert.deepEqual(store.getState().health.report, WELL, 'the older answer is dropped');
});

test('health: read again after a run finishes, a state change and a plugin change (coalesced), not on session scans', async () => {
  const { store, transport } = makeStore({
    ...REFRESH_HANDLERS,
    'health/get': () => WELL,
    'runs/timeline': () => [],
  });
  const events = bindTestEvents(store, transport);
  const stats = runStats({ processor: 'count', duration_ms: 10, bytes_read: 10 });

  transport.emit({ type: 'sessions-changed' });
  await events.flush();
  assert.equal(transport.callsOf('health/get').length, 0, 'a scan alone changes no health');

  transport.emit({ type: 'run-finished', processor: 'count', stats });
  transport.emit({ type: 'state-changed', processors: ['count'] });
  assert.equal(transport.callsOf('health/get').length, 0, 'coalesced: nothing yet');
  await events.flush();
  assert.equal(transport.callsOf('health/get').length, 1, 'two events, one read');
  assert.deepEqual(store.getState().health.report, WELL);

  transport.emit({ type: 'state-changed', processors: ['count'] });
  await events.flush();
  assert.equal(transport.callsOf('health/get').length, 2);
  transport.emit({ type: 'plugins-changed', plugins: [] });
  await events.flush();
  assert.equal(transport.callsOf('health/get').length, 3);
  events.dispose();
});

test('health: the timer reads the report on its own until stopped (overdue comes with time alone)', async () => {
  const { store, transport } = makeStore({ 'health/get': () => SICK });
  const stop = pollHealth(store, 15);
  const deadline = Date.now() + 5_000;
  while (transport.callsOf('health/get').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  stop();
  await settle();
  const reads = transport.callsOf('health/get').length;
  assert.ok(reads >= 3, `read ${reads} times`);
  assert.deepEqual(store.getState().health.report, SICK);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(transport.callsOf('health/get').length, reads, 'no reads once stopped');
});

test('health: a fix opens its view, filtered to the processor', async () => {
  const { store, transport } = makeStore({
    'sessions/list': emptySessionPage,
    'runs/history': () => [],
    'runs/timeline': () => [],
  });
  const s = () => store.getState();
  s().setSessionFilter({ text: 'alice', group: 'alice', status: ['pending'] });
  const [failed, runs] = healthFixes({ kind: 'failing', processor: 'count', message: '' });
  const [, scheduler] = healthFixes(OVERDUE);

  s().followHealthFix(failed);
  await settle();
  assert.equal(s().view, 'sessions');
  assert.deepEqual(
    transport.callsOf('sessions/list').at(-1),
    { processor: 'count', status: ['failed', 'quarantined'], sort: { by: 'started', dir: 'desc' }, offset: 0, limit: 200 },
    'text and group filters cleared',
  );

  s().followHealthFix(runs);
  await settle();
  assert.equal(s().view, 'runs');
  assert.equal(s().runs.historyProcessor, 'count');
  assert.deepEqual(transport.callsOf('runs/history').at(-1), { limit: 200, processor: 'count' });
  s().setRunHistoryProcessor('');
  await settle();
  assert.deepEqual(transport.callsOf('runs/history').at(-1), { limit: 200 }, 'back to every processor');

  s().followHealthFix(scheduler);
  assert.equal(s().view, 'settings');
});
