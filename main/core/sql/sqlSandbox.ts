import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from '../store/commonjs.js';
import { errorMessage } from '../errors.js';
import type { SqlSpec } from '../plugins/processorSchema.js';
import { RECORDS_RELATION, SESSIONS_RELATION, castOnly, ident, literal, selectProblems } from './sqlGuard.js';
import { SQL_FUNCTION_STATEMENTS } from './sqlFunctions.js';

export interface SandboxOptions {
  /** The session root: the only folder this DuckDB may read, and only through the host's own statements. */
  root: string;
  /** DuckDB threads, and batches run side by side (default: one per core). */
  threads?: number;
  /** DuckDB's memory limit, MB (default 512): a query past it fails with an out-of-memory error. */
  memoryLimitMb?: number;
}

/** A SQL processor as the sandbox runs it: its declaration checked against DuckDB. */
export interface CheckedSql {
  /** Record fields and their types, normalized by DuckDB (the parse groups compare these). */
  columns: Record<string, string>;
  /** The plugin's SELECT, trailing semicolons removed. */
  query: string;
  /** The query's output columns other than session_file: the item fields, in order. */
  fields: string[];
}

export const DEFAULT_SQL_MEMORY_MB = 512;

/**
 * The DuckDB that runs SQL processors: in memory, separate from the state store, able to read only the
 * session root (external access off, configuration locked), with a memory limit and a private spill folder.
 * Plugin SQL is checked on DuckDB's parse tree (sqlGuard) before it may run here, so the only things it
 * can read are the records of the sessions being processed and nothing it runs can write.
 */
export class SqlSandbox {
  private closed = false;

  /** Connections not running a batch. DuckDB runs a read_blob pipeline on one thread, so batches run side by side. */
  private readonly idle: DuckDBConnection[];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];

  private constructor(
    readonly root: string,
    private readonly instance: DuckDBInstance,
    /** For checks (and the first batch). */
    readonly connection: DuckDBConnection,
    private readonly others: DuckDBConnection[],
    private readonly spillDir: string,
  ) {
    this.idle = [connection, ...others];
  }

  /** How many batches may run at once. */
  get parallelism(): number {
    return this.others.length + 1;
  }

  /** Runs fn on a connection of its own (temp tables are per connection), waiting for one to be free. */
  async withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.idle.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(connection);
    } finally {
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.idle.push(connection);
    }
  }

  static async open(options: SandboxOptions): Promise<SqlSandbox> {
    const root = resolve(options.root);
    const spillDir = mkdtempSync(join(tmpdir(), 'si-sql-'));
    const config: Record<string, string> = {
      memory_limit: `${options.memoryLimitMb ?? DEFAULT_SQL_MEMORY_MB}MB`,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      // Rows carry their session and line number; keeping the reader's order cost a third of a parse.
      preserve_insertion_order: 'false',
    };
    if (options.threads) config.threads = String(options.threads);
    let instance: DuckDBInstance | undefined;
    try {
      instance = await duckdb().DuckDBInstance.create(':memory:', config);
      const connection = await instance.connect();
      for (const statement of [
        "SET TimeZone = 'UTC'",
        `SET temp_directory = ${literal(spillDir)}`,
        `SET allowed_directories = [${literal(root.endsWith(sep) ? root : root + sep)}]`,
        'SET enable_external_access = false',
        ...SQL_FUNCTION_STATEMENTS,
        'SET lock_configuration = true',
      ]) {
        await connection.run(statement);
      }
      const others: DuckDBConnection[] = [];
      for (let i = 1; i < (options.threads ?? availableParallelism()); i++) others.push(await instance.connect());
      return new SqlSandbox(root, instance, connection, others, spillDir);
    } catch (error) {
      instance?.closeSync();
      rmSync(spillDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Every problem of a SQL processor's declaration, or its checked form. */
  async check(spec: SqlSpec): Promise<{ checked?: CheckedSql; problems: string[] }> {
    const problems: string[] = [];
    const columns: Record<string, string> = {};
    for (const [field, type] of Object.entries(spec.columns)) {
      const probe = `SELECT CAST(NULL AS ${type})`;
      if (!castOnly(await this.serialize(probe))) {
        problems.push(`columns.${field}: "${type}" is not a DuckDB type`);
        continue;
      }
      try {
        columns[field] = String((await this.connection.runAndReadAll(`SELECT typeof(${probe.slice('SELECT '.length)}) AS t`)).getRowObjectsJS()[0].t);
      } catch (error) {
        problems.push(`columns.${field}: "${type}" is not a DuckDB type (${firstLine(errorMessage(error))})`);
      }
    }
    const query = spec.sql.trim().replace(/(;\s*)+$/, '');
    problems.push(...selectProblems(await this.serialize(query)));
    if (problems.length > 0) return { problems };
    // Run against an empty records relation of the declared columns: names, types and functions resolve.
    try {
      await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${RECORDS_RELATION} AS ${emptyRecords(columns)}`);
      await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${SESSIONS_RELATION} AS ${sessionsRelation([])}`);
      const described = (await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM (\n${query}\n) AS si_query`)).getRowObjectsJS();
      const names = described.map((row) => String(row.column_name));
      if (!names.includes('session_file')) problems.push('sql must return a session_file column (each row is one item of that session)');
      const fields = names.filter((n) => n !== 'session_file');
      const duplicate = fields.find((n, i) => fields.indexOf(n) !== i);
      if (duplicate) problems.push(`sql returns the column "${duplicate}" twice`);
      if (problems.length > 0) return { problems };
      return { checked: { columns, query, fields }, problems };
    } catch (error) {
      return { problems: [`sql does not run against records: ${firstLine(errorMessage(error))}`] };
    }
  }

  private async serialize(sql: string): Promise<string> {
    return String((await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql])).getRowObjectsJS()[0].tree);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const connection of [this.connection, ...this.others]) connection.closeSync();
      this.instance.closeSync();
    } finally {
      rmSync(this.spillDir, { recursive: true, force: true });
    }
  }
}

/** A records relation with no rows and the given columns (for checks). */
function emptyRecords(columns: Record<string, string>): string {
  const cols = Object.entries(columns).map(([field, type]) => `CAST(NULL AS ${type}) AS ${ident(field)}`);
  return `SELECT CAST(NULL AS VARCHAR) AS session_file, CAST(NULL AS BIGINT) AS line_no${cols.map((c) => `, ${c}`).join('')} WHERE false`;
}

/** The sessions relation over these sessions (session key, malformed lines), as a query. */
export function sessionsRelation(sessions: [string, number][]): string {
  if (sessions.length === 0) return 'SELECT CAST(NULL AS VARCHAR) AS session_file, CAST(NULL AS BIGINT) AS malformed_lines WHERE false';
  const rows = sessions.map(([key, malformed]) => `(${literal(key)}, ${malformed})`).join(', ');
  return `SELECT CAST(session_file AS VARCHAR) AS session_file, CAST(malformed_lines AS BIGINT) AS malformed_lines
    FROM (VALUES ${rows}) AS s(session_file, malformed_lines)`;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
