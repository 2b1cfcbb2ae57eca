import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { BusyError, UsageError, errorMessage } from '../errors.js';
import { toJsonRows, type JsonRow } from './jsonRows.js';

type Params = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * The one owner of a DuckDB file: one instance, one connection, and a queue so that no two statements
 * ever run at once on it (DuckDB connections are not safe for interleaved use). Transactions go through
 * `transaction()`, which holds the queue for the whole unit of work.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(readonly path: string, private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  static async open(file: string, options: { readOnly?: boolean } = {}): Promise<Database> {
    const path = resolve(file);
    if (!options.readOnly) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw new UsageError(`cannot create the folder for database ${path}: ${errorMessage(error)} (set --db or SESSION_INSPECTOR_DB)`);
      }
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (error) {
      throw describeOpenError(path, error);
    }
    return new Database(path, instance, await instance.connect());
  }

  /** Runs fn with exclusive use of the connection. */
  exclusive<T>(fn: (db: Connection) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error(`database ${this.path} is closed`);
      return fn(this.direct);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs fn inside BEGIN … COMMIT; any throw rolls back, so a unit of work lands whole or not at all. */
  transaction<T>(fn: (db: Connection) => Promise<T>): Promise<T> {
    return this.exclusive(async (db) => {
      await db.run('BEGIN TRANSACTION');
      try {
        const result = await fn(db);
        await db.run('COMMIT');
        return result;
      } catch (error) {
        await db.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  all(sql: string, params?: Params): Promise<JsonRow[]> {
    return this.exclusive((db) => db.all(sql, params));
  }

  run(sql: string, params?: Params): Promise<void> {
    return this.exclusive((db) => db.run(sql, params));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    }).catch(() => undefined);
  }

  /** Statement helpers bound to the raw connection; only ever handed out inside exclusive(). */
  private readonly direct: Connection = {
    run: async (sql, params) => {
      await this.connection.run(sql, params);
    },
    all: async (sql, params) => toJsonRows(await this.connection.runAndReadAll(sql, params)),
    raw: () => this.connection,
  };
}

export interface Connection {
  run(sql: string, params?: Params): Promise<void>;
  all(sql: string, params?: Params): Promise<JsonRow[]>;
  /** For appenders and statement inspection. */
  raw(): DuckDBConnection;
}

/** DuckDB allows one writing process per file; turn its lock error into one that names the holder. */
function describeOpenError(path: string, error: unknown): Error {
  const message = errorMessage(error);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return new BusyError(`database ${path} is in use by another process (${lock[1]}, PID ${lock[2]}): close the Session Inspector app or the other command, or use another --db`);
  }
  if (/Could not set lock/.test(message)) return new BusyError(`database ${path} is in use by another process: ${message}`);
  return new UsageError(`cannot open database ${path}: ${message}`);
}
