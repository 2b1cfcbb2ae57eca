import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { gatedPlugin, waitFor } from '../core/scheduler/support.js';
import { openService } from './harness.js';

test('the app runs due processors in the background and forwards the scheduler events to the renderer', async () => {
  const plugins = tempDir('si-api-plugins-');
  writePlugin(plugins, 'count', countingPlugin('count'));
  const api = await openService({ plugins: [plugins], schedule: true, seed: (root) => writeSession(root, 'alice/a.jsonl', [userRecord('hello')]) });
  const finished = await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'count');
  assert.ok(finished.type === 'run-finished' && finished.stats.processed === 1, JSON.stringify(finished));
  await api.waitFor((e) => e.type === 'state-changed');
  const [processor] = await api.call('processors/list', {});
  assert.equal(processor.name, 'count');
  assert.ok(processor.lastRunAt, 'the run is recorded');
  assert.ok(processor.nextRunAt && Date.parse(processor.nextRunAt) > Date.now(), `next run scheduled (${processor.nextRunAt})`);
  const history = await api.call('runs/history', {});
  assert.equal(history[0].trigger, 'schedule');
});

test("the app's Run now of a processor the scheduler is running reports it as already running; cancel stops the scheduler's run", async () => {
  const plugins = tempDir('si-api-plugins-');
  const gate = join(plugins, 'gate');
  writePlugin(plugins, 'slow', gatedPlugin('slow', gate, 'alice/a.jsonl'));
  writePlugin(plugins, 'count', countingPlugin('count'));
  const api = await openService({
    plugins: [plugins],
    schedule: true,
    seed: (root) => {
      writeSession(root, 'alice/a.jsonl', [userRecord('hello')]);
      writeSession(root, 'bob/b.jsonl', [userRecord('hi')]);
    },
  });
  await waitFor(() => existsSync(`${gate}.started`), 'the scheduled run on the gated session');
  // count shares the scheduler's run (and its gated session) with slow, and finishes on its own.
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'count');
  assert.deepEqual(await api.call('runs/start', { processors: ['slow', 'count'] }), { started: ['count'], alreadyRunning: ['slow'] });
  const active = await api.call('runs/active', {});
  assert.deepEqual(active.find((r) => r.processor === 'slow')?.trigger, 'schedule');
  assert.deepEqual(await api.call('runs/cancel', { processor: 'slow' }), { cancelled: ['slow'] });
  const finished = await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'slow');
  assert.ok(finished.type === 'run-finished' && finished.stats.cancelled && finished.stats.errors === 0, JSON.stringify(finished));
  await waitFor(() => api.events.filter((e) => e.type === 'run-finished' && e.processor === 'count').length === 2, "count's run from the app");
  assert.deepEqual((await api.call('processors/list', {})).map((p) => [p.name, p.running]).sort(), [
    ['count', false],
    ['slow', false],
  ]);
  const history = await api.call('runs/history', {});
  assert.deepEqual(history.map((r) => `${r.processor}:${r.trigger}`).sort(), ['count:app', 'count:schedule', 'slow:schedule']);
});
