import { UsageError } from '../errors.js';
import type { Connection, Database } from './database.js';

/**
 * Versioned schema migrations. Each runs in its own transaction together with the schema_version bump,
 * so a crash mid-migration leaves the database at the previous version, and reopening retries it.
 * Never edit a released migration: add a new one.
 */
interface Migration {
  version: number;
  description: string;
  up(db: Connection): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'processor state table (original pipeline layout plus processor_version); adopt the legacy single-processor table',
    async up(db) {
      await db.run(`CREATE TABLE IF NOT EXISTS session_processor_state (
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        username VARCHAR NOT NULL,
        processed_at TIMESTAMP,
        items_extracted INTEGER DEFAULT 0,
        file_hash VARCHAR,
        processor_version VARCHAR,
        PRIMARY KEY (processor_name, session_file))`);
      // A database written by the original Python pipeline has the table without processor_version.
      if (!(await columnExists(db, 'session_processor_state', 'processor_version'))) {
        await db.run('ALTER TABLE session_processor_state ADD COLUMN processor_version VARCHAR');
      }
      // The pipeline before per-processor state kept one table for its only processor, "verification".
      if (await tableExists(db, 'session_extraction_state')) {
        await db.run(`INSERT INTO session_processor_state
            (processor_name, session_file, username, processed_at, items_extracted, file_hash)
          SELECT 'verification', session_file, coalesce(username, ''), processed_at, coalesce(items_extracted, 0), file_hash
          FROM session_extraction_state
          WHERE session_file NOT IN (SELECT session_file FROM session_processor_state WHERE processor_name = 'verification')`);
        await db.run('DROP TABLE session_extraction_state');
      }
    },
  },
  {
    version: 2,
    description: 'failures (attempts, quarantine), extracted items, run history and the audit of manual changes',
    async up(db) {
      await db.run(`CREATE TABLE IF NOT EXISTS session_processor_failures (
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        username VARCHAR,
        attempts INTEGER NOT NULL DEFAULT 0,
        first_failed_at TIMESTAMP,
        last_failed_at TIMESTAMP,
        last_error VARCHAR,
        file_hash VARCHAR,
        quarantined BOOLEAN NOT NULL DEFAULT false,
        processor_version VARCHAR,
        last_read_at TIMESTAMP,
        PRIMARY KEY (processor_name, session_file))`);
      await db.run(`CREATE TABLE IF NOT EXISTS processor_items (
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        item_index INTEGER NOT NULL,
        item JSON)`);
      await db.run(`CREATE TABLE IF NOT EXISTS processor_runs (
        run_id VARCHAR PRIMARY KEY,
        processor_name VARCHAR NOT NULL,
        trigger VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        stats JSON)`);
      await db.run('CREATE SEQUENCE IF NOT EXISTS state_audit_ids START 1');
      await db.run(`CREATE TABLE IF NOT EXISTS state_audit (
        audit_id BIGINT PRIMARY KEY DEFAULT nextval('state_audit_ids'),
        "at" TIMESTAMP NOT NULL,
        action VARCHAR NOT NULL,
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        before JSON,
        after JSON)`);
    },
  },
  {
    version: 3,
    description: 'orphaned sessions: session files deleted from disk whose state and items are kept until removed',
    async up(db) {
      // One row per session file, not per processor: the file is gone for every processor at once.
      await db.run(`CREATE TABLE IF NOT EXISTS orphaned_sessions (
        session_file VARCHAR PRIMARY KEY,
        orphaned_at TIMESTAMP NOT NULL)`);
    },
  },
  {
    version: 4,
    description: 'session claims: the lease a runner holds on a (processor, session) while it processes it (shared stores)',
    async up(db) {
      // Leases are timed by the database's clock, so runners on machines with skewed clocks still agree.
      await db.run(`CREATE TABLE IF NOT EXISTS session_claims (
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        runner_id VARCHAR NOT NULL,
        claimed_at TIMESTAMP NOT NULL,
        lease_expires_at TIMESTAMP NOT NULL,
        PRIMARY KEY (processor_name, session_file))`);
    },
  },
  {
    version: 5,
    description: 'the machine that last processed each session, so reports can split usage by machine (team stores)',
    async up(db) {
      // A table of its own: the state table keeps the original pipeline's columns, which it may insert by position.
      await db.run(`CREATE TABLE IF NOT EXISTS session_hosts (
        session_file VARCHAR PRIMARY KEY,
        host VARCHAR NOT NULL,
        processed_at TIMESTAMP NOT NULL)`);
    },
  },
  {
    version: 6,
    description: 'review status of findings (secrets, tool errors): an auditor marks each open, confirmed, false-positive or fixed',
    async up(db) {
      // Keyed by the finding's id, which stays the same when a session is reprocessed and finds it again.
      await db.run(`CREATE TABLE IF NOT EXISTS finding_reviews (
        finding_id VARCHAR PRIMARY KEY,
        processor_name VARCHAR NOT NULL,
        session_file VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        note VARCHAR,
        reviewed_at TIMESTAMP NOT NULL)`);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings the database to SCHEMA_VERSION. Refuses, before writing anything, a database from a newer release. */
export function migrate(database: Database, migrations: Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  // Runners starting at once against a shared store: one migrates, the others then find it done.
  return database.withSchemaLock(() => migrateLocked(database, migrations));
}

async function migrateLocked(database: Database, migrations: Migration[]): Promise<{ from: number; to: number }> {
  const from = await readSchemaVersion(database);
  const latest = migrations[migrations.length - 1].version;
  if (from > latest) {
    throw new UsageError(
      `state store ${database.location} has schema version ${from}, newer than this Session Inspector understands (${latest}): ` +
        'upgrade Session Inspector; the store was not modified',
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    await database.transaction(async (db) => {
      await migration.up(db);
      await db.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      await db.run('DELETE FROM schema_version');
      await db.run('INSERT INTO schema_version VALUES ($1)', [migration.version]);
    });
  }
  return { from, to: Math.max(from, latest) };
}

export async function readSchemaVersion(database: Database): Promise<number> {
  return database.exclusive(async (db) => {
    if (!(await tableExists(db, 'schema_version'))) return 0;
    const rows = await db.all('SELECT max(version) AS version FROM schema_version');
    return Number(rows[0]?.version ?? 0);
  });
}

async function tableExists(db: Connection, table: string): Promise<boolean> {
  const rows = await db.all(
    'SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema() AND table_catalog = current_database()',
    [table],
  );
  return rows.length > 0;
}

async function columnExists(db: Connection, table: string, column: string): Promise<boolean> {
  const rows = await db.all(
    'SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2 ' +
      'AND table_schema = current_schema() AND table_catalog = current_database()',
    [table, column],
  );
  return rows.length > 0;
}
