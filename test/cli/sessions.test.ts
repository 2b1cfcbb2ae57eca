// `session-inspector sessions`: the same columns as the app's list, from the same module; bad flags exit 2
// naming the flag; the DuckDB store keeps the columns' cache between runs and rebuilds one of another version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, tempDir, writeSession } from '../helpers.js';

const CWD = '/home/dana/src/billing-api';

function seed(root: string): void {
  const at = (minute: number) => `2025-09-0${1 + (minute % 2)}T10:${String(minute).padStart(2, '0')}:00.000Z`;
  for (let i = 0; i < 3; i++) {
    writeSession(root, `-home-dana-src-billing-api/s${i}.jsonl`, [
      { type: 'user', uuid: `u${i}`, timestamp: at(i), cwd: CWD, gitBranch: `feature-${i}`, message: { role: 'user', content: `Task number ${i}` } },
      {
        type: 'assistant',
        uuid: `a${i}`,
        timestamp: at(i + 10),
        cwd: CWD,
        requestId: `r${i}`,
        message: {
          id: `m${i}`,
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'text', text: 'ok' }],
          usage: { input_tokens: 1000 * (i + 1), output_tokens: 10 },
        },
      },
    ]);
  }
}

test('sessions: a table and JSON of the columns, sorted and filtered; bad flags exit 2 naming the flag', async () => {
  const dir = tempDir('si-sessions-cli-');
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  seed(root);
  const base = ['--sessions', root, '--state', state];

  const before = await runCli(['sessions', ...base]);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /titles and costs come after the first run/);

  const run = await runCli(['run', ...base, '--processor', 'summary', '--processor', 'tokens']);
  assert.equal(run.code, 0, run.stderr);

  const json = await runCli(['sessions', ...base, '--json', '--sort', 'cost', '--order', 'desc']);
  assert.equal(json.code, 0, json.stderr);
  const listed = JSON.parse(json.stdout) as {
    total: number;
    sessions: { sessionFile: string; title: string; project: string; branch: string; costUsd: number; toolErrors: number | null }[];
  };
  assert.equal(listed.total, 3);
  assert.deepEqual(
    listed.sessions.map((s) => s.title),
    ['Task number 2', 'Task number 1', 'Task number 0'],
    'costliest first',
  );
  assert.deepEqual(
    listed.sessions.map((s) => [s.project, s.branch]),
    [
      ['billing-api', 'feature-2'],
      ['billing-api', 'feature-1'],
      ['billing-api', 'feature-0'],
    ],
  );
  assert.ok(listed.sessions[0].costUsd > listed.sessions[1].costUsd);
  assert.equal(listed.sessions[0].toolErrors, null, 'errors did not run: empty, not 0');

  const report = await runCli(['report', 'session', ...base, '--json', '--no-update', '--timezone', 'UTC']);
  const reported = JSON.parse(report.stdout) as { sessions: { sessionFile: string; totalCost: number }[] };
  for (const s of listed.sessions) assert.ok(Math.abs(s.costUsd - reported.sessions.find((r) => r.sessionFile === s.sessionFile)!.totalCost) < 1e-9);

  const table = await runCli(['sessions', ...base, '--project', 'billing-api', '--since', '2025-09-02', '--timezone', 'UTC', '--columns', 'title,branch,cost']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Task number 1/);
  assert.doesNotMatch(table.stdout, /Task number 0|Task number 2/, 'sessions 0 and 2 started on 2025-09-01');
  assert.match(table.stdout, /feature-1/);

  const limited = await runCli(['sessions', ...base, '--limit', '1']);
  assert.match(limited.stdout, /1 of 3 sessions/);

  const bad: [string[], RegExp][] = [
    [['--sort', 'colour'], /--sort "colour"/],
    [['--order', 'up'], /--order "up"/],
    [['--since', '2025-13-01'], /--since/],
    [['--since', '2025-09-03', '--until', '2025-09-01'], /--since 2025-09-03 is after --until 2025-09-01/],
    [['--timezone', 'Mars/Olympus'], /--timezone/],
    [['--has', 'bugs'], /--has "bugs"/],
    [['--status', 'sleepy'], /--status "sleepy"/],
    [['--columns', 'title,colour'], /--columns: "colour"/],
    [['--limit', '0'], /--limit/],
    [['--project', ' '], /--project/],
  ];
  for (const [flags, message] of bad) {
    const result = await runCli(['sessions', ...base, ...flags]);
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});

test('sessions: the DuckDB store keeps the columns between runs, and rebuilds a cache another version wrote', async () => {
  const dir = tempDir('si-sessions-cache-');
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  seed(root);
  const base = ['--sessions', root, '--state', state, '--json'];
  assert.equal((await runCli(['run', '--sessions', root, '--state', state, '--processor', 'summary'])).code, 0);
  const titles = async () =>
    (JSON.parse((await runCli(['sessions', ...base, '--sort', 'title', '--order', 'asc'])).stdout) as { sessions: { title: string }[] }).sessions.map(
      (s) => s.title,
    );
  assert.deepEqual(await titles(), ['Task number 0', 'Task number 1', 'Task number 2']);

  // Damage the cache the way an older version's would look: other facts under another version number.
  const instance = await DuckDBInstance.create(state);
  const connection = await instance.connect();
  await connection.run("UPDATE cache_session_facts SET title = 'stale'");
  assert.equal(
    (await (await connection.runAndReadAll('SELECT count(*) AS n FROM cache_session_facts')).getRowObjectsJS())[0].n,
    3n,
    'the cache outlived the process',
  );
  await connection.run('UPDATE cache_session_facts_meta SET version = version + 100');
  connection.closeSync();
  instance.closeSync();
  assert.deepEqual(await titles(), ['Task number 0', 'Task number 1', 'Task number 2']);
});
