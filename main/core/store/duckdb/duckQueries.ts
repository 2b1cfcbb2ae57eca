import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError, errorMessage } from '../../errors.js';
import type { QueryTable } from '../database.js';
import { toJsonRows, type JsonRow } from '../jsonRows.js';

/** Statement types a read-only query may contain (SELECT, EXPLAIN). */
const READ_ONLY_STATEMENT_TYPES = new Set([1, 4]);

/** Checks every statement of `sql` is a SELECT or EXPLAIN (asked of DuckDB's parser); returns how many there are. */
async function assertReadOnly(c: DuckDBConnection, sql: string): Promise<number> {
  let extracted;
  try {
    extracted = await c.extractStatements(sql);
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
export function asSubquery(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

export async function duckReadOnlyRows(c: DuckDBConnection, sql: string): Promise<JsonRow[]> {
  await assertReadOnly(c, sql);
  try {
    return toJsonRows(await c.runAndReadAll(sql));
  } catch (error) {
    throw new UsageError(`query: ${errorMessage(error)}`);
  }
}

/** A single SELECT is limited in DuckDB, so a huge result is never materialised for a page of it. */
export async function duckReadOnlyTable(c: DuckDBConnection, sql: string, limit: number): Promise<QueryTable> {
  const count = await assertReadOnly(c, sql);
  const wrap = count === 1 && /^\s*(select|with|from|values|table|summarize|describe|show|pivot|unpivot)\b/i.test(sql);
  const text = wrap ? `SELECT * FROM (${asSubquery(sql)}) LIMIT ${limit + 1}` : sql;
  let reader;
  try {
    reader = await c.runAndReadAll(text);
  } catch (error) {
    throw new UsageError(`query: ${errorMessage(error)}`);
  }
  const names = reader.columnNames();
  const columns = reader.columnTypes().map((type, i) => ({ name: names[i], type: type.alias ?? type.toString() }));
  const objects = toJsonRows(reader);
  const rows = objects.slice(0, limit).map((row) => names.map((n) => row[n]));
  return { columns, rows, truncated: objects.length > limit };
}

export async function duckExport(c: DuckDBConnection, sql: string, format: 'csv' | 'parquet', file: string): Promise<number> {
  const count = await assertReadOnly(c, sql);
  if (count !== 1) throw new UsageError('export takes one SELECT statement');
  const options = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet)';
  try {
    const rows = toJsonRows(await c.runAndReadAll(`COPY (${asSubquery(sql)}) TO '${file.replace(/'/g, "''")}' ${options}`));
    return Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
  } catch (error) {
    throw new UsageError(`export: ${errorMessage(error)}`);
  }
}
