import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
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
