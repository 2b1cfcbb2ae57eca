// The Runs view's reads over a real store: the run history (all, or one processor's), sessions processed and
// errors per day, tool calls per day from the built-in usage processor's view, and each processor's last run.
import assert from 'node:assert/strict';
import { tempDir, writePlugin, writeSession } from '../helpers.js';
import { stateTest } from '../core/harness.js';
import { openService } from './harness.js';

function toolCall(id: string, name: string, timestamp: string) {
  return { type: 'assistant', uuid: `a-${id}`, timestamp, message: { role: 'assistant', content: [{ type: 'tool_use', id, name, input: {} }] } };
}

function toolResult(id: string, isError: boolean, timestamp: string) {
  return {
    type: 'user',
    uuid: `r-${id}`,
    timestamp,
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'out', is_error: isError }] },
  };
}

stateTest('runs/history, runs/timeline, dashboard/get and processors/list read the run history and the usage view', async (backend) => {
  const plugins = tempDir('si-api-runs-plugins-');
  writePlugin(plugins, 'picky', `export default { name: 'picky', processSession(s) { if (s.sessionKey.includes('bad')) throw new Error('no'); return {}; } };`);
  const api = await openService({ builtins: true, plugins: [plugins], backend });
  writeSession(api.root, 'alice/a.jsonl', [
    toolCall('t1', 'Bash', '2025-09-01T10:00:00.000Z'),
    toolResult('t1', false, '2025-09-01T10:00:01.000Z'),
    toolCall('t2', 'Bash', '2025-09-01T10:01:00.000Z'),
    toolResult('t2', true, '2025-09-01T10:01:01.000Z'),
    toolCall('t3', 'Read', '2025-08-20T10:00:00.000Z'),
    toolResult('t3', false, '2025-08-20T10:00:01.000Z'),
  ]);
  writeSession(api.root, 'alice/bad.jsonl', [toolCall('t4', 'Grep', '2025-09-01T11:00:00.000Z')]);
  await api.call('sessions/refresh', {});
  assert.deepEqual(await api.call('runs/history', {}), []);
  assert.deepEqual(await api.call('runs/timeline', {}), []);

  await api.call('runs/start', { processors: ['usage', 'picky'] });
  for (const processor of ['usage', 'picky']) await api.waitFor((e) => e.type === 'run-finished' && e.processor === processor);

  const history = await api.call('runs/history', {});
  assert.deepEqual(history.map((r) => r.processor).sort(), ['picky', 'usage']);
  assert.ok(
    history.every((r) => r.trigger === 'app' && r.finishedAt !== null && r.stats?.run_id === r.runId),
    JSON.stringify(history),
  );
  const picky = await api.call('runs/history', { processor: 'picky', limit: 1 });
  assert.deepEqual([picky.length, picky[0].processor, picky[0].stats?.processed, picky[0].stats?.errors], [1, 'picky', 1, 1]);

  const today = history[0].startedAt.slice(0, 10);
  assert.deepEqual(await api.call('runs/timeline', { days: 7 }), [
    { day: today, processor: 'picky', processed: 1, errors: 1 },
    { day: today, processor: 'usage', processed: 2, errors: 0 },
  ]);

  // Seven days back from the newest call (2025-09-01) leaves the call of 2025-08-20 out; thirty take it in.
  assert.deepEqual(await api.call('dashboard/get', { days: 7 }), {
    usage: true,
    toolsByDay: [
      { day: '2025-09-01', tool: 'Bash', calls: 2, errors: 1 },
      { day: '2025-09-01', tool: 'Grep', calls: 1, errors: 0 },
    ],
  });
  assert.deepEqual(
    (await api.call('dashboard/get', {})).toolsByDay.map((d) => `${d.day} ${d.tool}`),
    ['2025-08-20 Read', '2025-09-01 Bash', '2025-09-01 Grep'],
  );

  const processors = await api.call('processors/list', {});
  for (const run of history) assert.equal(processors.find((p) => p.name === run.processor)?.lastRunAt, run.startedAt, run.processor);
  assert.equal(processors.find((p) => p.name === 'tokens')?.lastRunAt, null, 'a processor that never ran');
});

stateTest('dashboard/get: no usage view, no chart', async (backend) => {
  const api = await openService({ backend });
  assert.deepEqual(await api.call('dashboard/get', {}), { usage: false, toolsByDay: [] });
});
