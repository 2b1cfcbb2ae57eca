// The contract's sessions domain: the paged list, its filters and columns, a session's detail and transcript.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

import type { FailureRow, StateRow } from './state.js';

export type ProcessorStatus = 'processed' | 'stale' | 'pending' | 'running' | 'failed' | 'quarantined';
export const PROCESSOR_STATUSES: readonly ProcessorStatus[] = ['processed', 'stale', 'pending', 'running', 'failed', 'quarantined'];

export interface StatusCell {
  processor: string;
  status: ProcessorStatus;
  /** Failed attempts on the current content (failed / quarantined). */
  attempts: number | null;
  lastError: string | null;
  processedAt: string | null;
  itemsExtracted: number | null;
}

/** The sessions list's columns (main/core/sessions/sessionColumns.ts holds each one's query). */
export type SessionColumnId =
  'title' | 'project' | 'branch' | 'started' | 'duration' | 'messages' | 'cost' | 'errors' | 'secrets' | 'path' | 'size' | 'modified';

export interface SessionColumnInfo {
  id: SessionColumnId;
  label: string;
  kind: 'text' | 'count' | 'usd' | 'seconds' | 'bytes' | 'time';
  /** The processor whose results fill the column (empty until it has run on the session); null: the scan knows it. */
  processor: string | null;
  description: string;
}

export interface SessionRow {
  sessionKey: string;
  /** The project or user folder (first path segment). */
  group: string;
  sizeBytes: number;
  modifiedAt: string;
  statuses: StatusCell[];
  /**
   * What the processors found (null until the column's processor has run on the session, or while it is
   * not loaded): see SessionColumnInfo.
   */
  title: string | null;
  /** The last folder of the records' cwd, else the encoded project folder. */
  project: string;
  /** The records' cwd, else the encoded project folder. */
  projectPath: string;
  branch: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationS: number | null;
  messages: number | null;
  prompts: number | null;
  replies: number | null;
  costUsd: number | null;
  /** Billed messages whose model has no price (they add nothing to costUsd). */
  unpricedMessages: number | null;
  toolErrors: number | null;
  secrets: number | null;
  /** The session this subagent transcript belongs to, when it was scanned too. */
  parentSession: string | null;
  /** Subagent transcripts listed under this session. */
  subagents: number;
}

export interface SessionFilter {
  /** Sessions having one of these statuses (for `processor`, or for any processor). */
  status?: ProcessorStatus[];
  processor?: string;
  group?: string;
  /** Substring of the title, the project's path or the session key (case-insensitive). */
  text?: string;
  /** A project: its name (last folder), its full path or its encoded folder. */
  project?: string;
  /** Sessions that started at or after / before these instants (ISO-8601); not yet summarized ones by their file's mtime. */
  startedFrom?: string;
  startedTo?: string;
  /** Sessions in which `secrets` / `errors` found something. */
  has?: ('secrets' | 'errors')[];
}

export type SessionSortKey = SessionColumnId;

export interface SessionQuery extends SessionFilter {
  offset: number;
  /** At most 500 rows a page: the list is paged in DuckDB, never loaded whole. */
  limit: number;
  sort?: { by: SessionSortKey; dir: 'asc' | 'desc' };
  /** List this session's subagent transcripts instead of the top-level sessions (filters then do not apply). */
  parent?: string;
}

export interface SessionProject {
  name: string;
  path: string;
  sessions: number;
}

export interface SessionPage {
  total: number;
  offset: number;
  rows: SessionRow[];
  columns: SessionColumnInfo[];
  /** All groups under the root, for the filter. */
  groups: string[];
  /** Every project of the listed sessions, for the filter. */
  projects: SessionProject[];
  /** Sessions per status across the whole (unfiltered) list, per processor. */
  counts: Record<string, Record<ProcessorStatus, number>>;
}

export interface SessionProcessorDetail {
  processor: string;
  status: ProcessorStatus;
  state: StateRow | null;
  failure: FailureRow | null;
  /** The first items (up to 200) and how many there are. */
  items: unknown[];
  itemsTotal: number;
}

export interface SessionDetail {
  session: SessionRow;
  path: string;
  processors: SessionProcessorDetail[];
}

/** Which sessions a bulk state edit applies to: a selection, or everything a filter matches. */
export type SessionTarget = { sessions: string[] } | { filter: SessionFilter };

export type TranscriptKind = 'user' | 'assistant' | 'thinking' | 'tool_use' | 'tool_result' | 'summary' | 'system' | 'other';

/** One readable piece of a transcript. Text is untrusted: render it as text, never as HTML. */
export interface TranscriptEntry {
  /** Line number in the file (1-based). */
  line: number;
  kind: TranscriptKind;
  text: string;
  toolName: string | null;
  isError: boolean;
  timestamp: string | null;
  sidechain: boolean;
  /** Secrets found in the text, each shown as its masked preview (see TranscriptSecret). */
  secrets?: TranscriptSecret[];
}

export interface TranscriptPage {
  entries: TranscriptEntry[];
  /** Pass as `fromLine` to read on; null at the end of the file. */
  nextLine: number | null;
  malformedLines: number;
  /** The session file is gone (Claude Code's cleanup, or deleted by hand): this is its archived copy. */
  sourceDeleted: boolean;
}

/** Where a transcript entry's text shows a secret finding's masked preview instead of the secret ([start, end) of `text`). */
export interface TranscriptSecret {
  findingId: string;
  kind: string;
  start: number;
  end: number;
}
