import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitPipeline } from '../../../main/core/runner/commitPipeline.js';
import type { RunProgress } from '../../../main/core/runner/runOptions.js';
import { RunFinisher } from '../../../main/core/runner/runFinisher.js';
import type { RunStats } from '../../../main/core/runner/stats.js';
import type { OutcomeGroup } from '../../../main/core/store/outcomeBatch.js';
import { processed, run } from './fakes.js';

function finisher(runs: ReturnType<typeof run>[], finishRun: (runId: string) => Promise<void> = async () => undefined) {
  const events: string[] = [];
  const progress: RunProgress[] = [];
  const commits = new CommitPipeline(runs, async (groups: OutcomeGroup[]) => {
    events.push(`commit ${groups.map((g) => `${g.processor}:${g.outcomes.length}`).join(' ')}`);
  });
  const f = new RunFinisher(
    commits,
    {
      finishRun: async (runId, _at, stats: RunStats) => {
        await finishRun(runId);
        events.push(`finishRun ${stats.processor} processed=${stats.processed}`);
      },
      release: (name) => events.push(`release ${name}`),
      onProgress: (p) => progress.push(p),
      onFinished: (stats) => events.push(`finished ${stats.processor}`),
    },
    performance.now(),
  );
  return { finisher: f, commits, events, progress };
}

test('run finisher: a processor whose every session is decided finishes at once: last commit, run row, lock, face', async () => {
  const quick = run('quick', ['s1']);
  const slow = run('slow', ['s1', 's2']);
  const { finisher: f, events, progress } = finisher([quick, slow]);
  for (const r of [quick, slow]) f.finishIfDecided(r);
  assert.deepEqual(events, [], 'sessions left to decide');
  quick.inFlight = 1;
  f.progress(quick, 's1');
  processed(quick, 's1');
  assert.deepEqual(events, [], 'a session in flight');
  quick.inFlight = 0;
  f.progress(quick, null);
  await f.settled();
  assert.deepEqual(events, ['commit quick:1 slow:0', 'finishRun quick processed=1', 'release quick', 'finished quick']);
  assert.deepEqual([quick.ended, slow.ended, slow.finishing], [true, false, false], 'the slow one goes on');
  assert.deepEqual(
    progress.map((p) => [p.processor, p.done, p.total, p.current]),
    [
      ['quick', 0, 1, 's1'],
      ['quick', 1, 1, null],
    ],
  );
});

test('run finisher: a run finishes once however often it is asked; nothing decided without a row is not committed', async () => {
  const empty = run('empty', []);
  const { finisher: f, events } = finisher([empty]);
  f.finishIfDecided(empty);
  f.finish(empty);
  await f.settled();
  assert.deepEqual(events, ['finishRun empty processed=0', 'release empty', 'finished empty']);
  assert.equal(empty.ended, true);
});

test('run finisher: a failure to finish fails the pass through the commit pipeline, and releases nothing', async () => {
  const r = run('broken', ['s1']);
  processed(r, 's1');
  const {
    finisher: f,
    commits,
    events,
  } = finisher([r], async () => {
    throw new Error('connection lost');
  });
  f.finish(r);
  await f.settled();
  await assert.rejects(commits.settled(), /connection lost/);
  assert.deepEqual(events, ['commit broken:1']);
  assert.equal(r.ended, false, "the run row is left for the run's own failure handling");
});
