import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { duckdb } from '../commonjs.js';
import { UsageError, errorMessage } from '../../errors.js';
import { schemaCatalog } from '../catalog.js';
import type { ColumnSpec, Connection, Database, QueryTable, SqlParams } from '../database.js';
import { onlySessionsIn } from '../database.js';
import type { Json, JsonRow } from '../jsonRows.js';
import { SerialConnection } from '../serialConnection.js';
import { connectPostgres } from './connect.js';
import { describePostgresUrl } from './url.js';
import { PG_INDEXES, PG_PRELUDE } from './prelude.js';
import { writeCsv } from './csv.js';

/** Any fixed number: the advisory lock every Session Inspector process takes to change the schema. */
const SCHEMA_LOCK_KEY = 0x5e55_1e1;
/** Rows per statement of a bulk insert (each column is one array parameter). */
const INSERT_CHUNK = 5_000;
const PG_TYPES: Record<ColumnSpec['type'], string> = {
  VARCHAR: 'varchar',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  TIMESTAMP: 'timestamp',
  JSON: 'json',
};

/**
 * A team's store on a PostgreSQL server. Same tables and SQL as the DuckDB file; one connection per
 * process, its statements queued like DuckDB's. Shared: several runners and analysts use it at once, so
 * runners claim sessions (see StateStore.claim) and edits compare-and-set.
 */
export class PostgresDatabase extends SerialConnection implements Database {
  readonly backend = 'postgres';
  readonly shared = true;
  readonly jsonObjectFunction = 'json_build_object';
  private closed = false;
  private readonly typeNames = new Map<number, string>();

  private constructor(
    readonly location: string,
    private readonly client: pg.Client,
  ) {
    super();
    // A dropped connection must not crash the process: the next statement fails with this error instead.
    client.on('error', (error) => {
      this.broken = error;
    });
  }
  private broken: Error | undefined;

  protected assertUsable(): void {
    if (this.closed) throw new Error(`state store ${this.location} is closed`);
    if (this.broken) throw new Error(`lost the connection to the state store ${this.location}: ${this.broken.message}`);
  }

  static async open(url: string): Promise<PostgresDatabase> {
    let client: pg.Client;
    try {
      client = await connectPostgres(url);
    } catch (error) {
      // The message already names the store (without its password) and the reason.
      throw new UsageError(`${errorMessage(error)} (the store named by --state or SESSION_INSPECTOR_STATE)`);
    }
    const db = new PostgresDatabase(describePostgresUrl(url), client);
    try {
      await db.withSchemaLock(() => db.run(PG_PRELUDE));
    } catch (error) {
      await db.close();
      throw new UsageError(`cannot prepare the PostgreSQL state store ${db.location}: ${errorMessage(error)}`);
    }
    return db;
  }

  async afterRun(): Promise<void> {}

  async updateStatistics(c: Connection, tables: string[]): Promise<void> {
    for (const table of tables) await c.run(`ANALYZE ${table}`);
  }

  afterMigrations(): Promise<void> {
    return this.withSchemaLock(() => this.run(PG_INDEXES));
  }

  /** A session-level advisory lock: runners starting together migrate one after the other. */
  async withSchemaLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await this.run('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    }
  }

  typedItems(processor: string, columns: Record<string, string>, sessionsTable?: string): string {
    const field = (name: string, type: string) => {
      const key = `'${name}'`; // a validated lower-case identifier
      if (type === 'JSON') return `(item->${key})`;
      if (type === 'VARCHAR') return `(item->>${key})`;
      if (type === 'VARCHAR[]') return `si_try_varchar_array(item->${key})`;
      return `si_try_${type.toLowerCase()}(item->>${key})`;
    };
    const select = Object.entries(columns).map(([name, type]) => `${field(name, type)} AS "${name}"`);
    return `SELECT session_file, item_index, ${select.join(', ')} FROM processor_items WHERE processor_name = '${processor}'${onlySessionsIn(sessionsTable)}`;
  }

  /** Read through a cursor in a READ ONLY transaction: the server refuses any write, and only a page is fetched. */
  readOnlyTable(sql: string, limit: number): Promise<QueryTable> {
    return this.readOnly(sql, async () => {
      const result = await this.query({ text: `FETCH ${limit + 1} FROM si_query`, rowMode: 'array' });
      const columns = [];
      for (const field of result.fields) columns.push({ name: field.name, type: await this.typeName(field.dataTypeID) });
      const rows = result.rows as Json[][];
      return { columns, rows: rows.slice(0, limit), truncated: rows.length > limit };
    });
  }

  readOnlyRows(sql: string): Promise<JsonRow[]> {
    return this.readOnly(sql, async () => (await this.query('FETCH ALL FROM si_query')).rows as JsonRow[]);
  }

  /** Rows stream from a cursor into the file; Parquet is written by an in-memory DuckDB from that CSV. */
  async exportQuery(sql: string, format: 'csv' | 'parquet', file: string): Promise<number> {
    const csvFile = format === 'csv' ? file : join(mkdtempSync(join(tmpdir(), 'si-export-')), 'rows.csv');
    try {
      const count = await this.readOnly(sql, () => writeCsv(csvFile, (n) => this.query({ text: `FETCH ${n} FROM si_query`, rowMode: 'array' })));
      if (format === 'parquet') {
        const duck = await duckdb().DuckDBInstance.create(':memory:');
        const c = await duck.connect();
        try {
          const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
          await c.run(`COPY (SELECT * FROM read_csv(${quote(csvFile)}, header = true)) TO ${quote(file)} (FORMAT parquet)`);
        } catch (error) {
          throw new UsageError(`export: ${errorMessage(error)}`);
        } finally {
          c.closeSync();
          duck.closeSync();
        }
      }
      return count;
    } finally {
      if (format === 'parquet') rmSync(join(csvFile, '..'), { recursive: true, force: true });
    }
  }

  async catalog() {
    const entries = await schemaCatalog(this);
    return entries.map((e) => ({ ...e, columns: e.columns.map((c) => ({ ...c, type: sqlTypeName(c.type) })) }));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      await this.client.end();
    }).catch(() => undefined);
  }

  private async readOnly<T>(sql: string, read: () => Promise<T>): Promise<T> {
    const text = sql.trim().replace(/;\s*$/, '');
    if (text === '') throw new UsageError('query: no SQL statement given');
    return this.exclusive(async () => {
      await this.query('BEGIN READ ONLY');
      try {
        try {
          // The extended protocol takes exactly one statement: `SELECT 1; COPY … TO '/file'` cannot ride along.
          await this.query({ text: `DECLARE si_query NO SCROLL CURSOR FOR ${text}`, queryMode: 'extended' } as pg.QueryConfig as pg.QueryArrayConfig);
        } catch (error) {
          const message = errorMessage(error);
          if (/cannot insert multiple commands/.test(message)) throw new UsageError('query is read-only: give one SELECT statement');
          // DECLARE takes only a SELECT (or VALUES/TABLE): a statement that writes fails there as a syntax error.
          if (/syntax error/.test(message) && WRITING_STATEMENT.test(text)) {
            throw new UsageError('query is read-only: the statement is not a SELECT; use the state commands to change state');
          }
          throw new UsageError(`query: ${message}`);
        }
        try {
          return await read();
        } catch (error) {
          if (error instanceof UsageError) throw error;
          const message = errorMessage(error);
          if (/read-only transaction/.test(message)) throw new UsageError('query is read-only: it tried to write; use the state commands to change state');
          throw new UsageError(`query: ${message}`);
        }
      } finally {
        await this.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  private async typeName(oid: number): Promise<string> {
    let name = this.typeNames.get(oid);
    if (name === undefined) {
      const result = await this.query('SELECT format_type($1::oid, NULL) AS name', [oid]);
      name = sqlTypeName(String(result.rows[0]?.name ?? oid));
      this.typeNames.set(oid, name);
    }
    return name;
  }

  private query(text: string | pg.QueryArrayConfig, values?: unknown[]): Promise<pg.QueryResult> {
    return typeof text === 'string' ? this.client.query(text, values) : this.client.query(text);
  }

  protected readonly direct: Connection = {
    run: async (sql, params) => {
      await this.query(...positional(sql, params));
    },
    all: async (sql, params) => (await this.query(...positional(sql, params))).rows as JsonRow[],
    insertRows: async (table, columns, rows) => {
      // JSON travels as text (json[] parameters would be parsed twice) and is cast once inserted.
      const unnest = columns.map((c, i) => `$${i + 1}::${c.type === 'JSON' ? 'text' : PG_TYPES[c.type]}[]`).join(', ');
      const selects = columns.map((c, i) => (c.type === 'JSON' ? `c${i}::json` : `c${i}`)).join(', ');
      const text = `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')})
        SELECT ${selects} FROM unnest(${unnest}) AS u(${columns.map((_, i) => `c${i}`).join(', ')})`;
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        const chunk = rows.slice(start, start + INSERT_CHUNK);
        await this.query(
          text,
          columns.map((_, i) => chunk.map((row) => row[i])),
        );
      }
    },
    insertJsonRow: async (table, json) => {
      await this.query(`INSERT INTO ${table} SELECT * FROM json_populate_record(NULL::${table}, $1::json)`, [json]);
    },
  };
}

/** Statements that change something (or the session), recognised by their first word. */
const WRITING_WORDS = (
  'insert update delete merge upsert create drop alter truncate copy grant revoke attach detach install load vacuum analyze call do set ' +
  'reset lock comment refresh reindex cluster begin start commit rollback savepoint release prepare execute deallocate discard listen notify ' +
  'import export checkpoint security reassign'
).split(' ');
const WRITING_STATEMENT = new RegExp(`^\\s*(${WRITING_WORDS.join('|')})\\b`, 'i');

/** PostgreSQL's names of the schema's types as DuckDB spells them, so the console reads the same on both. */
const TYPE_NAMES: Record<string, string> = {
  'character varying': 'VARCHAR',
  text: 'VARCHAR',
  'timestamp without time zone': 'TIMESTAMP',
  'timestamp with time zone': 'TIMESTAMP WITH TIME ZONE',
  'double precision': 'DOUBLE',
  'character varying[]': 'VARCHAR[]',
  'text[]': 'VARCHAR[]',
};
export function sqlTypeName(pgName: string): string {
  return TYPE_NAMES[pgName] ?? pgName.toUpperCase();
}

/**
 * The repositories write DuckDB-style `$name` parameters; PostgreSQL takes only `$1`. Names are replaced
 * outside quoted strings and identifiers, the same name getting the same number.
 */
const translated = new Map<string, { text: string; names: string[] }>();
function positional(sql: string, params: SqlParams | undefined): [string, unknown[] | undefined] {
  if (params === undefined || Array.isArray(params)) return [sql, params];
  let entry = translated.get(sql);
  if (!entry) {
    const names: string[] = [];
    const text = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_]\w*)/g, (match, name: string | undefined) => {
      if (name === undefined) return match;
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      return `$${index + 1}`;
    });
    entry = { text, names };
    if (translated.size < 1000) translated.set(sql, entry);
  }
  return [
    entry.text,
    entry.names.map((name) => {
      if (!(name in params)) throw new Error(`SQL parameter $${name} was not given`);
      return params[name];
    }),
  ];
}
