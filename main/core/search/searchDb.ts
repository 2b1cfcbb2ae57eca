import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { BusyError, UsageError, errorMessage } from '../errors.js';
import { duckdb } from '../store/commonjs.js';
import { duckParams } from '../store/duckdb/duckDatabase.js';
import type { Connection, SqlParams } from '../store/database.js';
import { toJsonRows } from '../store/jsonRows.js';
import { SerialConnection } from '../store/serialConnection.js';

/** DuckDB's memory for the index: appends and scans stream, so a few hundred MB is plenty. */
const MEMORY_LIMIT = '256MB';

/** Bump when the tables below change shape: an older index is dropped and built again (it is only a cache of the files). */
export const SEARCH_SCHEMA_VERSION = 1;

/**
 * search_sessions: one row per indexed session of a root, with the size and modification time of the bytes
 * indexed (a file whose signature differs is indexed again). search_pieces: one row per line and role with
 * searchable text (searchText.ts). Rows of a session whose file is gone stay: the index keeps it searchable.
 */
const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)',
  `CREATE TABLE IF NOT EXISTS search_sessions (
     sid INTEGER NOT NULL, root VARCHAR NOT NULL, session_key VARCHAR NOT NULL, size_bytes BIGINT NOT NULL,
     mtime_ms DOUBLE NOT NULL, cwd VARCHAR, pieces INTEGER NOT NULL, indexed_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_pieces (
     sid INTEGER NOT NULL, line_no INTEGER NOT NULL, role VARCHAR NOT NULL, ts_ms DOUBLE, text VARCHAR NOT NULL)`,
];

/** One piece row as appended: sid, line_no, role, ts_ms (or null), text. */
export type PieceRow = [number, number, string, number | null, string];

/**
 * The search index's own DuckDB file (in the per-user data folder, whatever the state store is): one
 * instance, one connection, statements one at a time (SerialConnection), bulk rows through the Appender,
 * and `interrupt` to stop a query that ran past its time limit.
 */
export class SearchDb extends SerialConnection {
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    super();
  }

  static async open(file: string): Promise<SearchDb> {
    const path = resolve(file);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create the folder for the search index ${path}: ${errorMessage(error)} (set SESSION_INSPECTOR_HOME)`);
    }
    let instance: DuckDBInstance;
    try {
      instance = await duckdb().DuckDBInstance.create(path);
    } catch (error) {
      const message = errorMessage(error);
      if (/lock/i.test(message)) throw new BusyError(`the search index ${path} is in use by another Session Inspector process (the app?): ${message}`);
      throw new UsageError(`cannot open the search index ${path}: ${message} (delete it to build it again)`);
    }
    const db = new SearchDb(path, instance, await instance.connect());
    await db.migrate();
    return db;
  }

  private async migrate(): Promise<void> {
    await this.run("SET TimeZone = 'UTC'");
    // The index lives in the app's process: DuckDB's default (80% of RAM) let an index build of 100,000
    // sessions peak near 2 GB. Queries scan column segments and need little.
    await this.run(`SET memory_limit = '${MEMORY_LIMIT}'`);
    const known = await this.all("SELECT 1 FROM duckdb_tables() WHERE table_name = 'schema_version'");
    const version = known.length > 0 ? Number((await this.all('SELECT max(version) AS v FROM schema_version'))[0]?.v ?? 0) : 0;
    if (version !== SEARCH_SCHEMA_VERSION) {
      // A cache of the files: an index of another shape is dropped and built again, never migrated.
      for (const table of ['schema_version', 'search_sessions', 'search_pieces']) await this.run(`DROP TABLE IF EXISTS ${table}`);
    }
    for (const statement of SCHEMA) await this.run(statement);
    if (version !== SEARCH_SCHEMA_VERSION) await this.run('INSERT INTO schema_version VALUES ($1)', [SEARCH_SCHEMA_VERSION]);
  }

  /** Appends piece rows (inside the caller's transaction, on this connection's turn). */
  async appendPieces(rows: PieceRow[]): Promise<void> {
    const appender = await this.connection.createAppender('search_pieces');
    try {
      for (const [sid, line, role, ts, text] of rows) {
        appender.appendInteger(sid);
        appender.appendInteger(line);
        appender.appendVarchar(role);
        if (ts === null) appender.appendNull();
        else appender.appendDouble(ts);
        appender.appendVarchar(text);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Stops the statement running now (DuckDB checks between vectors); it fails with an interrupt error. */
  interrupt(): void {
    if (!this.closed) this.connection.interrupt();
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    }).catch(() => undefined);
  }

  protected assertUsable(): void {
    if (this.closed) throw new Error(`the search index ${this.location} is closed`);
  }

  protected readonly direct: Connection = {
    run: async (sql: string, params?: SqlParams) => {
      await this.connection.run(sql, duckParams(params));
    },
    all: async (sql: string, params?: SqlParams) => toJsonRows(await this.connection.runAndReadAll(sql, duckParams(params))),
    insertRows: () => Promise.reject(new Error('the search index appends through appendPieces')),
    insertJsonRow: () => Promise.reject(new Error('the search index appends through appendPieces')),
  };
}
