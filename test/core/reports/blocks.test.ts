import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageBlocks } from '../../../main/core/reports/blocks.js';
import { QUARTER_HOUR_MS, type UsageBucket } from '../../../main/core/reports/usageBuckets.js';

/** One message at `iso` as a bucket of its own. */
function message(iso: string, output = 1, sessionFile = 's/a.jsonl'): UsageBucket {
  const at = Date.parse(iso);
  return {
    sessionFile,
    cwd: null,
    model: 'claude-sonnet-4-5',
    bucketMs: Math.floor(at / QUARTER_HOUR_MS) * QUARTER_HOUR_MS,
    onBoundary: at % QUARTER_HOUR_MS === 0,
    firstLine: 1,
    firstMs: at,
    lastMs: at,
    messages: 1,
    inputTokens: 0,
    outputTokens: output,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    cost: 0,
    unpricedMessages: 0,
    sidechainMessages: 0,
    deleted: false,
    host: null,
  };
}

const shape = (buckets: UsageBucket[]) =>
  usageBlocks(buckets).map((b) => [new Date(b.startMs).toISOString(), new Date(b.endMs).toISOString(), b.isGap ? 'gap' : b.tally.fields().outputTokens]);

test("blocks: start on the first message's UTC hour, last 5 hours, and a quiet stretch over 5 hours is a gap", () => {
  assert.deepEqual(
    shape([message('2025-09-01T10:17:00Z', 1), message('2025-09-01T15:00:00Z', 2), message('2025-09-01T15:00:00.001Z', 4), message('2025-09-02T08:30:00Z', 8)]),
    [
      // A message exactly 5 hours after the block's start still belongs to it; one a millisecond later does not.
      ['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 3],
      ['2025-09-01T15:00:00.000Z', '2025-09-01T20:00:00.000Z', 4],
      ['2025-09-01T20:00:00.001Z', '2025-09-02T08:30:00.000Z', 'gap'],
      ['2025-09-02T08:00:00.000Z', '2025-09-02T13:00:00.000Z', 8],
    ],
  );
});

test('blocks: more than 5 hours after the previous message starts a new block, exactly 5 hours does not', () => {
  assert.deepEqual(shape([message('2025-09-01T10:30:00Z', 1), message('2025-09-01T10:40:00Z', 2), message('2025-09-01T15:40:00Z', 4)]), [
    // 15:40 is 5 h 40 min after the block's start: a new block, but exactly 5 h after 10:40, so no gap.
    ['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 3],
    ['2025-09-01T15:00:00.000Z', '2025-09-01T20:00:00.000Z', 4],
  ]);
  assert.deepEqual(shape([message('2025-09-01T10:00:00Z', 1), message('2025-09-01T10:00:00.001Z', 2), message('2025-09-01T15:00:00.001Z', 4)]), [
    ['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 3],
    ['2025-09-01T15:00:00.000Z', '2025-09-01T20:00:00.000Z', 4],
  ]);
});
test('blocks: messages of several sessions in one quarter-hour are one slot; buckets equal their messages', () => {
  const messages = [
    message('2025-09-01T10:05:00Z', 1, 'p/a.jsonl'),
    message('2025-09-01T10:07:00Z', 2, 'p/b.jsonl'),
    message('2025-09-01T10:14:00Z', 4, 'p/a.jsonl'),
  ];
  const merged: UsageBucket = { ...messages[0], firstMs: messages[0].firstMs, lastMs: messages[2].lastMs, messages: 2, outputTokens: 5 };
  assert.deepEqual(shape([merged, messages[1]]), shape(messages));
  assert.deepEqual(shape(messages), [['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 7]]);
});
