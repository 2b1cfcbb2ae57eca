import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { cadencePlugin, gatedPlugin, Gate, waitFor } from '../core/scheduler/support.js';
import { writeSettledSessions } from '../core/archive/archiveHarness.js';
import { BLOCK_BYTES } from '../../main/core/archive/archivePacks.js';

function setup(sessionCount = 3) {
  const dir = tempDir();
  const root = join(dir, 'sessions');
  const plugins = join(dir, 'plugins');
  const db = join(dir, 'state.duckdb');
  for (let i = 0; i < sessionCount; i++) writeSession(root, `p${i % 12}/s${i}.jsonl`, [userRecord(`hello ${i}`)]);
  writePlugin(plugins, 'count', cadencePlugin('count', 60));
  const withSessions = (...rest: string[]) => [...rest, '--db', db, '--sessions', root, '--plugins', plugins, '--no-builtins'];
  return { dir, root, plugins, db, withSessions };
}

/** The real CLI as a long-running child: its stdout and stderr as they grow. */
function startCli(args: string[], wrap?: (argv: string[]) => string[]) {
  const argv = [process.execPath, join(repoRoot, 'bin', 'session-inspector.js'), ...args];
  const [command, ...rest] = wrap ? wrap(argv) : argv;
  const child: ChildProcess = spawn(command, rest, {
    cwd: repoRoot,
    env: { ...process.env, SESSION_INSPECTOR_HOME: tempDir('si-home-') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '', code: undefined as number | null | undefined };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((out.code = code))));
  const lines = () => out.stdout.split('\n').filter(Boolean);
  return { child, out, exited, lines };
}

test('run shows a progress bar on a terminal, plain lines otherwise, and nothing with --json', async () => {
  const s = setup(30);
  const tty = spawnSync(
    'script',
    ['-qec', [process.execPath, join(repoRoot, 'bin', 'session-inspector.js'), ...s.withSessions('run')].map((a) => `'${a}'`).join(' '), '/dev/null'],
    {
      env: { ...process.env, SESSION_INSPECTOR_HOME: tempDir('si-home-') },
      encoding: 'utf8',
    },
  );
  if (tty.error) return; // no `script` here: nothing to drive a terminal with
  assert.match(tty.stdout, /count [█░]{20} 30\/30 100% \| 0 errors \| \d+\.\d s \| ETA 0 s/);

  const plain = setup(30);
  const lines = await runCli(plain.withSessions('run'));
  assert.equal(lines.code, 0, lines.stderr);
  assert.match(lines.stderr, /^count: 0\/30 sessions \(0%\), 0 errors, 0\.0 s elapsed, ETA \?$/m);
  assert.match(lines.stderr, /^count: 30\/30 sessions \(100%\), 0 errors, \d+\.\d s elapsed$/m);
  assert.ok(!lines.stderr.includes('\x1b['), 'no terminal escapes in a log file');

  const json = setup(30);
  const quiet = await runCli(json.withSessions('run', '--json'));
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  assert.equal(JSON.parse(quiet.stdout)[0].processed, 30);
});

test('an empty session folder (the wrong --sessions, an unmounted share) marks nothing orphaned', async () => {
  const s = setup(3);
  assert.equal((await runCli(s.withSessions('run'))).code, 0);
  const empty = join(s.dir, 'empty');
  spawnSync('mkdir', ['-p', empty]);
  const listed = await runCli(['orphans', '--json', '--db', s.db, '--sessions', empty, '--plugins', s.plugins, '--no-builtins']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout), []);
  // One file really deleted from the right folder is still found gone.
  spawnSync('rm', [join(s.root, 'p0', 's0.jsonl')]);
  assert.deepEqual(
    JSON.parse((await runCli(s.withSessions('orphans', '--json'))).stdout).map((r: { session_file: string }) => r.session_file),
    ['p0/s0.jsonl'],
  );
});

test('orphans: a deleted session is listed (and shown in state list), removable by key or all, audited; other keys are refused', async () => {
  const s = setup(3);
  assert.equal((await runCli(s.withSessions('run'))).code, 0);
  spawnSync('rm', [join(s.root, 'p1', 's1.jsonl'), join(s.root, 'p2', 's2.jsonl')]);
  const listed = await runCli(s.withSessions('orphans', '--json'));
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout);
  assert.deepEqual(
    rows.map((r: Record<string, unknown>) => [r.session_file, r.processors, r.state_rows, r.items]),
    [
      ['p1/s1.jsonl', ['count'], 1, 1],
      ['p2/s2.jsonl', ['count'], 1, 1],
    ],
  );
  assert.match(rows[0].orphaned_at, /^\d{4}-\d\d-\d\dT/);
  const state = JSON.parse((await runCli(['state', 'list', '--json', '--db', s.db])).stdout);
  assert.deepEqual(
    state.map((r: Record<string, unknown>) => [r.session_file, r.orphaned_at === null]),
    [
      ['p0/s0.jsonl', true],
      ['p1/s1.jsonl', false],
      ['p2/s2.jsonl', false],
    ],
  );

  const refused = await runCli(['orphans', 'remove', '--session', 'p0/s0.jsonl', '--session', 'p1/s1.jsonl', '--db', s.db]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--session p0\/s0\.jsonl: not an orphaned session/);
  assert.equal((await runCli(['orphans', 'remove', '--db', s.db])).code, 2, 'needs --session or --all');

  const removed = await runCli(['orphans', 'remove', '--session', 'p1/s1.jsonl', '--json', '--db', s.db]);
  assert.deepEqual(JSON.parse(removed.stdout), { sessions: 1, stateRows: 1, items: 1 });
  const all = await runCli(['orphans', 'remove', '--all', '--db', s.db]);
  assert.match(all.stdout, /removed 1 orphaned session\(s\): 1 state row\(s\), 1 item\(s\)/);
  const audit = JSON.parse(
    (await runCli(['query', 'SELECT action, processor_name, session_file, before FROM state_audit ORDER BY audit_id', '--json', '--db', s.db])).stdout,
  );
  assert.deepEqual(
    audit.map((r: Record<string, unknown>) => [r.action, r.processor_name, r.session_file]),
    [
      ['remove-orphan', 'count', 'p1/s1.jsonl'],
      ['remove-orphan', 'count', 'p2/s2.jsonl'],
    ],
  );
  assert.equal(audit[0].before.items, 1);
  assert.equal(audit[0].before.state.session_file, 'p1/s1.jsonl');
  const left = JSON.parse((await runCli(['query', 'SELECT DISTINCT session_file FROM processor_items ORDER BY 1', '--json', '--db', s.db])).stdout);
  assert.deepEqual(left, [{ session_file: 'p0/s0.jsonl' }]);
});

test('watch runs processors, picks up new sessions, prints one JSON line per run, and stops cleanly on SIGTERM', async () => {
  const s = setup(3);
  const watch = startCli(s.withSessions('watch', '--debounce', '0.2', '--json'));
  try {
    await waitFor(() => watch.lines().length >= 1, 'the first run');
    const first = JSON.parse(watch.lines()[0]);
    assert.deepEqual([first.type, first.processor, first.trigger, first.stats.processed], ['run-finished', 'count', 'schedule', 3]);
    await waitFor(() => /Ctrl-C to stop/.test(watch.out.stderr), 'watch to be ready');
    writeSession(s.root, 'p5/new.jsonl', [userRecord('new')]);
    await waitFor(() => watch.lines().length >= 2, 'a run for the new session');
    const second = JSON.parse(watch.lines()[1]);
    assert.deepEqual([second.trigger, second.stats.processed], ['watch', 1]);
    assert.doesNotMatch(watch.out.stderr, /\d+\/\d+ sessions/, 'no progress with --json');
  } finally {
    watch.child.kill('SIGTERM');
  }
  assert.equal(await watch.exited, 0, watch.out.stderr);
  assert.match(watch.out.stderr, /SIGTERM: stopping/);
  const runs = await runCli(['query', 'SELECT count(*) FILTER (WHERE finished_at IS NULL) AS open, count(*) AS n FROM processor_runs', '--json', '--db', s.db]);
  assert.equal(runs.code, 0, `the database was released: ${runs.stderr}`);
  assert.deepEqual(JSON.parse(runs.stdout), [{ open: 0, n: 2 }]);
});

test('SIGINT during a run cancels it (the session in flight is aborted), records it and closes the database', async () => {
  const s = setup(3);
  const gate = new Gate(join(s.dir, 'gate'));
  writePlugin(s.plugins, 'slow', gatedPlugin('slow', gate.path, 'p1/s1.jsonl'));
  const watch = startCli(s.withSessions('watch', '--processor', 'slow'));
  await waitFor(gate.started, 'the gated session in flight');
  watch.child.kill('SIGINT');
  assert.equal(await watch.exited, 0, watch.out.stderr);
  // How many sessions were dispatched before the cancel depends on how many plugin processes this machine starts:
  // the gated one is aborted and any never dispatched are counted with it, the rest were processed.
  const summary = /slow \(schedule\): (\d) processed, 0 skipped, 0 errors, (\d) capped, cancelled in/.exec(watch.out.stdout);
  assert.ok(summary, watch.out.stdout);
  const [processed, capped] = [Number(summary[1]), Number(summary[2])];
  assert.equal(processed + capped, 3, watch.out.stdout);
  assert.ok(capped >= 1, 'the session in flight is counted as capped');
  const rows = JSON.parse(
    (await runCli(['query', "SELECT finished_at IS NOT NULL AS finished, stats->>'cancelled' AS cancelled FROM processor_runs", '--json', '--db', s.db]))
      .stdout,
  );
  assert.deepEqual(rows, [{ finished: true, cancelled: 'true' }]);
  const state = JSON.parse(
    (await runCli(['query', "SELECT session_file FROM session_processor_state WHERE session_file = 'p1/s1.jsonl'", '--json', '--db', s.db])).stdout,
  );
  assert.deepEqual(state, [], 'nothing written for the aborted session');
});

test('where the inotify watch limit is too low, watch falls back to polling and says so', async (t) => {
  const probe = spawnSync('unshare', ['-Ur', 'sh', '-c', 'echo 8 > /proc/sys/user/max_inotify_watches']);
  if (probe.error || probe.status !== 0) return t.skip('cannot lower the inotify limit here (needs unshare with user namespaces)');
  const s = setup(24); // 12 project folders + the root: more folders than watches allowed
  const watch = startCli(s.withSessions('watch', '--poll-interval', '1', '--debounce', '0.2'), (argv) => [
    'unshare',
    '-Ur',
    'sh',
    '-c',
    `echo 8 > /proc/sys/user/max_inotify_watches && exec ${argv.map((a) => `'${a}'`).join(' ')}`,
  ]);
  try {
    await waitFor(() => /Ctrl-C to stop/.test(watch.out.stderr), 'watch to be ready');
    assert.match(watch.out.stderr, /native watching failed \(.*No space left on device\): scanning .* every 1 s instead/);
    // after the start-up run, so the new file is noticed by polling rather than swept into that run's scan
    await waitFor(() => /count \(schedule\): \d+ processed/.test(watch.out.stdout), 'the start-up run to finish');
    writeSession(s.root, 'p3/later.jsonl', [userRecord('later')]);
    await waitFor(() => /count \(watch\): 1 processed/.test(watch.out.stdout), 'the polling to pick up the new session');
  } finally {
    watch.child.kill('SIGTERM');
  }
  assert.equal(await watch.exited, 0, watch.out.stderr);
});

test('between runs, watch packs settled sessions in the archive and says so, and runs go on after', async () => {
  const s = setup(0);
  const archive = join(s.dir, 'archive');
  writeSettledSessions(s.root, BLOCK_BYTES + (1 << 20));
  const watch = startCli(s.withSessions('watch', '--debounce', '0.2', '--archive', archive));
  try {
    await waitFor(() => /archive: packed \d+ session version\(s\)/.test(watch.out.stderr), 'the archive to pack', 60_000);
    writeSession(s.root, 'p0/new.jsonl', [userRecord('new')]);
    await waitFor(() => /count \(watch\): 1 processed/.test(watch.out.stdout), 'a run for the new session');
  } finally {
    watch.child.kill('SIGTERM');
  }
  assert.equal(await watch.exited, 0, watch.out.stderr);
  const status = JSON.parse((await runCli(['archive', 'status', '--archive', archive, '--json'])).stdout);
  assert.equal(status.unpackedSettledBytes, 0);
  assert.ok(status.packs >= 1 && status.ratio < 0.5, `packed: ${JSON.stringify(status)}`);
  assert.match((await runCli(['archive', 'verify', '--archive', archive])).stdout, /archive intact/);
});
