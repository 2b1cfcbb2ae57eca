import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDatabase } from '../../../main/core/store/duckdb/duckDatabase.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, readSchemaVersion } from '../../../main/core/store/migrations.js';
import { StateStore } from '../../../main/core/store/stateStore.js';
import { UsageError } from '../../../main/core/errors.js';
import { tempDir } from '../../helpers.js';

/** Runs raw SQL on a database file with a separate, short-lived DuckDB instance (as another program would). */
async function sql(file: string, ...statements: string[]): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  let rows: unknown[][] = [];
  try {
    for (const s of statements) rows = (await connection.runAndReadAll(s)).getRowsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return rows;
}

const tables = async (file: string) =>
  (await sql(file, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")).map((r) => r[0]);

test('a fresh database gets every table at the latest schema version', async () => {
  const file = join(tempDir(), 'fresh.duckdb');
  const store = await StateStore.open(file);
  await store.close();
  assert.deepEqual(await tables(file), [
    'finding_reviews',
    'orphaned_sessions',
    'processor_items',
    'processor_runs',
    'schema_version',
    'session_claims',
    'session_hosts',
    'session_processor_failures',
    'session_processor_state',
    'state_audit',
  ]);
  assert.deepEqual(await sql(file, 'SELECT version FROM schema_version'), [[SCHEMA_VERSION]]);
});

test("the original pipeline's database (state table without processor_version) opens, keeps its rows and works", async () => {
  const file = join(tempDir(), 'original.duckdb');
  await sql(
    file,
    `CREATE TABLE session_processor_state (processor_name VARCHAR NOT NULL, session_file VARCHAR NOT NULL, username VARCHAR NOT NULL,
      processed_at TIMESTAMP, items_extracted INTEGER DEFAULT 0, file_hash VARCHAR, PRIMARY KEY (processor_name, session_file))`,
    "INSERT INTO session_processor_state VALUES ('usage', 'alice/a.jsonl', 'alice', TIMESTAMP '2025-09-01 10:00:00', 7, 'abc')",
  );
  const store = await StateStore.open(file);
  const rows = await store.listState();
  assert.deepEqual(rows, [
    {
      processor_name: 'usage',
      session_file: 'alice/a.jsonl',
      username: 'alice',
      processed_at: '2025-09-01T10:00:00.000Z',
      items_extracted: 7,
      file_hash: 'abc',
      processor_version: null,
      orphaned_at: null,
    },
  ]);
  // and it can be written through the normal path
  await store.commitOutcomes(
    [
      {
        processor: 'usage',
        version: '1',
        outcomes: [
          {
            kind: 'processed',
            sessionKey: 'alice/b.jsonl',
            group: 'alice',
            readAt: new Date('2025-09-02T00:00:00Z'),
            fileHash: 'h',
            itemsCount: 1,
            itemsJson: ['{"x":1}'],
          },
        ],
      },
    ],
    3,
  );
  assert.equal((await store.listState()).length, 2);
  await store.close();
});

test('the legacy single-processor table is migrated to processor "verification" and dropped; reopening is a no-op', async () => {
  const file = join(tempDir(), 'legacy.duckdb');
  await sql(
    file,
    'CREATE TABLE session_extraction_state ' +
      '(session_file VARCHAR PRIMARY KEY, username VARCHAR, processed_at TIMESTAMP, items_extracted INTEGER, file_hash VARCHAR)',
    "INSERT INTO session_extraction_state VALUES ('alice/a.jsonl', 'alice', TIMESTAMP '2025-09-01 10:00:00', 3, 'h1'), " +
      "('bob/b.jsonl', 'bob', TIMESTAMP '2025-09-02 11:30:00.250', 0, 'h2')",
  );
  for (let open = 0; open < 2; open++) {
    const store = await StateStore.open(file);
    assert.deepEqual(
      (await store.listState()).map((r) => [r.processor_name, r.session_file, r.username, r.processed_at, r.items_extracted, r.file_hash]),
      [
        ['verification', 'alice/a.jsonl', 'alice', '2025-09-01T10:00:00.000Z', 3, 'h1'],
        ['verification', 'bob/b.jsonl', 'bob', '2025-09-02T11:30:00.250Z', 0, 'h2'],
      ],
    );
    await store.close();
  }
  assert.ok(!(await tables(file)).includes('session_extraction_state'));
});

test('each migration runs from the schema before it', async () => {
  const file = join(tempDir(), 'steps.duckdb');
  const db = await DuckDatabase.open(file);
  assert.deepEqual(await migrate(db, MIGRATIONS.slice(0, 1)), { from: 0, to: 1 });
  assert.equal(await readSchemaVersion(db), 1);
  await db.run("INSERT INTO session_processor_state VALUES ('p', 's.jsonl', 'u', TIMESTAMP '2025-01-01', 1, 'h', '1')");
  assert.deepEqual(await migrate(db, MIGRATIONS.slice(0, 2)), { from: 1, to: 2 });
  assert.equal(await readSchemaVersion(db), 2);
  assert.equal((await db.all('SELECT count(*) AS n FROM session_processor_state'))[0].n, 1);
  assert.equal((await db.all('SELECT count(*) AS n FROM session_processor_failures'))[0].n, 0);
  await db.close();
});

test('a database from a newer release is refused before anything is written', async () => {
  const file = join(tempDir(), 'newer.duckdb');
  await sql(file, 'CREATE TABLE schema_version (version INTEGER NOT NULL)', `INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1})`);
  const before = readFileSync(file);
  await assert.rejects(
    StateStore.open(file),
    (e: Error) => e instanceof UsageError && /newer than this Session Inspector/.test(e.message) && e.message.includes(file),
  );
  assert.ok(readFileSync(file).equals(before), 'the file is byte-for-byte unchanged');
  assert.deepEqual(await tables(file), ['schema_version']);
});
