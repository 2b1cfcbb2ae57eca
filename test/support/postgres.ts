import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set by `npm test` (test/run.mjs) to the throwaway cluster it started; a developer may point it at their own server. */
export const TEST_PG_VARIABLE = 'SESSION_INSPECTOR_TEST_PG';

/** The shared test cluster's URL, or undefined: the PostgreSQL variants of the tests then call t.skip(postgresSkipReason). */
export function testPostgresUrl(): string | undefined {
  const url = process.env[TEST_PG_VARIABLE];
  return url ? url : undefined;
}

export const postgresSkipReason = `${TEST_PG_VARIABLE} is not set (npm test sets it when Debian's postgresql is installed)`;

export interface FreshDatabase {
  /** The shared cluster's URL with the database swapped for the new one. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>;
}

/**
 * A new empty database on the shared test cluster, so tests (and test files running in parallel) never
 * share state. Throws when SESSION_INSPECTOR_TEST_PG is not set: check testPostgresUrl() and skip first.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  const base = testPostgresUrl();
  if (!base) throw new Error(`freshDatabase: ${postgresSkipReason}`);
  // Unique across parallel test processes; lower case so it needs no quoting.
  const name = `si_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    // FORCE (PostgreSQL 13+): a test that forgot to close its client must not keep the database alive.
    drop: () => (dropped ??= admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** One statement on the cluster's own database, outside any transaction (CREATE/DROP DATABASE need that). */
async function admin(base: string, sql: string): Promise<void> {
  const url = new URL(base);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
