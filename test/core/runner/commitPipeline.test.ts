import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitPipeline } from '../../../main/core/runner/commitPipeline.js';
import type { OutcomeGroup } from '../../../main/core/store/outcomeBatch.js';
import { processed, run } from './fakes.js';

const limits = { sessions: 2, items: 10, ms: 1000 };

/** A pipeline over `runs` whose writes are recorded and finish when `release()` is called (or at once). */
function pipeline(runs: ReturnType<typeof run>[], options: { hold?: boolean; fail?: Error } = {}) {
  const clock = { now: 0 };
  const written: OutcomeGroup[][] = [];
  const holds: (() => void)[] = [];
  const commits = new CommitPipeline(
    runs,
    async (groups) => {
      written.push(groups);
      if (options.hold) await new Promise<void>((resolve) => holds.push(resolve));
      if (options.fail) throw options.fail;
    },
    limits,
    () => clock.now,
  );
  const release = () => holds.splice(0).forEach((resolve) => resolve());
  return { commits, written, clock, release };
}

const sessionsOf = (groups: OutcomeGroup[]) => groups.map((g) => [g.processor, g.outcomes.map((o) => o.sessionKey)]);

test('commit pipeline: a batch commits once it holds enough sessions (counted per processor, not summed), items or age', async () => {
  const a = run('a', []);
  const b = run('b', []);
  const { commits, written, clock } = pipeline([a, b]);
  processed(a, 's1');
  processed(b, 's1');
  await commits.maybeCommit();
  assert.equal(written.length, 0, 'one session decided by two processors is one session of the batch, not two');
  processed(a, 's2');
  await commits.maybeCommit();
  await commits.settled();
  assert.deepEqual(sessionsOf(written[0]), [
    ['a', ['s1', 's2']],
    ['b', ['s1']],
  ]);
  assert.deepEqual([a.pending.length, b.pending.length, a.pendingItems, b.pendingItems], [0, 0, 0, 0], 'the commit took every pending outcome');

  processed(a, 's3', 6);
  processed(b, 's3', 4);
  await commits.maybeCommit();
  await commits.settled();
  assert.equal(written.length, 2, 'items of all processors count together');

  processed(a, 's4');
  clock.now += 999;
  await commits.maybeCommit();
  assert.equal(written.length, 2);
  clock.now += 1;
  await commits.maybeCommit();
  await commits.settled();
  assert.deepEqual(
    sessionsOf(written[2]),
    [
      ['a', ['s4']],
      ['b', []],
    ],
    'a batch older than the time limit commits whatever it holds',
  );
});

test('commit pipeline: one commit at a time; dispatch waits only once a second full batch has piled up', async () => {
  const a = run('a', []);
  const { commits, written, release } = pipeline([a], { hold: true });
  processed(a, 's1');
  processed(a, 's2');
  await commits.maybeCommit();
  assert.equal(written.length, 1, 'the first batch commits');
  processed(a, 's3');
  processed(a, 's4');
  await commits.maybeCommit();
  assert.equal(written.length, 1, 'a full batch waits while one commits, and so does not hold dispatch up');
  processed(a, 's5');
  processed(a, 's6');
  let waited = false;
  const waiting = commits.maybeCommit().then(() => (waited = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(waited, false, 'two full batches waiting: dispatch waits for the commit in flight');
  release();
  await waiting;
  assert.equal(written.length, 2);
  assert.deepEqual(sessionsOf(written[1]), [['a', ['s3', 's4', 's5', 's6']]], 'then everything waiting commits at once');
  release();
  await commits.settled();
});

test('commit pipeline: commitNow commits after the commit in flight, even a batch that is not full', async () => {
  const a = run('a', []);
  const { commits, written, release } = pipeline([a], { hold: true });
  processed(a, 's1');
  processed(a, 's2');
  await commits.maybeCommit();
  processed(a, 's3');
  const now = commits.commitNow();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(written.length, 1, 'not beside the one in flight');
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sessionsOf(written[1]), [['a', ['s3']]]);
  release();
  await now;
});

test('commit pipeline: the first failure fails every later wait, and stops dispatch', async () => {
  const a = run('a', []);
  const { commits } = pipeline([a], { fail: new Error('disk full') });
  commits.throwIfFailed();
  processed(a, 's1');
  processed(a, 's2');
  await commits.maybeCommit(); // starts the commit; its failure is kept, not thrown here
  await assert.rejects(commits.settled(), /disk full/);
  assert.throws(() => commits.throwIfFailed(), /disk full/);
  commits.fail(new Error('a later failure'));
  await assert.rejects(commits.commitNow(), /disk full/, 'the first failure is the one reported');
});
