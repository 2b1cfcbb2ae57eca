import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../main/core/store/stateStore.js';
import { repoRoot, sleep, tempDir, writePlugin, writeSession, userRecord } from '../helpers.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../support/postgres.js';

/**
 * Team mode end to end: several `session-inspector run` processes on one PostgreSQL store and one folder.
 * The test processor appends "<session key> <runner pid>" to a log for every call, so "processed exactly
 * once" is checked on what really ran, not only on what was stored.
 */
const SESSIONS = 2_000;

function corpus(): { root: string; plugins: string; log: string } {
  const dir = tempDir('si-team-');
  const root = join(dir, 'sessions');
  for (let i = 0; i < SESSIONS; i++) writeSession(root, `user${i % 20}/s${String(i).padStart(4, '0')}.jsonl`, [userRecord(`hello ${i}`)]);
  const log = join(dir, 'calls.log');
  const plugins = join(dir, 'plugins');
  writePlugin(
    plugins,
    'tally',
    `import { appendFileSync } from 'node:fs';
export default {
  name: 'tally',
  async processSession(session) {
    let n = 0;
    for await (const _ of session.records()) n++;
    await new Promise((r) => setTimeout(r, Number(process.env.TALLY_DELAY_MS || 0)));
    appendFileSync(${JSON.stringify(log)}, session.sessionKey + ' ' + process.ppid + '\\n');
    return { items: [{ records: n }] };
  },
};
`,
  );
  return { root, plugins, log };
}

function runner(args: { root: string; plugins: string; state: string; env?: NodeJS.ProcessEnv; lease?: number }): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'session-inspector.js'),
      'run',
      '--sessions',
      args.root,
      '--state',
      args.state,
      '--plugins',
      args.plugins,
      '--no-builtins',
      '--plugin-processes',
      '1',
      '--json',
      '--lease-seconds',
      String(args.lease ?? 60),
    ],
    { env: { ...process.env, SESSION_INSPECTOR_HOME: tempDir('si-home-'), ...args.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

function calls(log: string): { key: string; pid: number }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [key, pid] = line.split(' ');
      return { key, pid: Number(pid) };
    });
}

async function storedState(url: string): Promise<{ state: number; items: number; failures: number; claims: number }> {
  const store = await StateStore.open(url);
  try {
    const [row] = await store.db.all(`SELECT
      (SELECT count(*) FROM session_processor_state) AS state, (SELECT count(*) FROM processor_items) AS items,
      (SELECT count(*) FROM session_processor_failures) AS failures, (SELECT count(*) FROM session_claims) AS claims`);
    return { state: Number(row.state), items: Number(row.items), failures: Number(row.failures), claims: Number(row.claims) };
  } finally {
    await store.close();
  }
}

test('three runner processes over 2,000 sessions: every session processed exactly once', { timeout: 300_000 }, async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const { root, plugins, log } = corpus();
  const db = await freshDatabase();
  t.after(() => db.drop());
  const runs = [0, 1, 2].map(() => runner({ root, plugins, state: db.url }));
  const results = await Promise.all(runs.map((r) => r.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const stats = results.map((r) => (JSON.parse(r.stdout) as { processed: number; elsewhere: number; errors: number }[])[0]);
  assert.equal(
    stats.reduce((n, s) => n + s.processed, 0),
    SESSIONS,
    'processed counts add up to the corpus',
  );
  assert.ok(stats.filter((s) => s.processed > 0).length >= 2, `the work was shared: ${stats.map((s) => s.processed).join(', ')}`);
  const seen = calls(log);
  assert.equal(seen.length, SESSIONS, 'one processor call per session, over all runners');
  assert.equal(new Set(seen.map((c) => c.key)).size, SESSIONS);
  assert.deepEqual(await storedState(db.url), { state: SESSIONS, items: SESSIONS, failures: 0, claims: 0 });

  // A second round: nothing changed, so no runner calls the processor again.
  const again = await Promise.all([0, 1].map(() => runner({ root, plugins, state: db.url }).done));
  for (const r of again) assert.equal(r.code, 0, r.stderr);
  assert.equal(calls(log).length, SESSIONS);
});

test('a runner killed mid-run loses its leases: the others process its sessions after expiry, each stored once', { timeout: 300_000 }, async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const { root, plugins, log } = corpus();
  const db = await freshDatabase();
  t.after(() => db.drop());
  const env = { TALLY_DELAY_MS: '4' };
  const victim = runner({ root, plugins, state: db.url, env, lease: 3 });
  // Let the victim claim and process a while alone, then start the survivors and kill it.
  while (calls(log).length < 150) await sleep(50);
  const survivors = [0, 1].map(() => runner({ root, plugins, state: db.url, env, lease: 3 }));
  await sleep(500);
  const killedAt = Date.now();
  process.kill(victim.child.pid!, 'SIGKILL');
  await victim.done;
  const results = await Promise.all(survivors.map((r) => r.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const survivorPids = new Set(survivors.map((r) => r.child.pid!));

  const byKey = new Map<string, number[]>();
  for (const c of calls(log)) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c.pid]);
  assert.equal(byKey.size, SESSIONS, 'every session was processed');
  for (const [key, pids] of byKey) {
    // The only second call is a survivor redoing a session the victim processed but never committed.
    const bySurvivors = pids.filter((p) => survivorPids.has(p)).length;
    assert.ok(bySurvivors <= 1, `${key} processed ${bySurvivors} times by the surviving runners`);
    assert.ok(pids.length <= 2, `${key} processed ${pids.length} times`);
  }
  assert.deepEqual(await storedState(db.url), { state: SESSIONS, items: SESSIONS, failures: 0, claims: 0 });
  assert.ok(Date.now() - killedAt >= 3000, "the survivors waited for the victim's leases to expire");
});

test('SIGTERM stops a runner cleanly: finished sessions are stored and its claims are given back at once', { timeout: 300_000 }, async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const { root, plugins, log } = corpus();
  const db = await freshDatabase();
  t.after(() => db.drop());
  const run = runner({ root, plugins, state: db.url, env: { TALLY_DELAY_MS: '20' } });
  while (calls(log).length < 40) await sleep(50);
  run.child.kill('SIGTERM');
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr);
  const [stats] = JSON.parse(result.stdout) as { processed: number; capped: number; cancelled: boolean }[];
  assert.equal(stats.cancelled, true);
  assert.ok(stats.capped > 1000, `most sessions left for later: ${stats.capped}`);
  const stored = await storedState(db.url);
  assert.equal(stored.claims, 0, 'no claim left to expire');
  assert.equal(stored.state, stats.processed);
  assert.ok(stored.state > 0 && stored.state <= calls(log).length);
});
