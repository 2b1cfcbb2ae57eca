import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from '../commonjs.js';
import { BusyError, UsageError, errorMessage } from '../../errors.js';
import type { ColumnSpec, Connection, Database, SqlParams, SqlValue } from '../database.js';
import { onlySessionsIn } from '../database.js';
import { SerialConnection } from '../serialConnection.js';
import { toJsonRows } from '../jsonRows.js';
import { schemaCatalog } from '../catalog.js';
import { duckExport, duckReadOnlyRows, duckReadOnlyTable } from './duckQueries.js';

/** The log size that triggers a checkpoint on its own (DuckDB's default is 16 MB). */
const RUN_CHECKPOINT_THRESHOLD = '64MB';

/**
 * The embedded store: one DuckDB file, one instance, one connection, and a queue so that no two statements
 * ever run at once on it (DuckDB connections are not safe for interleaved use). DuckDB lets one process
 * write a file, so this store is never shared and needs no session claims.
 */
export class DuckDatabase extends SerialConnection implements Database {
  readonly backend = 'duckdb';
  readonly shared = false;
  readonly jsonObjectFunction = 'json_object';
  private closed = false;
  /** Whether each table bulk-inserted into is a temp table (the appender must be told), asked once. */
  private readonly tempTables = new Map<string, boolean>();

  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    super();
  }

  protected assertUsable(): void {
    if (this.closed) throw new Error(`database ${this.location} is closed`);
  }

  /** The file path (an alias of location, kept for the app's settings and messages). */
  get path(): string {
    return this.location;
  }

  static async open(file: string, options: { readOnly?: boolean } = {}): Promise<DuckDatabase> {
    const path = resolve(file);
    if (!options.readOnly) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw new UsageError(`cannot create the folder for database ${path}: ${errorMessage(error)} (set --state or SESSION_INSPECTOR_STATE)`);
      }
    }
    let instance: DuckDBInstance;
    try {
      if (!options.readOnly) {
        clearKilledCreations(path);
        if (!existsSync(path)) await createDatabaseFile(path);
      }
      instance = await duckdb().DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (error) {
      throw describeOpenError(path, error);
    }
    const db = new DuckDatabase(path, instance, await instance.connect());
    await db.run("SET TimeZone = 'UTC'").catch(() => undefined); // timestamps are UTC, whatever the machine's zone
    // Fewer checkpoints during a run (afterRun does one when it ends): each one in the middle of a run's
    // commits held about 25 MB more at the peak of a cold run over 2,000 sessions, while the plugin
    // processes were busy. Bounded, because data not yet checkpointed stays in memory: with no automatic
    // checkpoint at all, the cold run over 100,000 sessions peaked 300 MB higher.
    if (!options.readOnly) await db.run(`SET checkpoint_threshold = '${RUN_CHECKPOINT_THRESHOLD}'`).catch(() => undefined);
    return db;
  }

  async afterRun(): Promise<void> {
    await this.run('CHECKPOINT').catch(() => undefined); // failing leaves it to the next one: nothing is lost
  }

  /** Nothing: DuckDB scans columns fast enough that an index would only slow down bulk writes. */
  async afterMigrations(): Promise<void> {}

  /** DuckDB's file lock already keeps every other process out. */
  withSchemaLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async updateStatistics(): Promise<void> {
    // DuckDB keeps the statistics of every table as it is written.
  }

  typedItems(processor: string, columns: Record<string, string>, sessionsTable?: string): string {
    // One json_transform parses each item once for all its columns (a json_extract per column parses it
    // once per column: 3x slower over token_usage); both read a value that does not convert as NULL.
    // JSON columns keep json_extract, which reads a JSON null as 'null' as PostgreSQL's `->` does.
    const fields = Object.entries(columns);
    const typed = fields.filter(([, type]) => type !== 'JSON');
    const shape = JSON.stringify(Object.fromEntries(typed.map(([field, type]) => [field, type === 'VARCHAR[]' ? ['VARCHAR'] : type])));
    const select = fields.map(([field, type]) => (type === 'JSON' ? `json_extract(item, '$."${field}"')` : `j."${field}"`) + ` AS "${field}"`);
    const transformed = typed.length > 0 ? `, json_transform(item, '${shape}') AS j` : '';
    return `SELECT session_file, item_index, ${select.join(', ')}
      FROM (SELECT session_file, item_index, item${transformed} FROM processor_items WHERE processor_name = '${processor}'${onlySessionsIn(sessionsTable)})`;
  }

  readOnlyTable(sql: string, limit: number) {
    return this.exclusive(() => duckReadOnlyTable(this.connection, sql, limit));
  }

  readOnlyRows(sql: string) {
    return this.exclusive(() => duckReadOnlyRows(this.connection, sql));
  }

  exportQuery(sql: string, format: 'csv' | 'parquet', file: string) {
    return this.exclusive(() => duckExport(this.connection, sql, format, file));
  }

  catalog() {
    return schemaCatalog(this);
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    }).catch(() => undefined);
  }

  protected readonly direct: Connection = {
    run: async (sql, params) => {
      await this.connection.run(sql, duckParams(params));
    },
    all: async (sql, params) => toJsonRows(await this.connection.runAndReadAll(sql, duckParams(params))),
    insertRows: async (table, columns, rows) => appendRows(this.connection, table, columns, rows, this.tempTables),
    insertJsonRow: async (table, json) => insertFromJson(this.direct, table, json),
  };
}

/** Binds parameters for @duckdb/node-api: lists become DuckDB list values (`= ANY($keys)`), the rest as is. */
export function duckParams(params: SqlParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  const convert = (value: SqlValue): DuckDBValue => (Array.isArray(value) ? duckdb().listValue(value) : value);
  if (Array.isArray(params)) return params.map(convert);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, convert(v)]));
}

/** Temp tables live in the `temp` catalog; the appender must be told. */
async function appendRows(
  connection: DuckDBConnection,
  table: string,
  columns: ColumnSpec[],
  rows: SqlValue[][],
  tempTables: Map<string, boolean>,
): Promise<void> {
  let temp = tempTables.get(table);
  if (temp === undefined) {
    temp = (await connection.runAndReadAll('SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = $1', [table])).currentRowCount > 0;
    tempTables.set(table, temp); // tables are never dropped or re-created as the other kind
  }
  const appender = await connection.createAppender(table, temp ? 'main' : null, temp ? 'temp' : null);
  try {
    // One writer per column, chosen once: the per-value type switch cost as much as the appends themselves.
    const writers = columns.map((column) => columnWriter(appender, column));
    for (const row of rows) {
      for (let i = 0; i < writers.length; i++) {
        const value = row[i];
        if (value === null) appender.appendNull();
        else writers[i](value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } catch (error) {
    try {
      appender.closeSync();
    } catch {
      // closing after a failed flush fails too ("transaction is aborted"); the flush's error is the one that explains
    }
    throw error;
  }
  appender.closeSync();
}

function columnWriter(appender: DuckDBAppender, column: ColumnSpec): (value: Exclude<SqlValue, null>) => void {
  switch (column.type) {
    case 'VARCHAR':
    case 'JSON':
      return (value) => appender.appendVarchar(String(value));
    case 'INTEGER':
      return (value) => appender.appendInteger(Number(value));
    case 'BIGINT':
      return (value) => appender.appendBigInt(BigInt(value as number));
    case 'DOUBLE':
      return (value) => appender.appendDouble(Number(value));
    case 'BOOLEAN':
      return (value) => appender.appendBoolean(Boolean(value));
    case 'TIMESTAMP':
      return (value) => appender.appendTimestamp(new (duckdb().DuckDBTimestampValue)(BigInt(Date.parse(String(value))) * 1000n));
  }
}

/** Inserts a row from its to_json image, casting each column to the table's type. */
async function insertFromJson(c: Connection, table: string, json: string): Promise<void> {
  const types = await c.all(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position`,
    { t: table },
  );
  const selects = types.map((t) => `TRY_CAST(json_extract_string($row::JSON, '$.${t.column_name}') AS ${t.data_type}) AS "${t.column_name}"`);
  const names = types.map((t) => `"${t.column_name}"`);
  await c.run(`INSERT INTO ${table} (${names.join(', ')}) SELECT ${selects.join(', ')}`, { row: json });
}

/** DuckDB allows one writing process per file; turn its lock error into one that names the holder. */
/**
 * Makes a new, empty database file that appears whole or not at all. DuckDB writes a new file's headers in
 * place, so a process killed while creating one left a file DuckDB refuses ("not a valid DuckDB database
 * file") and every later open failed. Here the file is made in a folder beside it under a name of this
 * process's, made durable, and linked into place (a link never replaces a file another process made
 * meanwhile).
 */
async function createDatabaseFile(path: string): Promise<void> {
  const folder = dirname(path);
  const workspace = creationFolder(path);
  mkdirSync(workspace, { recursive: true });
  const temporary = join(workspace, `${process.pid}-${Date.now()}.duckdb`);
  try {
    const instance = await duckdb().DuckDBInstance.create(temporary);
    const connection = await instance.connect();
    await connection.run('CHECKPOINT');
    connection.closeSync();
    instance.closeSync();
    syncPath(temporary);
    try {
      linkSync(temporary, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links: a rename, which could only replace a file made in this instant.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      renameSync(temporary, path);
    }
    try {
      syncPath(folder);
    } catch {
      // Not every platform can sync a folder (Windows); the file itself is durable.
    }
  } finally {
    rmSync(temporary, { force: true });
    rmSync(`${temporary}.wal`, { force: true });
    removeIfEmpty(workspace);
  }
}

/** Where a database file is made before it is linked into place: `.NAME.creating` beside it. */
function creationFolder(path: string): string {
  return join(dirname(path), `.${basename(path)}.creating`);
}

/** What processes killed while creating this file left (one stat when there is nothing). */
function clearKilledCreations(path: string): void {
  const workspace = creationFolder(path);
  if (!existsSync(workspace)) return;
  for (const name of readdirSync(workspace)) {
    const pid = Number.parseInt(name, 10);
    if (!(Number.isInteger(pid) && processAlive(pid))) rmSync(join(workspace, name), { force: true });
  }
  removeIfEmpty(workspace);
}

function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // Not empty: another process is creating the file right now, and removes the folder when it is done.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function describeOpenError(path: string, error: unknown): Error {
  const message = errorMessage(error);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return new BusyError(
      `database ${path} is in use by another process (${lock[1]}, PID ${lock[2]}): ` +
        'close the Session Inspector app or the other command, or use another --state',
    );
  }
  if (/Could not set lock/.test(message)) return new BusyError(`database ${path} is in use by another process: ${message}`);
  return new UsageError(`cannot open database ${path}: ${message}`);
}
