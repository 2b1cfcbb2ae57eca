import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDatabase } from '../../../main/core/store/duckdb/duckDatabase.js';
import { openDatabase } from '../../../main/core/store/openDatabase.js';
import { freshState, stateTest, type Backend } from '../harness.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, readSchemaVersion } from '../../../main/core/store/migrations.js';
import { OrphanStore } from '../../../main/core/store/orphanStore.js';
import { tempDir } from '../../helpers.js';
import type { SessionEntry } from '../../../main/core/sessionFile.js';

/** The sessions a scan found, as the engine passes them (only their keys matter here). */
const scanned = (keys: string[]): SessionEntry[] =>
  keys.map((sessionKey) => ({ path: `/root/${sessionKey}`, sessionKey, group: sessionKey.split('/')[0], sizeBytes: 1, mtimeMs: 0 }));

async function storeWithRows(backend: Backend) {
  const db = await openDatabase(await freshState(backend, tempDir()));
  await migrate(db);
  await db.run(`INSERT INTO session_processor_state VALUES
    ('usage', 'alice/a.jsonl', 'alice', TIMESTAMP '2025-09-01', 1, 'h1', '1'),
    ('usage', 'bob/b.jsonl', 'bob', TIMESTAMP '2025-09-01', 1, 'h2', '1')`);
  await db.run(`INSERT INTO session_processor_failures (processor_name, session_file, attempts) VALUES ('errors', 'carol/c.jsonl', 1)`);
  // items left behind by a `state reset`: still something the database holds for the session
  await db.run(`INSERT INTO processor_items VALUES ('usage', 'dave/d.jsonl', 0, '{}'), ('usage', 'alice/a.jsonl', 0, '{}')`);
  return { db, orphans: new OrphanStore(db) };
}

test('migration 3 (orphaned_sessions) runs from schema version 2 and keeps every row', async () => {
  const db = await DuckDatabase.open(join(tempDir(), 'v2.duckdb'));
  await migrate(db, MIGRATIONS.slice(0, 2));
  await db.run("INSERT INTO session_processor_state VALUES ('p', 's.jsonl', 'u', TIMESTAMP '2025-01-01', 1, 'h', '1')");
  await db.run("INSERT INTO processor_items VALUES ('p', 's.jsonl', 0, '{}')");
  assert.deepEqual(await migrate(db), { from: 2, to: SCHEMA_VERSION });
  assert.equal(await readSchemaVersion(db), SCHEMA_VERSION);
  assert.deepEqual(await db.all('SELECT count(*) AS n FROM orphaned_sessions'), [{ n: 0 }]);
  assert.deepEqual(await db.all('SELECT (SELECT count(*) FROM session_processor_state) AS state, (SELECT count(*) FROM processor_items) AS items'), [
    { state: 1, items: 1 },
  ]);
  await db.close();
});

stateTest('sync marks every session the database knows (state, failures or items only) whose file is gone, and restores returning ones', async (backend) => {
  const { db, orphans } = await storeWithRows(backend);
  const now = new Date('2025-09-02T10:00:00Z');
  assert.deepEqual(await orphans.sync(scanned(['alice/a.jsonl']), true, now), { orphaned: ['bob/b.jsonl', 'carol/c.jsonl', 'dave/d.jsonl'], restored: [] });
  assert.deepEqual(await orphans.sync(scanned(['alice/a.jsonl']), true, now), { orphaned: [], restored: [] }, 'marked once');
  const listed = await orphans.list();
  assert.deepEqual(
    listed.map((r) => [r.session_file, r.orphaned_at, r.processors, r.state_rows, r.items]),
    [
      ['bob/b.jsonl', '2025-09-02T10:00:00.000Z', ['usage'], 1, 0],
      ['carol/c.jsonl', '2025-09-02T10:00:00.000Z', ['errors'], 0, 0],
      ['dave/d.jsonl', '2025-09-02T10:00:00.000Z', ['usage'], 0, 1],
    ],
  );
  assert.deepEqual(await orphans.sync(scanned(['alice/a.jsonl', 'bob/b.jsonl']), true, now), { orphaned: [], restored: ['bob/b.jsonl'] });
  assert.deepEqual(await db.all('SELECT count(*) AS n FROM session_processor_state'), [{ n: 2 }], 'state rows are kept throughout');
  await db.close();
});

stateTest('an incomplete scan (a folder could not be read) restores but never marks', async (backend) => {
  const { db, orphans } = await storeWithRows(backend);
  assert.deepEqual(await orphans.sync(scanned([]), false, new Date()), { orphaned: [], restored: [] });
  assert.deepEqual(await orphans.list(), []);
  await db.close();
});

stateTest('remove deletes state, failures and items of orphans only, in one audited transaction', async (backend) => {
  const { db, orphans } = await storeWithRows(backend);
  await orphans.sync(scanned(['alice/a.jsonl']), true, new Date());
  await assert.rejects(orphans.remove(['bob/b.jsonl', 'alice/a.jsonl']), /--session alice\/a\.jsonl: not an orphaned session/);
  assert.deepEqual(await db.all('SELECT count(*) AS n FROM orphaned_sessions'), [{ n: 3 }], 'a refused removal removes nothing');
  assert.deepEqual(await orphans.remove('all'), { sessions: 3, stateRows: 1, items: 1 });
  assert.deepEqual(
    await db.all(
      'SELECT DISTINCT session_file FROM session_processor_state UNION SELECT session_file FROM processor_items ' +
        'UNION SELECT session_file FROM session_processor_failures',
    ),
    [{ session_file: 'alice/a.jsonl' }],
  );
  const audit = await db.all("SELECT processor_name, session_file, before FROM state_audit WHERE action = 'remove-orphan' ORDER BY session_file");
  assert.deepEqual(
    audit.map((r) => [r.processor_name, r.session_file]),
    [
      ['usage', 'bob/b.jsonl'],
      ['errors', 'carol/c.jsonl'],
      ['usage', 'dave/d.jsonl'],
    ],
  );
  assert.equal((audit[1].before as { failure: { attempts: number } }).failure.attempts, 1);
  await db.close();
});
