import { existsSync } from 'node:fs';
import type { Json, JsonRow } from './jsonRows.js';

/** A parameter: arrays are lists (`= ANY($keys::VARCHAR[])`); times are passed as ISO-8601 UTC strings. */
export type SqlValue = string | number | boolean | null | string[];
/** Positional (`$1`) or named (`$name`) parameters; both backends take both. */
export type SqlParams = SqlValue[] | Record<string, SqlValue>;

/** Column types a bulk insert knows how to send. */
export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'JSON';
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** Statement helpers on the one connection, handed out only inside `exclusive()` / `transaction()`. */
export interface Connection {
  run(sql: string, params?: SqlParams): Promise<void>;
  all(sql: string, params?: SqlParams): Promise<JsonRow[]>;
  /** Appends many rows at once (DuckDB's appender, PostgreSQL's unnest): far cheaper than one INSERT per row. */
  insertRows(table: string, columns: ColumnSpec[], rows: SqlValue[][]): Promise<void>;
  /** Inserts one row of `table` from its `to_json` image (undo puts rows back this way). */
  insertJsonRow(table: string, json: string): Promise<void>;
}

export interface QueryTable {
  columns: { name: string; type: string }[];
  rows: Json[][];
  truncated: boolean;
}

export interface CatalogEntry {
  name: string;
  kind: 'table' | 'view';
  columns: { name: string; type: string }[];
}

/**
 * One state store's SQL database: the embedded DuckDB file (one process) or a team's PostgreSQL server
 * (many runners and analysts at once). The repository classes (StateStore, SessionIndex, OrphanStore,
 * stateEdits) write their SQL once, in the subset both understand; what differs lives behind this interface.
 * Statements on one Database never interleave: each runs with exclusive use of its connection.
 */
export interface Database {
  readonly backend: 'duckdb' | 'postgres';
  /** The file, or the server URL without its password: safe in messages and logs. */
  readonly location: string;
  /** Other processes may use the store at once: sessions must be claimed before they are processed. */
  readonly shared: boolean;
  /** How a JSON object is built in SQL: `json_object` (DuckDB) or `json_build_object` (PostgreSQL). */
  readonly jsonObjectFunction: string;

  exclusive<T>(fn: (c: Connection) => Promise<T>): Promise<T>;
  /** BEGIN … COMMIT around fn; any throw rolls back, so a unit of work lands whole or not at all. */
  transaction<T>(fn: (c: Connection) => Promise<T>): Promise<T>;
  all(sql: string, params?: SqlParams): Promise<JsonRow[]>;
  run(sql: string, params?: SqlParams): Promise<void>;
  /** Backend-specific additions on top of the shared schema, run after migrations (PostgreSQL: indexes). */
  afterMigrations(): Promise<void>;
  /** After a run's last commit: DuckDB checkpoints now (see DuckDatabase.open); PostgreSQL has nothing to do. */
  afterRun(): Promise<void>;
  /**
   * After tables were filled in bulk: PostgreSQL's planner knows nothing of a fresh temporary table (no
   * autovacuum reaches it) and joined 20,000 rows by nested loops; it is told. DuckDB keeps its statistics.
   */
  updateStatistics(c: Connection, tables: string[]): Promise<void>;
  /** Runs fn while no other process changes the schema (migrations, views): PostgreSQL's advisory lock. */
  withSchemaLock<T>(fn: () => Promise<T>): Promise<T>;

  /**
   * A SELECT of one processor's items as typed columns (session_file, item_index, then `columns`): a value
   * that does not convert reads as NULL (items are not trusted). Names and types were validated.
   * `sessionsTable` keeps only the sessions listed in that table's `session_file` column, before any item is parsed.
   */
  typedItems(processor: string, columns: Record<string, string>, sessionsTable?: string): string;
  /** Up to `limit` rows of SQL that can only read; anything that writes is refused. */
  readOnlyTable(sql: string, limit: number): Promise<QueryTable>;
  /** All rows of one read-only query as objects (the CLI's `query`). */
  readOnlyRows(sql: string): Promise<JsonRow[]>;
  /** Writes a read-only query's result to `file` as CSV (with a header) or Parquet; returns the row count. */
  exportQuery(sql: string, format: 'csv' | 'parquet', file: string): Promise<number>;
  /** Tables and views with their columns, for the SQL console. */
  catalog(): Promise<CatalogEntry[]>;
  close(): Promise<void>;
}

/** `--state` / SESSION_INSPECTOR_STATE values naming a PostgreSQL server rather than a DuckDB file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The target names a DuckDB file that does not exist yet: opening it creates an empty store. */
export function isNewStoreFile(target: string): boolean {
  return !isPostgresUrl(target) && !existsSync(target);
}

/** The condition typedItems adds to keep only the sessions listed in a table. */
export const onlySessionsIn = (table: string | undefined): string => (table ? ` AND session_file IN (SELECT session_file FROM ${table})` : '');

/** A timestamp column's UTC day as YYYY-MM-DD, in SQL both backends run. */
export const utcDay = (column: string): string => `CAST(CAST(${column} AS DATE) AS VARCHAR)`;
