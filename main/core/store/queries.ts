import { UsageError, errorMessage } from '../errors.js';
import type { Connection, Database } from './database.js';
import { toJsonRows, type Json } from './jsonRows.js';

/** Statement types a read-only query may contain (SELECT, EXPLAIN). */
const READ_ONLY_STATEMENT_TYPES = new Set([1, 4]);

/** Checks every statement of `sql` is a SELECT or EXPLAIN; returns how many there are. */
export async function assertReadOnly(c: Connection, sql: string): Promise<number> {
  let extracted;
  try {
    extracted = await c.raw().extractStatements(sql);
  } catch (error) {
    throw new UsageError(`query: ${errorMessage(error).replace(/^Failed to extract statements: /, '')}`);
  }
  if (extracted.count === 0) throw new UsageError('query: no SQL statement given');
  for (let i = 0; i < extracted.count; i++) {
    let prepared;
    try {
      prepared = await extracted.prepare(i);
    } catch (error) {
      throw new UsageError(`query: ${errorMessage(error)}`);
    }
    if (!READ_ONLY_STATEMENT_TYPES.has(prepared.statementType)) {
      throw new UsageError(`query is read-only: statement ${i + 1} is not a SELECT; use the state commands to change state`);
    }
  }
  return extracted.count;
}

/** A single statement, without a trailing semicolon, so it can be wrapped as a subquery. */
function asSubquery(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

export interface QueryTable {
  columns: { name: string; type: string }[];
  rows: Json[][];
  truncated: boolean;
}

/** Up to `limit` rows of a read-only query, with column names and types (a single SELECT is limited in DuckDB). */
export async function readOnlyTable(db: Database, sql: string, limit: number): Promise<QueryTable> {
  return db.exclusive(async (c) => {
    const count = await assertReadOnly(c, sql);
    const wrap = count === 1 && /^\s*(select|with|from|values|table|summarize|describe|show|pivot|unpivot)\b/i.test(sql);
    const text = wrap ? `SELECT * FROM (${asSubquery(sql)}) LIMIT ${limit + 1}` : sql;
    let reader;
    try {
      reader = await c.raw().runAndReadAll(text);
    } catch (error) {
      throw new UsageError(`query: ${errorMessage(error)}`);
    }
    const names = reader.columnNames();
    const columns = reader.columnTypes().map((type, i) => ({ name: names[i], type: type.alias ?? type.toString() }));
    const objects = toJsonRows(reader);
    const rows = objects.slice(0, limit).map((row) => names.map((n) => row[n]));
    return { columns, rows, truncated: objects.length > limit };
  });
}

/** Writes a read-only query's full result to `file` as CSV (with a header) or Parquet; returns the row count. */
export async function exportQuery(db: Database, sql: string, format: 'csv' | 'parquet', file: string): Promise<number> {
  return db.exclusive(async (c) => {
    const count = await assertReadOnly(c, sql);
    if (count !== 1) throw new UsageError('export takes one SELECT statement');
    const options = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet)';
    try {
      const rows = await c.all(`COPY (${asSubquery(sql)}) TO '${file.replace(/'/g, "''")}' ${options}`);
      return Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
    } catch (error) {
      throw new UsageError(`export: ${errorMessage(error)}`);
    }
  });
}

/** Tables and views of the database with their columns, for the SQL console's sidebar. */
export async function catalog(db: Database): Promise<{ name: string; kind: 'table' | 'view'; columns: { name: string; type: string }[] }[]> {
  const rows = await db.all(
    `SELECT t.table_name, t.table_type, c.column_name, c.data_type
     FROM information_schema.tables t JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
     WHERE t.table_schema = 'main' AND t.table_catalog = current_database()
     ORDER BY t.table_name, c.ordinal_position`,
  );
  const byName = new Map<string, { name: string; kind: 'table' | 'view'; columns: { name: string; type: string }[] }>();
  for (const row of rows) {
    const name = String(row.table_name);
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { name, kind: row.table_type === 'VIEW' ? 'view' : 'table', columns: [] }));
    entry.columns.push({ name: String(row.column_name), type: String(row.data_type) });
  }
  return [...byName.values()];
}
