import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEarlyOutcome, checkResult, MalformedResult } from '../../../main/core/pluginProcesses/resultChecks.js';
import type { DescribeResult, SessionTaskResult } from '../../../main/core/pluginProcesses/protocol.js';

const described: DescribeResult = {
  processors: [
    { name: 'js', version: '1', cadenceMinutes: 10, timeoutMs: 60_000, view: { name: 'js_items', columns: { n: 'INTEGER', tags: 'VARCHAR[]' } } },
    { name: 'sql', version: '2', cadenceMinutes: 5, timeoutMs: 1_000, sql: { columns: { type: 'VARCHAR' }, sql: 'SELECT 1' }, linesContaining: ['"x"'] },
  ],
  errors: ['processor #3: name is required (a string)'],
};

const session: SessionTaskResult = {
  vanished: false,
  readAtMs: 1_700_000_000_000,
  fileHash: 'abc',
  bytesRead: 12,
  tainted: false,
  outcomes: {
    a: { kind: 'processed', itemsCount: 2, itemsStreamed: 1, itemsJson: ['{"n":2}'], malformedLines: 0 },
    b: { kind: 'failed', error: 'boom' },
    c: { kind: 'skipped' },
    d: { kind: 'capped' },
  },
};

/** A copy of `value` with `change` applied to it. */
function changed<T>(value: T, change: (copy: T) => void): unknown {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

test('result checks: well-formed results of each kind come back as they are', () => {
  assert.deepEqual(checkResult('describe', structuredClone(described)), described);
  assert.deepEqual(checkResult('session', structuredClone(session)), session);
  assert.deepEqual(checkResult('session', { ...session, fileHash: null, outcomes: {} }), { ...session, fileHash: null, outcomes: {} });
  const early = { outcome: { kind: 'quarantined' }, readAtMs: 1, fileHash: 'abc', bytesRead: 3 };
  assert.deepEqual(checkEarlyOutcome(early), early);
});

test('result checks: a malformed result is refused, naming the request kind and the first field that is wrong', () => {
  const describeWith = (change: (d: DescribeResult) => void) => checkResult('describe', changed(described, change));
  const sessionWith = (change: (s: SessionTaskResult) => void) => checkResult('session', changed(session, change));
  const cases: [() => unknown, RegExp][] = [
    [() => checkResult('describe', null), /answered a describe request with a malformed result: result: expected an object, got null$/],
    [() => checkResult('describe', { processors: {}, errors: [] }), /result\.processors: expected an array, got an object$/],
    [() => describeWith((d) => Object.assign(d.processors[0], { timeoutMs: '60' })), /result\.processors\[0\]\.timeoutMs: expected a number, got "60"$/],
    [
      () => describeWith((d) => Object.assign(d.processors[0].view!.columns, { n: 'TEXT' })),
      /result\.processors\[0\]\.view\.columns\.n: expected one of VARCHAR, .*, got "TEXT"$/,
    ],
    [() => describeWith((d) => d.errors.push(7 as unknown as string)), /result\.errors\[1\]: expected a string, got a number$/],
    [() => checkResult('session', [session]), /answered a session request with a malformed result: result: expected an object, got an array$/],
    [() => sessionWith((s) => Object.assign(s, { tainted: 'no' })), /result\.tainted: expected a boolean, got "no"$/],
    [() => sessionWith((s) => Object.assign(s.outcomes, { e: { kind: 'done' } })), /result\.outcomes\.e\.kind: expected an outcome kind, got "done"$/],
    [() => sessionWith((s) => Object.assign(s.outcomes.a, { itemsJson: ['{}', 42] })), /result\.outcomes\.a\.itemsJson\[1\]: expected a string, got a number$/],
    [() => sessionWith((s) => Object.assign(s.outcomes.b, { error: undefined })), /result\.outcomes\.b\.error: expected a string, got nothing$/],
    [() => checkEarlyOutcome({ outcome: { kind: 'skipped' }, readAtMs: 1, fileHash: null, bytesRead: 0 }), /outcome\.fileHash: expected a string, got null$/],
  ];
  for (const [check, message] of cases) {
    assert.throws(check, (error: unknown) => error instanceof MalformedResult && message.test(error.message), String(message));
  }
});
