import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageBlocks } from '../../main/core/reports/blocks.js';
import { QUARTER_HOUR_MS, type UsageBucket } from '../../main/core/reports/usageBuckets.js';

/** One message at `iso` as a bucket of its own. */
function message(iso: string, output = 1, sessionFile = 's/a.jsonl'): UsageBucket {
  const at = Date.parse(iso);
  return {
    sessionFile, cwd: null, model: 'claude-sonnet-4-5', bucketMs: Math.floor(at / QUARTER_HOUR_MS) * QUARTER_HOUR_MS, firstLine: 1, firstMs: at, lastMs: at,
    messages: 1, inputTokens: 0, outputTokens: output, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0, unpricedMessages: 0, sidechainMessages: 0, deleted: false,
  };
}

const shape = (buckets: UsageBucket[]) =>
  usageBlocks(buckets).map((b) => [new Date(b.startMs).toISOString(), new Date(b.endMs).toISOString(), b.isGap ? 'gap' : b.tally.fields().outputTokens]);

test('blocks: start on the first message\'s UTC hour, last 5 hours, and a quiet stretch over 5 hours is a gap', () => {
  assert.deepEqual(
    shape([message('2025-09-01T10:17:00Z', 1), message('2025-09-01T14:59:59.999Z', 2), message('2025-09-01T15:00:00Z', 4), message('2025-09-02T08:30:00Z', 8)]),
    [
      ['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 3],
      // 15:00 is 5 hours after the block's start: a new block, with no gap (the previous message was just before).
      ['2025-09-01T15:00:00.000Z', '2025-09-01T20:00:00.000Z', 4],
      ['2025-09-01T20:00:00.000Z', '2025-09-02T08:30:00.000Z', 'gap'],
      ['2025-09-02T08:00:00.000Z', '2025-09-02T13:00:00.000Z', 8],
    ],
  );
});

test('blocks: 5 hours after the previous message starts a new block even inside the window', () => {
  // 5 h after the previous message, but only 5 h 10 min after the block start: both rules agree here;
  // the second message comes exactly 5 h after the first one and must open a new block.
  assert.deepEqual(shape([message('2025-09-01T10:00:00Z', 1), message('2025-09-01T10:01:00Z', 2), message('2025-09-01T15:01:00Z', 4)]), [
    ['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 3],
    ['2025-09-01T15:00:00.000Z', '2025-09-01T20:00:00.000Z', 4],
  ]);
});

test('blocks: messages of several sessions in one quarter-hour are one slot; buckets equal their messages', () => {
  const messages = [message('2025-09-01T10:05:00Z', 1, 'p/a.jsonl'), message('2025-09-01T10:07:00Z', 2, 'p/b.jsonl'), message('2025-09-01T10:14:00Z', 4, 'p/a.jsonl')];
  const merged: UsageBucket = { ...messages[0], firstMs: messages[0].firstMs, lastMs: messages[2].lastMs, messages: 2, outputTokens: 5 };
  assert.deepEqual(shape([merged, messages[1]]), shape(messages));
  assert.deepEqual(shape(messages), [['2025-09-01T10:00:00.000Z', '2025-09-01T15:00:00.000Z', 7]]);
});
