import { isPostgresUrl, type Database } from './database.js';

/**
 * Opens the store a user named: a postgres:// URL or a DuckDB file. Apart from database.ts, which both
 * implementations import for the interface, and loaded on use: a DuckDB user never loads pg, and the
 * other way round.
 */
export async function openDatabase(target: string): Promise<Database> {
  if (isPostgresUrl(target)) {
    const { PostgresDatabase } = await import('./postgres/pgDatabase.js');
    return PostgresDatabase.open(target);
  }
  const { DuckDatabase } = await import('./duckdb/duckDatabase.js');
  return DuckDatabase.open(target);
}
