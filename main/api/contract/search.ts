// The contract's search domain: full-text search over every session of the folder, live or gone.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export type SearchRole = 'user' | 'assistant' | 'tool';
export const SEARCH_ROLES: readonly SearchRole[] = ['user', 'assistant', 'tool'];

export interface SearchArgs {
  /** Plain text (any case), or an RE2 regular expression with `regex`. */
  text: string;
  regex?: boolean;
  roles?: SearchRole[];
  /** A project: its folder name, full path or Claude Code's encoded folder. */
  project?: string;
  /** Hits at or after this instant (ISO-8601). */
  since?: string;
  offset?: number;
  /** At most 200 hits a page. */
  limit?: number;
}

/** One line that matched. Text is untrusted: render it as text, never as HTML. */
export interface SearchHit {
  sessionKey: string;
  /** The file line (1-based): `sessions/transcript` with this `fromLine` starts there. */
  lineNo: number;
  role: SearchRole;
  time: string | null;
  /** The snippet: before the match, the match, after it. */
  before: string;
  match: string;
  after: string;
}

export interface SearchIndexStatus {
  /** Sessions of the folder in the index. */
  indexed: number;
  /** The index is catching up with the folder: hits may still be missing. */
  updating: boolean;
  /** Sessions read and to read by the update running (or the last one). */
  progress: { done: number; total: number } | null;
}

export interface SearchResult {
  hits: SearchHit[];
  /** More hits follow (ask with offset + limit). */
  more: boolean;
  index: SearchIndexStatus;
}
