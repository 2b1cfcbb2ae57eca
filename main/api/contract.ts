// The ONE contract between the engine side (Electron main, or `session-inspector serve`) and the renderer.
// Types and a few constants only: no logic, JSON-safe values (ISO strings for times, numbers for integers).
// Each domain's types live in contract/<domain>.ts, re-exported here: main and the renderer import this module
// only, and it imports nothing but those files. Main implements `ApiHandlers`; the renderer calls through an
// `ApiClient`; the compiler checks both ends. State edits are named operations: the renderer never sends SQL
// for writes.

export * from './contract/app.js';
export * from './contract/findings.js';
export * from './contract/health.js';
export * from './contract/plugins.js';
export * from './contract/query.js';
export * from './contract/runs.js';
export * from './contract/search.js';
export * from './contract/sessions.js';
export * from './contract/state.js';
export * from './contract/usage.js';

import type { AppInfo, ArchiveStatus } from './contract/app.js';
import type { Finding, FindingStatus, RedactReport } from './contract/findings.js';
import type { HealthReport } from './contract/health.js';
import type { InstallPreview, PluginInfo } from './contract/plugins.js';
import type { CatalogEntry, ExportResult, QueryResult } from './contract/query.js';
import type { SearchArgs, SearchResult } from './contract/search.js';
import type { ActiveRun, Dashboard, ProcessorInfo, RunRecord, RunStatsJson, RunTimelinePoint } from './contract/runs.js';
import type { SessionDetail, SessionFilter, SessionPage, SessionQuery, SessionTarget, TranscriptPage } from './contract/sessions.js';
import type { AuditEntry, StateRow } from './contract/state.js';
import type { UsageReport, UsageReportRequest } from './contract/usage.js';

/** Every method: its arguments and its result. Names are `domain/verb`. */
export interface ApiMethods {
  'app/info': { args: Record<string, never>; result: AppInfo };
  'app/setSessionRoot': { args: { path: string }; result: AppInfo };
  /**
   * Switch the state store: a DuckDB file or a postgres:// URL. Remembered (without any password) for the
   * next start; on failure the current store stays in use.
   */
  'app/setStateStore': { args: { target: string }; result: AppInfo };
  /**
   * Archive sessions into this folder, or (null) stop archiving; remembered for the next start. Sessions
   * whose file is gone are read from the archive only while it is on.
   */
  'app/setArchive': { args: { folder: string | null }; result: AppInfo };
  /** What the archive holds; null when archiving is off or the archive cannot be opened (AppInfo.archive.problem says why). */
  'app/archiveStatus': { args: Record<string, never>; result: ArchiveStatus | null };
  /** Electron only: the native folder dialog; null when cancelled. */
  'app/pickFolder': { args: Record<string, never>; result: { path: string | null } };

  'sessions/list': { args: SessionQuery; result: SessionPage };
  'sessions/get': { args: { sessionKey: string }; result: SessionDetail };
  'sessions/transcript': { args: { sessionKey: string; fromLine?: number; limit?: number }; result: TranscriptPage };
  /** Scan the folder again (new, grown and deleted files). */
  'sessions/refresh': { args: Record<string, never>; result: { total: number } };

  'processors/list': { args: Record<string, never>; result: ProcessorInfo[] };

  /** Starts runs in the background (progress arrives as events); processors already running are reported, not restarted. */
  'runs/start': {
    args: { processors?: string[]; sessions?: string[]; filter?: SessionFilter; failedOnly?: boolean };
    result: { started: string[]; alreadyRunning: string[] };
  };
  'runs/cancel': { args: { processor?: string }; result: { cancelled: string[] } };
  'runs/active': { args: Record<string, never>; result: ActiveRun[] };
  'runs/history': { args: { limit?: number; processor?: string }; result: RunRecord[] };
  'runs/timeline': { args: { days?: number }; result: RunTimelinePoint[] };

  'state/list': { args: { processor?: string; text?: string; offset: number; limit: number }; result: { total: number; rows: StateRow[] } };
  /** Delete state rows: those sessions are processed again by the next run. */
  'state/reset': { args: { processor: string; target: SessionTarget }; result: { changed: number } };
  'state/markProcessed': { args: { processor: string; target: SessionTarget }; result: { changed: number } };
  /** Edit one row. `expected` is what the editor showed: a row changed since then is refused, with its current value. */
  'state/update': {
    args: {
      processor: string;
      sessionKey: string;
      changes: { itemsExtracted?: number; processedAt?: string };
      expected: { itemsExtracted: number; processedAt: string | null };
    };
    result: StateRow;
  };
  'state/history': { args: { limit?: number }; result: AuditEntry[] };
  'state/undo': { args: { auditId: number }; result: AuditEntry };

  'plugins/list': { args: Record<string, never>; result: PluginInfo[] };
  'plugins/inspect': { args: { path: string }; result: InstallPreview };
  'plugins/install': { args: { path: string; approve: boolean }; result: PluginInfo };
  'plugins/approve': { args: { name: string }; result: PluginInfo };
  'plugins/setEnabled': { args: { name: string; enabled: boolean }; result: PluginInfo };
  'plugins/reload': { args: Record<string, never>; result: PluginInfo[] };

  'query/run': { args: { sql: string; limit?: number }; result: QueryResult };
  'query/catalog': { args: Record<string, never>; result: CatalogEntry[] };
  'query/export': { args: { sql: string; format: 'csv' | 'parquet' }; result: ExportResult };

  'dashboard/get': { args: { days?: number }; result: Dashboard };
  /** Findings newest first; false positives only with `all`. */
  'findings/list': { args: { kind?: string; session?: string; all?: boolean; limit?: number }; result: Finding[] };
  /** Sets a finding's review (audited; `state/undo` undoes it). */
  'findings/mark': { args: { id: string; status: FindingStatus; note?: string }; result: Finding };
  /**
   * Redacts secret findings (by id, or all of some sessions) in their files and the store: a dry run unless
   * `apply`; `force` takes sessions written to in the last 10 minutes too. Refused while a run is in progress.
   */
  'secrets/redact': { args: { findings?: string[]; sessions?: string[]; apply: boolean; force?: boolean }; result: RedactReport };
  /** A secret finding's value, read from its file on this call (the reveal button): never logged, stored or put in an error. */
  'secrets/reveal': { args: { id: string }; result: { value: string } };
  /** Overdue, failing or stuck processors, quarantined sessions, stopped runners: the header's badge. */
  'health/get': { args: Record<string, never>; result: HealthReport };

  /**
   * Full-text search over every session of the folder, live or gone, newest first. Answers from the search
   * index at once and brings it up to date in the background (`index.updating` says it is catching up).
   */
  'search/query': { args: SearchArgs; result: SearchResult };

  /** A usage and cost report from the stored tokens, as `session-inspector report <kind> --json` gives it (plus `kind`). */
  'usage/report': { args: UsageReportRequest; result: UsageReport };
}

export type MethodName = keyof ApiMethods;
export type ArgsOf<M extends MethodName> = ApiMethods[M]['args'];
export type ResultOf<M extends MethodName> = ApiMethods[M]['result'];

/** Pushed from main to every renderer. */
export type ApiEvent =
  | { type: 'run-progress'; run: ActiveRun }
  | { type: 'run-finished'; processor: string; stats: RunStatsJson }
  | { type: 'state-changed'; processors: string[] }
  | { type: 'sessions-changed' }
  /** The session folder or the store changed (the desktop menu, another window): the header shows it. */
  | { type: 'info-changed'; info: AppInfo }
  | { type: 'plugins-changed'; plugins: PluginInfo[] };

export type ApiErrorCode = 'invalid' | 'busy' | 'not-found' | 'conflict' | 'unavailable' | 'internal';

/** Errors travel as values, with a message a person can act on. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export type ApiResponse<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What main implements. */
export type ApiHandlers = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> };

/** What a transport gives the renderer (Electron preload bridge, or HTTP + server-sent events). */
export interface ApiTransport {
  call(method: MethodName, args: unknown): Promise<ApiResponse<unknown>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** Electron only: the file-system path of a File dropped on the window (a dropped plugin folder). */
  droppedPath?(file: unknown): string | null;
}

/** The object the Electron preload exposes as `window.sessionInspector`. */
export const BRIDGE_GLOBAL = 'sessionInspector';
/** IPC channel names (namespaced). */
export const IPC_CALL_CHANNEL = 'session-inspector:call';
export const IPC_EVENT_CHANNEL = 'session-inspector:event';
