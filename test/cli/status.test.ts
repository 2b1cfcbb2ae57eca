import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request } from 'node:http';
import { DuckDBInstance } from '@duckdb/node-api';
import { startHttpServer } from '../../main/api/httpServer.js';
import { countingPlugin, runCli, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { openService } from '../api/harness.js';

/** Moves every recorded run of the store back by `minutes`, as if they had happened that long ago. */
async function age(state: string, minutes: number): Promise<void> {
  const instance = await DuckDBInstance.create(state);
  const c = await instance.connect();
  try {
    await c.run(`UPDATE processor_runs SET started_at = started_at - INTERVAL ${minutes} MINUTE, finished_at = finished_at - INTERVAL ${minutes} MINUTE`);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

test('status --check exits 1 naming each problem, 0 once healthy; --json and --format prometheus carry health', async () => {
  const dir = tempDir('si-status-');
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  writeSession(root, 'alice/a.jsonl', [userRecord('hello')]);
  writePlugin(join(dir, 'plugins'), 'count', countingPlugin('count'));
  const cli = (...args: string[]) =>
    runCli([...args, '--sessions', root, '--state', state, '--plugins', join(dir, 'plugins'), '--no-builtins'], {
      env: { SESSION_INSPECTOR_CADENCE_COUNT: '10' },
    });

  const never = await cli('status', '--check');
  assert.equal(never.code, 1);
  assert.equal(never.stdout, 'overdue: count: has never run: start `session-inspector watch` (or the app), or run it from cron\n');
  assert.equal((await cli('run')).code, 0);
  const fresh = await cli('status', '--check');
  assert.equal(fresh.code, 0, fresh.stdout);
  assert.equal(fresh.stdout, 'healthy: 1 processor(s)\n');

  await age(state, 2 * 24 * 60);
  const overdue = await cli('status', '--check');
  assert.equal(overdue.code, 1);
  assert.match(overdue.stdout, /^overdue: count: last run started 2,880 min ago, its cadence is 10 min/);
  assert.equal((await cli('status', '--check', '--grace-factor', '1000')).code, 0, 'a grace of 1000 cadences covers two days');
  const json = JSON.parse((await cli('status', '--json')).stdout);
  assert.deepEqual([json[0].processor_name, json[0].overdue, json[0].healthy, json[0].cadence_minutes], ['count', true, false, 10]);
  const checkJson = JSON.parse((await cli('status', '--check', '--json')).stdout);
  assert.deepEqual(
    checkJson.problems.map((p: { kind: string }) => p.kind),
    ['overdue'],
  );
  const metrics = await cli('status', '--format', 'prometheus');
  assert.equal(metrics.code, 0);
  assert.match(metrics.stdout, /^session_inspector_sessions\{processor="count",state="processed"\} 1$/m);
  assert.match(metrics.stdout, /^session_inspector_overdue\{processor="count"\} 1$/m);
  const table = await cli('status');
  assert.match(table.stdout, /│ overdue/);
  assert.match(table.stderr, /note: overdue: count: last run started/);

  assert.equal((await cli('run')).code, 0);
  assert.equal((await cli('status', '--check')).code, 0, 'a fresh run clears it');
  const bad = await cli('status', '--format', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format/);
});

test('browser mode serves the same metrics at /metrics, only with the token', async () => {
  const api = await openService({ seed: (root) => writeSession(root, 'alice/a.jsonl', [userRecord('hello')]) });
  const server = await startHttpServer(api.service, { port: 0, staticDir: tempDir('si-static-'), metrics: () => api.service.metrics() });
  const get = (headers: Record<string, string>) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/metrics', headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    assert.equal((await get({})).status, 401);
    assert.equal((await get({ Authorization: 'Bearer nope' })).status, 401);
    const ok = await get({ Authorization: `Bearer ${server.token}` });
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
    assert.match(ok.body, /^# TYPE session_inspector_problems gauge$/m);
    assert.match(ok.body, /^session_inspector_problems \d+$/m);
  } finally {
    await server.close();
  }
});
