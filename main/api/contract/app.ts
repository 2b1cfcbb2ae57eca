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
  archive: ArchiveInfo;
}

/** The archive of sessions (docs/archive.md): where it is, and why it cannot be used right now. */
export interface ArchiveInfo {
  /** The archive folder; null when archiving is off. */
  folder: string | null;
  /** Why it could not be opened last time (a read-only or missing mount, another process using it), or null. */
  problem: string | null;
}

/** What the archive holds (`session-inspector archive status`). */
export interface ArchiveStatus {
  sessions: number;
  /** Sessions whose file is gone, readable only from the archive. */
  sourceGone: number;
  rawBytes: number;
  packedBytes: number;
  /** Bytes of settled sessions not packed together yet. */
  unpackedSettledBytes: number;
  /** The app packs them between runs once they add up to this many bytes (fewer would make poor packs). */
  packsFromBytes: number;
  /** When the oldest archived session last changed at its source (ISO-8601), or null. */
  oldest: string | null;
}

export interface StateStoreInfo {
  backend: 'duckdb' | 'postgres';
  location: string;
  /** Other runners and analysts use it too (PostgreSQL). */
  shared: boolean;
}
