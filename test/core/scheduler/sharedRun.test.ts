import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStats } from '../../../main/core/runner/stats.js';
import type { JsonRow } from '../../../main/core/store/jsonRows.js';
import { sleep, userRecord } from '../../helpers.js';
import { MINUTE, SchedulerHarness, cadencePlugin, waitFor } from './support.js';

const statsOf = (row: JsonRow) => row.stats as unknown as RunStats;

/** Processors `one` and `two` on one cadence, the scheduler started and its first runs settled. */
async function twoProcessors(cadenceMinutes: number, options?: Parameters<SchedulerHarness['scheduler']>[0]) {
  const h = new SchedulerHarness().plugin('one', cadencePlugin('one', cadenceMinutes)).plugin('two', cadencePlugin('two', cadenceMinutes));
  const scheduler = await h.scheduler(options);
  const engine = await h.open();
  await scheduler.start();
  await scheduler.settled();
  return { h, scheduler, engine };
}

/** Both processors' runs, as [trigger, sessions processed], are `expected`. */
async function assertRunsOfBoth(h: SchedulerHarness, expected: [string, number][]): Promise<void> {
  for (const name of ['one', 'two']) {
    const runs = await h.runs(name);
    assert.deepEqual(
      runs.map((r) => [r.trigger, statsOf(r).processed]),
      expected,
      name,
    );
  }
}

test('processors due at the same moment run as one run: each session is read once for all of them, at start and at a cadence tick', async () => {
  const { h, scheduler, engine } = await twoProcessors(10);
  // Two sessions, two processors: one plugin-process task per session (a run per processor read each twice).
  assert.equal(engine.pool.sessionTasks, 2);
  await assertRunsOfBoth(h, [['schedule', 2]]);

  appendFileSync(join(h.root, 'alice/a.jsonl'), `${JSON.stringify(userRecord('later'))}\n`);
  h.clock.advance(10 * MINUTE);
  await scheduler.settled();
  assert.equal(engine.pool.sessionTasks, 3, 'the changed session is read once more, for both');
  await assertRunsOfBoth(h, [
    ['schedule', 2],
    ['schedule', 1],
  ]);
  const started = h.events.filter((e) => e.type === 'run-started').map((e) => (e as { processor: string }).processor);
  assert.deepEqual(started.sort(), ['one', 'one', 'two', 'two']);
  assert.deepEqual(
    h.events.filter((e) => e.type === 'run-finished').map((e) => (e as { processor: string; error: string | null }).error),
    [null, null, null, null],
  );
});

test('processors that sessions changes make due run as one run after the debounce: the changed session is read once for all', async () => {
  const { h, scheduler, engine } = await twoProcessors(60, { watch: 'native', debounceMs: 2_000 });
  assert.equal(engine.pool.sessionTasks, 2);
  appendFileSync(join(h.root, 'bob/b.jsonl'), `${JSON.stringify(userRecord('more'))}\n`);
  await waitFor(() => scheduler.changesWaiting, 'the watcher to report the append');
  await sleep(300); // late events of the same write land inside the debounce
  h.clock.advance(2_000);
  await scheduler.settled();
  assert.equal(engine.pool.sessionTasks, 3);
  await assertRunsOfBoth(h, [
    ['schedule', 2],
    ['watch', 1],
  ]);
});
