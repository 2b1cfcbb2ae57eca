import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStats } from '../../../main/core/runner/stats.js';
import type { Scheduler } from '../../../main/core/scheduler/scheduler.js';
import { assistantRecord, sleep, userRecord, writeSession } from '../../helpers.js';
import { SchedulerHarness, cadencePlugin, gatedPlugin, waitFor } from './support.js';

const DEBOUNCE_MS = 2_000;

/** Waits (real time) until the watcher has reported changes and they have gone quiet, then lets the debounce run out. */
async function settleChanges(h: SchedulerHarness, scheduler: Scheduler): Promise<void> {
  await waitFor(() => scheduler.changesWaiting, 'the watcher to report the change');
  await sleep(300); // late events of the same burst land inside the debounce, not after it
  h.clock.advance(DEBOUNCE_MS);
  await scheduler.settled();
}

const watchRuns = (h: SchedulerHarness, processor: string) =>
  h.finished(processor).filter((e) => e.type === 'run-finished' && e.trigger === 'watch') as { stats: RunStats }[];

test('a burst of appends to a live session costs one run per processor, after the debounce, without waiting for the cadence', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 60)).plugin('other', cadencePlugin('other', 60));
  const scheduler = await h.scheduler({ watch: 'native', debounceMs: DEBOUNCE_MS });
  await scheduler.start();
  await scheduler.settled();
  assert.equal(scheduler.watchMode, 'native');
  const file = join(h.root, 'alice', 'a.jsonl');
  for (let i = 0; i < 100; i++) {
    appendFileSync(file, `${JSON.stringify(assistantRecord(`chunk ${i}`))}\n`);
    if (i % 10 === 0) await sleep(5); // Claude Code writes line by line while a turn streams
  }
  await waitFor(() => scheduler.changesWaiting, 'the watcher to report the appends');
  assert.equal((await h.runs('count')).length, 1, 'nothing runs before the debounce');
  await settleChanges(h, scheduler);
  for (const processor of ['count', 'other']) {
    const runs = watchRuns(h, processor);
    assert.equal(runs.length, 1, `${processor}: one run for the whole burst`);
    assert.deepEqual([runs[0].stats.processed, runs[0].stats.items_extracted], [1, 102]);
  }
  assert.equal((await h.runs('count')).length, 2);
});

test('a new session file triggers a run', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 60));
  const scheduler = await h.scheduler({ watch: 'native', debounceMs: DEBOUNCE_MS });
  await scheduler.start();
  await scheduler.settled();
  writeSession(h.root, 'carol/new-project/c.jsonl', [userRecord('hello')]);
  await settleChanges(h, scheduler);
  const [run] = watchRuns(h, 'count');
  assert.equal(run.stats.processed, 1);
  assert.deepEqual(
    (await h.rows("SELECT session_file FROM session_processor_state WHERE session_file LIKE 'carol/%'")).map((r) => r.session_file),
    ['carol/new-project/c.jsonl'],
  );
});

test('a deleted session keeps its state and items, marked orphaned (no run); it is restored when its file comes back', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 60));
  const scheduler = await h.scheduler({ watch: 'native', debounceMs: DEBOUNCE_MS });
  await scheduler.start();
  await scheduler.settled();
  rmSync(join(h.root, 'bob', 'b.jsonl'));
  await settleChanges(h, scheduler);
  assert.deepEqual(watchRuns(h, 'count'), [], 'a deletion alone runs nothing');
  const orphaned = await h.rows('SELECT session_file FROM orphaned_sessions');
  assert.deepEqual(
    orphaned.map((r) => r.session_file),
    ['bob/b.jsonl'],
  );
  const kept = await h.rows(
    "SELECT (SELECT count(*) FROM session_processor_state WHERE session_file = 'bob/b.jsonl') AS state, " +
      "(SELECT count(*) FROM processor_items WHERE session_file = 'bob/b.jsonl') AS items",
  );
  assert.deepEqual(kept, [{ state: 1, items: 1 }]);
  assert.deepEqual(h.events.filter((e) => e.type === 'state-changed').pop(), {
    type: 'state-changed',
    processors: [],
    orphaned: ['bob/b.jsonl'],
    restored: [],
  });

  writeSession(h.root, 'bob/b.jsonl', [userRecord('three'), userRecord('four')]);
  await settleChanges(h, scheduler);
  assert.deepEqual(await h.rows('SELECT session_file FROM orphaned_sessions'), []);
  assert.ok(h.events.some((e) => e.type === 'state-changed' && e.restored.includes('bob/b.jsonl')));
  assert.equal(watchRuns(h, 'count')[0].stats.processed, 1, 'the restored file is processed as it is now');
});

test('changes while a processor is running make it run again when it finishes, after the debounce', async () => {
  const h = new SchedulerHarness();
  const gate = h.gate('slow');
  h.plugin('slow', gatedPlugin('slow', gate.path, 'alice/a.jsonl', 60));
  const scheduler = await h.scheduler({ watch: 'native', debounceMs: DEBOUNCE_MS });
  await scheduler.start();
  await waitFor(gate.started, 'the first run in flight');
  writeSession(h.root, 'carol/c.jsonl', [userRecord('late')]);
  await waitFor(() => scheduler.changesWaiting, 'the watcher to report the new file');
  await sleep(300);
  h.clock.advance(DEBOUNCE_MS);
  assert.equal((await scheduler.status())[0].changesPending, true, 'still pending: it is running');
  gate.open();
  await waitFor(() => h.finished('slow').length === 1, 'the first run to finish');
  assert.equal(scheduler.changesWaiting, true, 'its rerun waits for the debounce');
  h.clock.advance(DEBOUNCE_MS);
  await scheduler.settled();
  const runs = watchRuns(h, 'slow');
  assert.equal(runs.length, 1);
  assert.equal(runs[0].stats.processed, 1, 'the new session');
});

test('polling fallback: without native watching, a scan every interval notices appends, and says so', async () => {
  const h = new SchedulerHarness().plugin('count', cadencePlugin('count', 60));
  const scheduler = await h.scheduler({ watch: 'poll', pollIntervalMs: 30_000, debounceMs: DEBOUNCE_MS });
  await scheduler.start();
  await scheduler.settled();
  assert.equal(scheduler.watchMode, 'polling');
  const modeEvent = h.events.find((e) => e.type === 'watch');
  assert.match(String(modeEvent && 'detail' in modeEvent && modeEvent.detail), /polling was asked for: scanning .* every 30 s instead/);
  appendFileSync(join(h.root, 'alice', 'a.jsonl'), `${JSON.stringify(userRecord('more'))}\n`);
  await sleep(50);
  h.clock.advance(29_000);
  await sleep(100);
  assert.equal(scheduler.changesWaiting, false, 'not noticed before the interval');
  h.clock.advance(1_000);
  await settleChanges(h, scheduler);
  assert.equal(watchRuns(h, 'count')[0].stats.processed, 1);
});
