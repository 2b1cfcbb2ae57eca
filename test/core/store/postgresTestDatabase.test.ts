import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPostgres } from '../../../main/core/store/postgres/connect.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../../support/postgres.js';

// The helper every PostgreSQL variant of the state tests stands on: a private, empty database per test.
test('freshDatabase gives each test its own empty database and drops it, open connections and all', async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const [first, second] = await Promise.all([freshDatabase(), freshDatabase()]);
  assert.notEqual(first.name, second.name);

  const client = await connectPostgres(first.url);
  const { rows } = await client.query("SELECT current_database() AS db, count(*)::int AS tables FROM information_schema.tables WHERE table_schema = 'public'");
  assert.deepEqual(rows, [{ db: first.name, tables: 0 }]);
  await client.query('CREATE TABLE only_here (id int)');

  const other = await connectPostgres(second.url);
  const { rows: otherTables } = await other.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  assert.deepEqual(otherTables, []);
  await other.end();

  // `client` is still connected: the drop must not wait for it.
  await first.drop();
  await second.drop();
  await client.end().catch(() => undefined);
  const admin = await connectPostgres(testPostgresUrl()!);
  const { rows: left } = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[first.name, second.name]]);
  await admin.end();
  assert.deepEqual(left, []);
});
