// The read-only SQL console: catalog sidebar, results, export.
import type { CatalogEntry, ExportResult, QueryResult } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

/** Rows shown in the results grid; more are reported as truncated (export has them all). */
export const QUERY_ROW_LIMIT = 5000;
export const DEFAULT_SQL = 'SELECT processor_name, count(*) AS sessions, sum(items_extracted) AS items\nFROM session_processor_state\nGROUP BY ALL\nORDER BY 1';

export interface QueryData {
  sql: string;
  result: QueryResult | null;
  /** The SQL the result is of (exports use it, not the text being edited). */
  resultSql: string | null;
  error: string | null;
  running: boolean;
  catalog: CatalogEntry[];
  exported: ExportResult | null;
}

export interface QuerySliceState {
  query: QueryData;
  setSql(sql: string): void;
  runQuery(): Promise<void>;
  loadCatalog(): Promise<void>;
  exportQuery(format: 'csv' | 'parquet'): Promise<ExportResult | null>;
}

export const createQuerySlice: SliceCreator<QuerySliceState> = (set, get, { api }) => {
  const patch = (p: Partial<QueryData>) => set({ query: { ...get().query, ...p } });
  return {
    query: { sql: DEFAULT_SQL, result: null, resultSql: null, error: null, running: false, catalog: [], exported: null },

    setSql(sql) {
      patch({ sql });
    },

    async runQuery() {
      const sql = get().query.sql;
      if (!sql.trim()) return;
      patch({ running: true, error: null, exported: null });
      try {
        const result = await api.call('query/run', { sql, limit: QUERY_ROW_LIMIT });
        patch({ result, resultSql: sql, running: false });
      } catch (error) {
        patch({ error: errorMessage(error), running: false });
      }
    },

    async loadCatalog() {
      try {
        patch({ catalog: await api.call('query/catalog', {}) });
      } catch (error) {
        patch({ error: errorMessage(error) });
      }
    },

    async exportQuery(format) {
      const sql = get().query.resultSql ?? get().query.sql;
      try {
        const exported = await api.call('query/export', { sql, format });
        patch({ exported, error: null });
        return exported;
      } catch (error) {
        patch({ error: errorMessage(error) });
        return null;
      }
    },
  };
};
