import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { countingPlugin, repoRoot, runCli, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { openService } from './harness.js';

test('a state edit while a run writes the same processor is refused with the reason, then applies after', async () => {
  const plugins = tempDir('si-api-plugins-');
  writePlugin(
    plugins,
    'slow',
    `export default { name: 'slow', async processSession() { await new Promise((r) => setTimeout(r, 150)); return { items: [{ x: 1 }] }; } };`,
  );
  const api = await openService({
    plugins: [plugins],
    seed: (root) => {
      for (let i = 0; i < 8; i++) writeSession(root, `a/${i}.jsonl`, [userRecord(`q${i}`)]);
    },
  });
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['slow'] });
  await api.waitFor((e) => e.type === 'run-progress' && e.run.done >= 2);
  await assert.rejects(
    api.call('state/reset', { processor: 'slow', target: { sessions: ['a/0.jsonl'] } }),
    /busy: processor "slow" is running: edit its state when the run ends, or cancel it/,
  );
  await api.waitFor((e) => e.type === 'run-finished');
  assert.deepEqual(await api.call('state/reset', { processor: 'slow', target: { sessions: ['a/0.jsonl'] } }), { changed: 1 });
});

test('the CLI refuses a database the app holds, saying so, with exit 3', async () => {
  const dir = tempDir('si-held-');
  const db = join(dir, 'db.duckdb');
  writeSession(join(dir, 'sessions'), 'a/1.jsonl', [userRecord('x')]);
  const app = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'session-inspector.js'), 'serve', '--db', db, '--sessions', join(dir, 'sessions'), '--no-schedule', '--no-builtins'],
    {
      env: { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve) => app.stdout.on('data', (d: Buffer) => d.toString().includes('Session Inspector:') && resolve()));
    const plugins = join(dir, 'plugins');
    writePlugin(plugins, 'count', countingPlugin('count'));
    const result = await runCli(['run', '--db', db, '--sessions', join(dir, 'sessions'), '--plugins', plugins, '--no-builtins']);
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      new RegExp(
        `database .*db\\.duckdb is in use by another process \\(.*PID ${app.pid}\\): ` +
          'close the Session Inspector app or the other command, or use another --state',
      ),
    );
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.on('exit', r));
  }
});
