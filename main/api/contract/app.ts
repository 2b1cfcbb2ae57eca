// The contract's app domain: what the header and Settings show of the app, its folder and its store.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  /** null until a session folder is chosen (first run). */
  sessionRoot: string | null;
  /** Why the chosen folder cannot be used right now (missing, unreadable), or null. */
  sessionRootError: string | null;
  /** ~/.claude/projects (or $SESSION_DATA_DIR / $CLAUDE_CONFIG_DIR/projects) and whether it exists. */
  defaultSessionRoot: string;
  defaultRootExists: boolean;
  recentRoots: string[];
  /** Where state lives: the DuckDB file, or a team's PostgreSQL server (URL without its password). */
  stateStore: StateStoreInfo;
  /** A native folder picker is available (Electron); in a browser the user types or pastes a path. */
  canPickFolder: boolean;
}

export interface StateStoreInfo {
  backend: 'duckdb' | 'postgres';
  location: string;
  /** Other runners and analysts use it too (PostgreSQL). */
  shared: boolean;
}
