import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDatabase } from '../../../main/core/store/duckdb/duckDatabase.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../main/core/store/migrations.js';
import { StateStore } from '../../../main/core/store/stateStore.js';
import { tempDir } from '../../helpers.js';

/** Every table's rows (ordered) as JSON lines: the whole content, to compare before and after an upgrade. */
async function content(file: string, tables: string[]): Promise<Record<string, string[]>> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  const out: Record<string, string[]> = {};
  try {
    for (const table of tables) {
      const reader = await c.runAndReadAll(`SELECT * FROM ${table} ORDER BY ALL`);
      out[table] = reader.getRowsJS().map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return out;
}

/** A database stopped at `version`, filled with rows in every table that version has. */
async function databaseAt(version: number): Promise<string> {
  const file = join(tempDir(), `v${version}.duckdb`);
  const db = await DuckDatabase.open(file);
  await migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= version),
  );
  await db.run(
    `INSERT INTO session_processor_state SELECT 'p' || (i % 3), 'u/s' || i || '.jsonl', 'u', TIMESTAMP '2025-01-01' + INTERVAL (i) MINUTE,
      i % 5, md5(i::VARCHAR), '1' FROM range(500) t(i)`,
  );
  if (version >= 2) {
    await db.run(
      `INSERT INTO session_processor_failures SELECT 'p0', 'u/f' || i || '.jsonl', 'u', 1 + i % 3, TIMESTAMP '2025-02-01', TIMESTAMP '2025-02-02',
        'boom ' || i, md5(i::VARCHAR), i % 3 = 2, '1', TIMESTAMP '2025-02-02' FROM range(40) t(i)`,
    );
    await db.run(`INSERT INTO processor_items SELECT 'p' || (i % 3), 'u/s' || (i % 500) || '.jsonl', i // 500, json_object('i', i) FROM range(2000) t(i)`);
    await db.run(`INSERT INTO processor_runs VALUES ('r1', 'p0', 'cli', TIMESTAMP '2025-03-01', TIMESTAMP '2025-03-01 00:01', '{"processed": 3}')`);
    await db.run(
      `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
        VALUES (TIMESTAMP '2025-03-02', 'reset', 'p0', 'u/s1.jsonl', '{"x":1}', NULL)`,
    );
  }
  await db.close();
  return file;
}

const TABLES_V1 = ['session_processor_state'];
const TABLES_V2 = [...TABLES_V1, 'session_processor_failures', 'processor_items', 'processor_runs', 'state_audit'];

for (let version = 1; version < SCHEMA_VERSION; version++) {
  test(`a database at schema version ${version} upgrades to ${SCHEMA_VERSION} with every row intact`, async () => {
    const file = await databaseAt(version);
    const tables = version >= 2 ? TABLES_V2 : TABLES_V1;
    const before = await content(file, tables);
    const store = await StateStore.open(file);
    await store.close();
    const after = await content(file, tables);
    assert.deepEqual(after, before);
    const [[current]] = Object.values(await content(file, ['schema_version']));
    assert.equal(JSON.parse(current)[0], SCHEMA_VERSION);
  });
}
