// The contract's query domain: the read-only SQL console, its catalog and exports.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  /** Row values in column order, JSON-safe. */
  rows: unknown[][];
  /** More rows exist than were returned (see `limit`). */
  truncated: boolean;
  elapsedMs: number;
}

export interface CatalogEntry {
  name: string;
  kind: 'table' | 'view';
  columns: QueryColumn[];
}

export interface ExportResult {
  fileName: string;
  rows: number;
  /** Browser mode: where to download it. */
  downloadUrl: string | null;
  /** Electron: where it was saved (null if the user cancelled the dialog). */
  savedTo: string | null;
}
