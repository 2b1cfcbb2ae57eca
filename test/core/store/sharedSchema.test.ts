import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from 'pg';
import { Engine } from '../../../main/core/engine.js';
import { SCHEMA_VERSION } from '../../../main/core/store/migrations.js';
import { updateState } from '../../../main/core/store/stateEdits.js';
import { writeCorpus } from '../../faults/corpus.js';
import { StateStore } from '../../../main/core/store/stateStore.js';
import { tempDir } from '../../helpers.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../../support/postgres.js';

/** A test on a PostgreSQL store of its own (skipped without a test server): closed and dropped after it. */
async function withFreshStore(t: TestContext, fn: (store: StateStore) => Promise<void>): Promise<void> {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const store = await StateStore.open(pg.url);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

/** Table → its columns in order, as information_schema tells (both backends answer the same query). */
async function layout(store: StateStore): Promise<Record<string, string[]>> {
  const rows = await store.db.all(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_catalog = current_database() ORDER BY table_name, ordinal_position`,
  );
  const tables: Record<string, string[]> = {};
  for (const row of rows) (tables[String(row.table_name)] ??= []).push(String(row.column_name));
  return tables;
}

test('PostgreSQL gets the same tables and columns as the DuckDB file, from the same migrations', async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const duck = await StateStore.open(join(tempDir(), 'state.duckdb'));
  const postgres = await StateStore.open(pg.url);
  try {
    const [a, b] = [await layout(duck), await layout(postgres)];
    assert.ok(Object.keys(a).includes('session_processor_state') && Object.keys(a).includes('session_claims'));
    assert.deepEqual(b, a);
    assert.deepEqual(await postgres.db.all('SELECT version FROM schema_version'), [{ version: SCHEMA_VERSION }]);
  } finally {
    await duck.close();
    await postgres.close();
  }
});

test('runners opening a fresh PostgreSQL store at once migrate it once (advisory lock), and all of them work', async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const stores = await Promise.all([0, 1, 2, 3].map(() => StateStore.open(pg.url)));
  try {
    assert.deepEqual(await stores[0].db.all('SELECT version FROM schema_version'), [{ version: SCHEMA_VERSION }]);
    for (const store of stores) assert.deepEqual(await store.summary(), []);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('a PostgreSQL store from a newer release is refused, by URL without password, and left untouched', async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const store = await StateStore.open(pg.url);
  await store.db.run(`UPDATE schema_version SET version = ${SCHEMA_VERSION + 1}`);
  await store.close();
  const url = new URL(pg.url);
  url.password = 'hunter2-secret';
  await assert.rejects(StateStore.open(url.toString()), (error: Error) => {
    assert.match(error.message, new RegExp(`has schema version ${SCHEMA_VERSION + 1}, newer than this Session Inspector understands`));
    assert.ok(!error.message.includes('hunter2-secret'));
    return true;
  });
  const again = await StateStore.open(pg.url).catch((e: Error) => e);
  assert.ok(again instanceof Error, 'still refused: nothing was changed');
});

test("an analyst role that owns nothing opens a store the runners' role set up: state, views and edits work with DML grants only", async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const dir = tempDir();
  const root = join(dir, 'sessions');
  writeCorpus(root, 6);
  const as = (role: string) => {
    const url = new URL(pg.url);
    url.username = role;
    return url.toString();
  };
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  for (const role of ['si_runner_role', 'si_analyst_role']) {
    await admin.query(`DO $$ BEGIN CREATE ROLE ${role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  }
  await admin.query(`GRANT CREATE, USAGE ON SCHEMA public TO si_runner_role`);
  await admin.query(`GRANT USAGE ON SCHEMA public TO si_analyst_role`);
  await admin.end();

  // The runners' role creates everything: tables, functions, index and the built-in processors' views.
  const runner = await Engine.open({ state: as('si_runner_role'), sessions: root, builtins: true, pluginProcesses: 2, home: join(dir, 'home') });
  await runner.run([]);
  await runner.store.db.run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO si_analyst_role;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO si_analyst_role`);
  await runner.close();

  const analyst = await Engine.open({ state: as('si_analyst_role'), sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home') });
  try {
    const { plugins } = await analyst.plugins();
    assert.deepEqual(
      plugins.flatMap((p) => p.errors),
      [],
      'no view problem reported for views the analyst does not own',
    );
    const [{ n: items }] = await analyst.store.db.all("SELECT count(*) AS n FROM processor_items WHERE processor_name = 'tokens'");
    assert.ok(Number(items) > 0);
    assert.deepEqual(await analyst.store.db.readOnlyRows('SELECT count(*) AS n FROM token_usage'), [{ n: items }], 'the typed view reads for the analyst');
    const [row] = await analyst.store.listState({ processor: ['usage'] });
    const edited = await updateState(
      analyst.store.db,
      'usage',
      String(row.session_file),
      { itemsExtracted: 1 },
      { itemsExtracted: Number(row.items_extracted), processedAt: String(row.processed_at) },
    );
    assert.equal(edited.items_extracted, 1);
  } finally {
    await analyst.close();
  }
});

test('claims: a held session is refused to other runners, an expired lease is taken over, status lists the runners at work', (t) =>
  withFreshStore(t, async (store) => {
    const keys = ['a/1.jsonl', 'a/2.jsonl', 'b/3.jsonl'];
    assert.deepEqual((await store.claim('runner-1', 60_000, 'usage', keys)).sort(), keys);
    assert.deepEqual(await store.claim('runner-2', 60_000, 'usage', keys), [], 'held by runner 1');
    assert.deepEqual((await store.claim('runner-2', 60_000, 'tokens', keys)).sort(), keys, 'claims are per processor');
    assert.deepEqual((await store.claim('runner-1', 60_000, 'usage', keys)).sort(), [], 'claiming again is not needed: it holds them');
    const runners = await store.activeRunners();
    assert.deepEqual(
      runners.map((r) => [r.runner_id, r.sessions]),
      [
        ['runner-1', 3],
        ['runner-2', 3],
      ],
    );

    // Runner 1 dies: its leases run out (here: set in the past), and runner 2 takes the sessions over.
    await store.db.run("UPDATE session_claims SET lease_expires_at = now()::TIMESTAMP - INTERVAL '1 second' WHERE runner_id = 'runner-1'");
    assert.deepEqual((await store.claim('runner-2', 60_000, 'usage', keys)).sort(), keys);
    assert.deepEqual(
      (await store.activeRunners()).map((r) => [r.runner_id, r.sessions]),
      [['runner-2', 6]],
    );
    assert.equal(await store.renewClaims('runner-1', 60_000), 0, 'the dead runner holds nothing any more');
    await store.releaseClaims('runner-2');
    assert.deepEqual(await store.activeRunners(), []);
  }));

test('a commit stores only what the runner still holds: an outcome whose lease another runner took is dropped and reported, released claims end', (t) =>
  withFreshStore(t, async (store) => {
    const keys = ['a/1.jsonl', 'a/2.jsonl', 'a/3.jsonl'];
    await store.claim('runner-1', 60_000, 'usage', keys);
    await store.claim('runner-1', 60_000, 'tokens', keys);
    // runner-1 stalls; its usage lease on a/2 expires and runner-2 takes that one over.
    await store.db.run(
      "UPDATE session_claims SET lease_expires_at = now()::TIMESTAMP - INTERVAL '1 second' WHERE processor_name = 'usage' AND session_file = 'a/2.jsonl'",
    );
    assert.deepEqual(await store.claim('runner-2', 60_000, 'usage', ['a/2.jsonl']), ['a/2.jsonl']);
    const outcome = (sessionKey: string, items: string[]) =>
      ({
        kind: 'processed',
        sessionKey,
        group: 'a',
        readAt: new Date('2026-01-01T00:00:00Z'),
        fileHash: `h-${sessionKey}`,
        itemsCount: items.length,
        itemsJson: items,
      }) as const;
    const lost = await store.commitOutcomes(
      [
        { processor: 'usage', version: '1', outcomes: [outcome('a/1.jsonl', ['{"n":1}']), outcome('a/2.jsonl', ['{"n":2}'])], released: ['a/3.jsonl'] },
        { processor: 'tokens', version: '2', outcomes: [outcome('a/2.jsonl', ['{"t":2}'])], released: [] },
      ],
      3,
      'runner-1',
    );
    assert.deepEqual(lost, [{ processor: 'usage', sessionKey: 'a/2.jsonl' }]);
    const state = await store.db.all('SELECT processor_name, session_file, processor_version FROM session_processor_state ORDER BY 1, 2');
    assert.deepEqual(
      state.map((r) => [r.processor_name, r.session_file, r.processor_version]),
      [
        ['tokens', 'a/2.jsonl', '2'],
        ['usage', 'a/1.jsonl', '1'],
      ],
    );
    const items = await store.db.all('SELECT processor_name, session_file, item_index FROM processor_items ORDER BY 1, 2');
    assert.deepEqual(
      items.map((r) => [r.processor_name, r.session_file, r.item_index]),
      [
        ['tokens', 'a/2.jsonl', 0],
        ['usage', 'a/1.jsonl', 0],
      ],
    );
    const claims = await store.db.all('SELECT runner_id, processor_name, session_file FROM session_claims ORDER BY 2, 3');
    assert.deepEqual(
      claims.map((r) => [r.runner_id, r.processor_name, r.session_file]),
      [
        ['runner-1', 'tokens', 'a/1.jsonl'],
        ['runner-1', 'tokens', 'a/3.jsonl'],
        ['runner-2', 'usage', 'a/2.jsonl'],
      ],
      "stored and released claims end with the commit; runner-2's claim stays",
    );
  }));

test("staged items: a held success moves its staged items before its own, in order; a lost outcome's staged items never land and leave nothing staged", (t) =>
  withFreshStore(t, async (store) => {
    const keys = ['a/1.jsonl', 'a/2.jsonl'];
    await store.claim('runner-1', 60_000, 'usage', keys);
    await store.db.run("UPDATE session_claims SET lease_expires_at = now()::TIMESTAMP - INTERVAL '1 second' WHERE session_file = 'a/2.jsonl'");
    assert.deepEqual(await store.claim('runner-2', 60_000, 'usage', ['a/2.jsonl']), ['a/2.jsonl']);
    const held = store.newStagingAttempt();
    const lostAttempt = store.newStagingAttempt();
    await store.stageItems(held, 0, ['{"n":0}', '{"n":1}']);
    await store.stageItems(lostAttempt, 0, ['{"lost":0}']);
    await store.stageItems(held, 2, ['{"n":2}']);
    const outcome = (sessionKey: string, attempt: number, staged: number, items: string[]) =>
      ({
        kind: 'processed',
        sessionKey,
        group: 'a',
        readAt: new Date('2026-01-01T00:00:00Z'),
        fileHash: 'h',
        itemsCount: staged + items.length,
        staged: { attempt, count: staged },
        itemsJson: items,
      }) as const;
    const lost = await store.commitOutcomes(
      [{ processor: 'usage', version: '1', outcomes: [outcome('a/1.jsonl', held, 3, ['{"n":3}']), outcome('a/2.jsonl', lostAttempt, 1, [])] }],
      3,
      'runner-1',
    );
    assert.deepEqual(lost, [{ processor: 'usage', sessionKey: 'a/2.jsonl' }]);
    const items = await store.db.all('SELECT session_file, item_index, item FROM processor_items ORDER BY 1, 2');
    assert.deepEqual(
      items,
      [0, 1, 2, 3].map((n) => ({ session_file: 'a/1.jsonl', item_index: n, item: { n } })),
    );
    await assert.rejects(store.db.all('SELECT count(*) FROM staged_items'), /staged_items/, 'nothing staged is left: the staging table is gone');
  }));
