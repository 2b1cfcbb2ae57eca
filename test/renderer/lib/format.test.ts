import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillDays } from '../../../renderer/src/lib/days.js';
import { formatBytes, formatCell, formatDuration } from '../../../renderer/src/lib/format.js';

test('chart days: continuous, sorted, at least a week, gaps filled', () => {
  assert.deepEqual(fillDays([]), []);
  assert.deepEqual(fillDays(['2025-09-03']), ['2025-08-28', '2025-08-29', '2025-08-30', '2025-08-31', '2025-09-01', '2025-09-02', '2025-09-03']);
  const days = fillDays(['2025-09-20', '2025-09-01', '2025-09-01', 'not a day']);
  assert.equal(days.length, 20);
  assert.equal(days[0], '2025-09-01');
  assert.equal(days.at(-1), '2025-09-20');
  assert.equal(fillDays(['2020-01-01', '2025-01-01']).length, 1000);
});

test('format: sizes, durations and cells', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(500 * 1024 * 1024), '500 MB');
  assert.equal(formatDuration(null), '–');
  assert.equal(formatDuration(400), '0.4s');
  assert.equal(formatDuration(65_000), '1m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatCell(null), 'NULL');
  assert.equal(formatCell({ a: [1] }), '{"a":[1]}');
  assert.equal(formatCell('<b>x</b>'), '<b>x</b>');
});
