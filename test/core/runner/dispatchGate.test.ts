import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DispatchGate } from '../../../main/core/runner/dispatchGate.js';
import type { ProcessorRun } from '../../../main/core/runner/processorRun.js';
import { entry, processed, run } from './fakes.js';

function gate(limits: { maxCalls?: number; budgetMs?: number } = {}, callEnded: (r: ProcessorRun) => Promise<void> = async () => undefined) {
  const decided: string[] = [];
  const g = new DispatchGate(
    { maxCalls: limits.maxCalls ?? Infinity, budgetMs: limits.budgetMs ?? Infinity, startedAt: performance.now() },
    { callEnded, decided: (r, key) => decided.push(`${r.processor.name}:${key}`) },
  );
  return { gate: g, decided };
}

const names = (runs: ProcessorRun[]) => runs.map((r) => r.processor.name);

test('dispatch gate: a session goes to the runs it is due for, in order; the others decide it there', async () => {
  const cancelled = new AbortController();
  cancelled.abort();
  const runs = [
    run('fresh', ['s1']),
    run('other', ['s2']), // not a candidate: untouched
    run('quarantined', ['s1'], { quarantined: ['s1'] }),
    run('cancelled', ['s1'], { cancel: cancelled.signal }),
    run('deferred', ['s1']),
    run('also', ['s1']),
  ];
  runs[4].deferred.add('s1'); // another runner holds it: looked at again after the pass
  const { gate: g, decided } = gate();
  assert.deepEqual(names(await g.admit(entry('s1'), runs)), ['fresh', 'also']);
  assert.deepEqual(decided, ['quarantined:s1', 'cancelled:s1']);
  assert.deepEqual([runs[2].stats.quarantined, runs[3].stats.capped, runs[3].stats.cancelled], [1, 1, true]);
  assert.deepEqual(
    runs.map((r) => r.done),
    [0, 0, 1, 1, 0, 0],
    'dispatched and deferred sessions are not decided yet',
  );
});

test('dispatch gate: rules 3 and 4: past the cap or the budget a session is capped, unread and not an error', async () => {
  const capped = run('capped', ['s1', 's2']);
  processed(capped, 's1'); // one call made
  const { gate: g, decided } = gate({ maxCalls: 1 });
  assert.deepEqual(await g.admit(entry('s2'), [capped]), []);
  assert.deepEqual([capped.stats.capped, capped.stats.errors, decided], [1, 0, ['capped:s2']]);

  const late = run('late', ['s1']);
  const { gate: spent } = gate({ budgetMs: 0 });
  assert.equal(spent.overBudget, true);
  assert.deepEqual(await spent.admit(entry('s1'), [late]), []);
  assert.equal(late.stats.capped, 1);
  assert.equal(gate({ budgetMs: 60_000 }).gate.overBudget, false);
});

test('dispatch gate: rule 3 near the cap: it waits for the calls in flight, since a skip among them frees a call', async () => {
  for (const [ended, expected] of [
    ['skipped', ['near']],
    ['processed', []],
  ] as const) {
    const near = run('near', ['s1', 's2']);
    near.inFlight = 1; // s1 dispatched, its outcome not known yet
    let waits = 0;
    const { gate: g } = gate({ maxCalls: 1 }, async (r) => {
      waits++;
      assert.equal(r, near);
      r.inFlight--;
      if (ended === 'skipped') r.record(entry('s1'), { kind: 'skipped' }, new Date(0), 'hash', 0);
      else processed(r, 's1');
    });
    assert.deepEqual(names(await g.admit(entry('s2'), [near])), expected, ended);
    assert.equal(waits, 1, ended);
  }
});
