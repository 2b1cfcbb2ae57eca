import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../support/postgres.js';
import { openService } from './harness.js';

function plugins(): string {
  const dir = tempDir('si-team-plugins-');
  writePlugin(dir, 'count', countingPlugin('count'));
  return dir;
}

function seed(root: string): void {
  for (let i = 0; i < 6; i++) writeSession(root, `user${i % 2}/s${i}.jsonl`, [userRecord(`q${i}`)]);
}

test('two analysts on one team store: simultaneous edits of a row never lose an update, a stale one shows the current value', async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const db = await freshDatabase();
  t.after(() => db.drop());
  const root = join(tempDir('si-team-'), 'sessions');
  seed(root);
  const dir = plugins();
  const alice = await openService({ plugins: [dir], sessions: root, state: db.url });
  const bob = await openService({ plugins: [dir], sessions: root, state: db.url });
  await alice.call('runs/start', { processors: ['count'] });
  await alice.waitFor((e) => e.type === 'run-finished');

  // Both load the same row, then both save at once: exactly one edit lands, the other is refused.
  const [row] = (await bob.call('state/list', { processor: 'count', offset: 0, limit: 1 })).rows;
  const expected = { itemsExtracted: row.itemsExtracted, processedAt: row.processedAt };
  const outcomes = await Promise.allSettled([
    alice.call('state/update', { processor: 'count', sessionKey: row.sessionKey, changes: { itemsExtracted: 11 }, expected }),
    bob.call('state/update', { processor: 'count', sessionKey: row.sessionKey, changes: { itemsExtracted: 22 }, expected }),
  ]);
  const won = outcomes.filter((o) => o.status === 'fulfilled');
  const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(won.length, 1, 'one edit lands');
  assert.equal(lost.length, 1, 'the other is refused');
  const winner = (won[0] as PromiseFulfilledResult<{ itemsExtracted: number }>).value.itemsExtracted;
  assert.match(String(lost[0].reason), new RegExp(`conflict: the row changed since you loaded it \\(now items_extracted ${winner}`));
  const [after] = (await alice.call('state/list', { processor: 'count', offset: 0, limit: 1 })).rows;
  assert.equal(after.itemsExtracted, winner);
  // The history both see holds exactly the one change.
  const updates = (await bob.call('state/history', {})).filter((h) => h.action === 'update');
  assert.equal(updates.length, 1);

  // Bob, now warned, edits from the current value: accepted.
  const updated = await bob.call('state/update', {
    processor: 'count',
    sessionKey: row.sessionKey,
    changes: { itemsExtracted: 33 },
    expected: { itemsExtracted: after.itemsExtracted, processedAt: after.processedAt },
  });
  assert.equal(updated.itemsExtracted, 33);
});

test('the app switches its state store: a team URL is used at once and remembered without its password; a wrong one keeps the current store', async (t) => {
  const base = testPostgresUrl();
  if (!base) return t.skip(postgresSkipReason);
  const db = await freshDatabase();
  t.after(() => db.drop());
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query("DO $$ BEGIN CREATE ROLE si_analyst LOGIN PASSWORD 'correct-horse-battery'; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
  await admin.query(`GRANT ALL ON DATABASE ${db.name} TO si_analyst; GRANT ALL ON SCHEMA public TO si_analyst`);
  await admin.end();
  const api = await openService({ plugins: [plugins()], seed });
  const before = await api.call('app/info', {});
  assert.equal(before.stateStore.backend, 'duckdb');

  const url = new URL(db.url);
  url.username = 'si_analyst';
  url.password = 'correct-horse-battery';
  const switched = await api.call('app/setStateStore', { target: url.toString() });
  assert.deepEqual([switched.stateStore.backend, switched.stateStore.shared], ['postgres', true]);
  assert.ok(!switched.stateStore.location.includes('correct-horse-battery'), switched.stateStore.location);
  assert.match(switched.stateStore.location, /^postgres(ql)?:\/\/si_analyst@/);
  const settings = readFileSync(join(api.dir, 'home', 'app-settings.json'), 'utf8');
  assert.ok(!settings.includes('correct-horse-battery'), 'no password on disk');
  assert.match(settings, /"stateStore": "postgres(ql)?:\/\/si_analyst@/);

  // The new store works end to end: a run writes there, and the session list reads from it.
  await api.call('runs/start', { processors: ['count'] });
  await api.waitFor((e) => e.type === 'run-finished');
  const check = new pg.Client({ connectionString: db.url });
  await check.connect();
  const { rows } = await check.query('SELECT count(*)::int AS n FROM session_processor_state');
  await check.end();
  assert.equal(rows[0].n, 6);
  assert.equal((await api.call('sessions/list', { offset: 0, limit: 10, status: ['processed'], processor: 'count' })).total, 6);

  // A server that is not there: refused with the URL (no password), and the team store stays in use.
  const wrong = new URL(db.url);
  wrong.port = '1';
  wrong.password = 'not-this-one';
  await assert.rejects(api.call('app/setStateStore', { target: wrong.toString() }), (error: Error) => {
    assert.match(error.message, /cannot use the state store postgres(ql)?:\/\/.*:1\//);
    assert.match(error.message, /still using postgres/);
    assert.ok(!error.message.includes('not-this-one'));
    return true;
  });
  assert.equal((await api.call('app/info', {})).stateStore.backend, 'postgres');
});

test("an analyst's app on a team store never marks the team's sessions orphaned from its own folder, and runs nothing in the background", async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const db = await freshDatabase();
  t.after(() => db.drop());
  const dir = plugins();
  const team = join(tempDir('si-team-'), 'sessions');
  seed(team);
  const runner = await openService({ plugins: [dir], sessions: team, state: db.url });
  await runner.call('runs/start', { processors: ['count'] });
  await runner.waitFor((e) => e.type === 'run-finished');

  // The analyst's own folder holds only one of the team's sessions (and one of its own).
  const own = join(tempDir('si-analyst-'), 'sessions');
  writeSession(own, 'user0/s0.jsonl', [userRecord('q0')]);
  writeSession(own, 'mine/local.jsonl', [userRecord('mine')]);
  const analyst = await openService({ plugins: [dir], sessions: own, state: db.url, schedule: true });
  // A new session in a watched folder: on a local store the scheduler runs the processors after its 2 s debounce.
  await new Promise((r) => setTimeout(r, 500));
  writeSession(own, 'mine/new.jsonl', [userRecord('new')]);
  await new Promise((r) => setTimeout(r, 4000));
  const check = new pg.Client({ connectionString: db.url });
  await check.connect();
  try {
    const runs = await check.query('SELECT count(*)::int AS n FROM processor_runs');
    assert.equal(runs.rows[0].n, 1, 'no background run from the analyst');
    await analyst.call('runs/start', { processors: ['count'] });
    await analyst.waitFor((e) => e.type === 'run-finished');
    const orphans = await check.query('SELECT count(*)::int AS n FROM orphaned_sessions');
    assert.equal(orphans.rows[0].n, 0, 'nothing marked orphaned');
    const state = await check.query("SELECT count(*)::int AS n FROM session_processor_state WHERE processor_name = 'count'");
    assert.equal(state.rows[0].n, 8, "the team's six sessions and the analyst's two");
  } finally {
    await check.end();
  }
});
