import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';
import type PgApi from 'pg';

/**
 * The CommonJS database drivers, loaded with `require`. Imported as ES modules, Node 20 runs its export
 * lexer over every file they require: for @duckdb/node-api's 120 files that was 0.3 s of every start
 * (about a tenth of a no-op rerun over 100,000 sessions). Loaded on first use, so a DuckDB run never
 * loads pg and a PostgreSQL run loads DuckDB only to write Parquet.
 */
const require = createRequire(import.meta.url);

export const duckdb = (): typeof DuckDBApi => require('@duckdb/node-api') as typeof DuckDBApi;
export const pg = (): typeof PgApi => require('pg') as typeof PgApi;
