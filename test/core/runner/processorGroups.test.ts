import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processorGroups, SPLIT_MIN_BYTES } from '../../../main/core/runner/processorGroups.js';

const big = SPLIT_MIN_BYTES;

test("processor groups: a session is split only when it is big and more than one process's share of the run", () => {
  // One group (one read, one parse for all): small, alone in its run, or one processor or one process.
  assert.deepEqual(processorGroups(big - 1, ['a', 'b'], 2, big - 1), [['a', 'b']], 'under the split size, even when it is the whole run');
  assert.deepEqual(processorGroups(big, ['a', 'b'], 2, 2 * big), [['a', 'b']], "exactly one process's share");
  assert.deepEqual(processorGroups(big, ['a'], 2, big), [['a']], 'one processor');
  assert.deepEqual(processorGroups(big, ['a', 'b'], 1, big), [['a', 'b']], 'one process');
  // Split: dealt round-robin into one group per process, never more groups than processors.
  assert.deepEqual(processorGroups(big, ['a', 'b'], 2, big), [['a'], ['b']]);
  assert.deepEqual(processorGroups(big, ['a', 'b', 'c', 'd', 'e'], 2, 2 * big - 1), [
    ['a', 'c', 'e'],
    ['b', 'd'],
  ]);
  assert.deepEqual(processorGroups(big, ['a', 'b'], 4, big), [['a'], ['b']]);
});
