import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { countingPlugin, repoRoot, runCli, tempDir, writePlugin, writeSession, userRecord, assistantRecord } from '../helpers.js';
import { freshState, stateTest } from '../core/harness.js';

function setup(state?: string) {
  const dir = tempDir();
  const root = join(dir, 'sessions');
  const plugins = join(dir, 'plugins');
  const db = state ?? join(dir, 'state.duckdb');
  writeSession(root, 'alice/a.jsonl', [userRecord('one'), assistantRecord('two')]);
  writeSession(root, 'bob/b.jsonl', [userRecord('three')]);
  writeSession(root, 'bob/bad.jsonl', [{ type: 'user', poison: true }]);
  writePlugin(plugins, 'count', countingPlugin('count'));
  writePlugin(
    plugins,
    'typed',
    `export default { name: 'typed',
      view: { name: 'typed_items', columns: { kind: 'VARCHAR', n: 'INTEGER', ok: 'BOOLEAN', seen_at: 'TIMESTAMP', tags: 'VARCHAR[]' } },
  async processSession(s) {
    let n = 0;
    for await (const r of s.records()) { if (r.poison) throw new Error('poisoned session'); n++; }
    return { items: [{ kind: 'lines', n, ok: n > 1, seen_at: '2025-09-01T10:00:00Z', tags: ['x', 'y'] }] };
  } };`,
  );
  const args = (...rest: string[]) => [...rest, '--state', db];
  const withSessions = (...rest: string[]) => [...args(...rest), '--sessions', root, '--plugins', plugins, '--no-builtins'];
  return { dir, root, plugins, db, args, withSessions };
}

test('run --json prints one stats object per processor, sorted by name; per-session failures still exit 0', async () => {
  const s = setup();
  const result = await runCli(s.withSessions('run', '--json'));
  assert.equal(result.code, 0, result.stderr);
  const stats = JSON.parse(result.stdout);
  assert.deepEqual(
    stats.map((x: { processor: string }) => x.processor),
    ['count', 'typed'],
  );
  assert.deepEqual([stats[0].processed, stats[0].errors, stats[1].processed, stats[1].errors], [3, 0, 2, 1]);
  assert.deepEqual(stats[1].errors_detail, [{ session: 'bob/bad.jsonl', error: 'poisoned session' }]);
  const again = JSON.parse((await runCli(s.withSessions('run', '--json', '--processor', 'count'))).stdout);
  assert.deepEqual([again.length, again[0].scanned, again[0].bytes_read], [1, 0, 0]);
});

test('human output: a table of stats and the failing sessions, logs on stderr', async () => {
  const s = setup();
  const result = await runCli(s.withSessions('run'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /processor .*scanned .*processed/);
  assert.match(result.stdout, /typed bob\/bad\.jsonl: poisoned session/);
});

stateTest('query reads state and typed views as JSON (ISO timestamps, numbers, JSON values) and refuses writes', async (backend) => {
  const s = setup(await freshState(backend, tempDir()));
  await runCli(s.withSessions('run'));
  const view = await runCli(s.args('query', 'SELECT session_file, kind, n, ok, seen_at, tags FROM typed_items ORDER BY session_file', '--json'));
  assert.equal(view.code, 0, view.stderr);
  assert.deepEqual(JSON.parse(view.stdout), [
    { session_file: 'alice/a.jsonl', kind: 'lines', n: 2, ok: true, seen_at: '2025-09-01T10:00:00.000Z', tags: ['x', 'y'] },
    { session_file: 'bob/b.jsonl', kind: 'lines', n: 1, ok: false, seen_at: '2025-09-01T10:00:00.000Z', tags: ['x', 'y'] },
  ]);
  const items = JSON.parse((await runCli(s.args('query', "SELECT item FROM processor_items WHERE processor_name = 'typed' LIMIT 1", '--json'))).stdout);
  assert.equal(items[0].item.kind, 'lines');
  for (const sql of [
    'DELETE FROM session_processor_state',
    'SELECT 1; DROP TABLE processor_items',
    "COPY processor_items TO 'x.csv'",
    "ATTACH 'other.duckdb'",
  ]) {
    const refused = await runCli(s.args('query', sql));
    assert.equal(refused.code, 2, sql);
    assert.match(refused.stderr, /query is read-only/, sql);
  }
  const bad = await runCli(s.args('query', 'SELEC nonsense'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, backend === 'duckdb' ? /query: Parser Error/ : /query: syntax error at or near "SELEC"/);
  const count = JSON.parse((await runCli(s.args('query', 'SELECT count(*) AS n FROM session_processor_state', '--json'))).stdout);
  assert.deepEqual(count, [{ n: 5 }]);
});

stateTest('state list / reset / mark-processed / failures / rerun, with the audit trail', async (backend) => {
  const s = setup(await freshState(backend, tempDir()));
  await runCli(s.withSessions('run'));
  const list = JSON.parse((await runCli(s.args('state', 'list', '--processor', 'count', '--json'))).stdout);
  assert.deepEqual(
    list.map((r: { session_file: string }) => r.session_file),
    ['alice/a.jsonl', 'bob/b.jsonl', 'bob/bad.jsonl'],
  );
  assert.match(list[0].processed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const reset = await runCli(s.args('state', 'reset', '--processor', 'count', '--session', 'alice/a.jsonl', '--json'));
  assert.deepEqual(JSON.parse(reset.stdout), { processor: 'count', reset: 1 });
  const rerunAll = JSON.parse((await runCli(s.withSessions('run', '--processor', 'count', '--json'))).stdout);
  assert.equal(rerunAll[0].processed, 1, 'a reset session is processed again');

  const failures = JSON.parse((await runCli(s.args('failures', '--json'))).stdout);
  assert.deepEqual(
    failures.map((f: { processor_name: string; session_file: string; attempts: number; last_error: string }) => [
      f.processor_name,
      f.session_file,
      f.attempts,
      f.last_error,
    ]),
    [['typed', 'bob/bad.jsonl', 1, 'poisoned session']],
  );

  const rerun = JSON.parse((await runCli(s.withSessions('rerun', '--failed', '--json'))).stdout);
  assert.deepEqual(
    rerun.map((r: { processor: string; scanned: number; errors: number }) => [r.processor, r.scanned, r.errors]),
    [['typed', 1, 1]],
  );

  const marked = await runCli(s.withSessions('state', 'mark-processed', '--processor', 'typed', '--session', 'bob/bad.jsonl', '--json'));
  assert.equal(marked.code, 0, marked.stderr);
  assert.deepEqual(JSON.parse(marked.stdout), { processor: 'typed', marked: 1 });
  assert.deepEqual(JSON.parse((await runCli(s.args('failures', '--json'))).stdout), []);
  const next = JSON.parse((await runCli(s.withSessions('run', '--processor', 'typed', '--json'))).stdout);
  assert.equal(next[0].scanned, 0, 'marked processed: not attempted again');

  const audit = JSON.parse(
    (
      await runCli(
        s.args(
          'query',
          'SELECT action, processor_name, session_file, before IS NULL AS no_before, after IS NULL AS no_after FROM state_audit ORDER BY audit_id',
          '--json',
        ),
      )
    ).stdout,
  );
  assert.deepEqual(audit, [
    { action: 'reset', processor_name: 'count', session_file: 'alice/a.jsonl', no_before: false, no_after: true },
    { action: 'rerun', processor_name: 'typed', session_file: 'bob/bad.jsonl', no_before: false, no_after: true },
    { action: 'mark-processed', processor_name: 'typed', session_file: 'bob/bad.jsonl', no_before: true, no_after: false },
  ]);

  const all = await runCli(s.args('state', 'reset', '--processor', 'count', '--all', '--json'));
  assert.deepEqual(JSON.parse(all.stdout), { processor: 'count', reset: 3 });
});

test('status and plugins list processors, counts and load errors', async () => {
  const s = setup();
  writePlugin(s.plugins, 'zz-broken', 'export default 42;');
  await runCli(s.withSessions('run', '--processor', 'count'));
  const status = JSON.parse((await runCli(s.withSessions('status', '--json'))).stdout);
  assert.deepEqual(
    status.map((r: Record<string, unknown>) => [r.processor_name, r.processed, r.pending, r.failed]),
    [
      ['count', 3, 0, 0],
      ['typed', 0, 3, 0],
    ],
  );
  const plugins = await runCli(s.withSessions('plugins', '--json'));
  assert.equal(plugins.code, 0);
  const list = JSON.parse(plugins.stdout);
  assert.deepEqual(
    list.map((p: { name: string; processors: string[] }) => [p.name, p.processors]),
    [
      ['count', ['count']],
      ['typed', ['typed']],
      ['zz-broken', []],
    ],
  );
  assert.match(list[2].errors[0], /processor is a number, not a processor object/);
});

test('exit 2 for bad usage, naming the flag or path', async () => {
  const s = setup();
  const cases: [string[], RegExp][] = [
    [s.withSessions('run', '--processor', 'nope'), /--processor nope: no such processor is loaded \(loaded: count, typed\)/],
    [s.withSessions('run', '--max-sessions', 'many'), /--max-sessions.*must be a whole number/],
    [s.withSessions('run', '--time-budget', '-1'), /--time-budget.*must be a number of seconds/],
    [['run', '--db', s.db, '--sessions', join(s.dir, 'missing'), '--no-builtins'], /session root .*missing does not exist/],
    [s.withSessions('run', '--plugins', join(s.dir, 'nowhere')), /--plugins .*nowhere does not exist/],
    [s.args('state', 'reset', '--processor', 'count'), /needs either --session KEY\.\.\. or --all/],
    [s.withSessions('state', 'mark-processed', '--processor', 'count', '--session', '../../etc/passwd'), /--session \.\.\/\.\.\/etc\/passwd: no such session/],
    [s.args('frobnicate'), /unknown command/],
    [[...s.withSessions('run'), '--db', join(s.dir, 'other.duckdb')], /--state and --db name the same store: give only one/],
    [s.withSessions('run', '--lease-seconds', '0'), /--lease-seconds.*greater than 0/],
    [
      ['status', '--state', 'postgres://nobody@127.0.0.1:1/none?sslmode=disable', '--no-builtins'],
      /cannot connect to the PostgreSQL state store postgres:\/\/nobody@127\.0\.0\.1:1\/none/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
  }
});

test('--plugin-processes sets how many processes run JavaScript processors; --workers, its older name, still works', async () => {
  const help = await runCli(['run', '--help']);
  assert.match(help.stdout, /--plugin-processes <n>\s+processes that run JavaScript processors/);
  assert.match(help.stdout, /--workers <n>\s+the same as --plugin-processes \(its older name\)/);
  assert.match((await runCli(['watch', '--help'])).stdout, /--plugin-processes <n>[\s\S]*--workers <n>/);
  // Each session's item is the pid of the plugin process that ran it; sessions overlap, so two processes both get work.
  const pids = `export default { name: 'pids', view: { name: 'pids', columns: { pid: 'INTEGER' } },
    async processSession() { await new Promise((r) => setTimeout(r, 50)); return { items: [{ pid: process.pid }] }; } };`;
  const runs = [
    [['--plugin-processes', '1'], 1],
    [['--workers', '1'], 1],
    [['--plugin-processes', '2'], 2],
    [['--workers', '2'], 2],
  ] as const;
  for (const [flags, processes] of runs) {
    const s = setup();
    for (let i = 0; i < 6; i++) writeSession(s.root, `carol/${i}.jsonl`, [userRecord(`session ${i}`)]);
    writePlugin(s.plugins, 'pids', pids);
    const run = await runCli(s.withSessions('run', '--processor', 'pids', '--json', ...flags));
    assert.equal(run.code, 0, run.stderr);
    const [{ n }] = JSON.parse((await runCli(s.args('query', 'SELECT count(DISTINCT pid) AS n FROM pids', '--json'))).stdout);
    assert.equal(Number(n), processes, flags.join(' '));
  }
  const s = setup();
  for (const [flags, message] of [
    [['--plugin-processes', '0'], /--plugin-processes.*must be a whole number of at least 1/],
    [['--workers', 'two'], /--workers.*must be a whole number of at least 1/],
    [['--plugin-processes', '1', '--workers', '2'], /--plugin-processes and --workers set the same number \(--workers is its older name\): give only one/],
  ] as const) {
    const result = await runCli(s.withSessions('run', ...flags));
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  assert.equal((await runCli(s.withSessions('run', '--plugin-processes', '1', '--workers', '1', '--json'))).code, 0, 'the same number twice is no conflict');
});

test('state reset refuses an unknown processor or session key by name instead of resetting nothing', async () => {
  const s = setup();
  assert.equal((await runCli(s.withSessions('run', '--processor', 'count'))).code, 0);
  for (const [args, message] of [
    [['--processor', 'cuont', '--all'], /--processor cuont: the store has no state, failures or runs of it \(it has: count\)/],
    [['--processor', 'count', '--session', '../../etc/passwd'], /--session \.\.\/\.\.\/etc\/passwd: count has no state row for it/],
    [['--processor', 'count', '--session', 'alice/a.jsonl', '--session', 'alice/typo.jsonl'], /--session alice\/typo\.jsonl: count has no state row/],
  ] as const) {
    const result = await runCli(s.args('state', 'reset', ...args));
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  const rows = JSON.parse((await runCli(s.args('state', 'list', '--processor', 'count', '--json'))).stdout);
  assert.equal(rows.length, 3, 'nothing was reset');
});

test('exit 3 when another process holds the database, naming it', async () => {
  const s = setup();
  await runCli(s.withSessions('run', '--processor', 'count'));
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `
    const { DuckDBInstance } = await import('@duckdb/node-api');
    await DuckDBInstance.create(${JSON.stringify(s.db)});
    console.log('holding');
    setTimeout(() => {}, 20000);`,
      '--input-type=module',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const result = await runCli(s.withSessions('run'));
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, new RegExp(`database .* is in use by another process \\(.*PID ${holder.pid}\\)`));
    const query = await runCli(s.args('state', 'list'));
    assert.equal(query.code, 3);
  } finally {
    holder.kill();
  }
});
