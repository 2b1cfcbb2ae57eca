// The ONE contract between the engine side (Electron main, or `session-inspector serve`) and the renderer.
// Types and a few constants only: no imports, no logic, JSON-safe values (ISO strings for times,
// numbers for integers). Main implements `ApiHandlers`; the renderer calls through an `ApiClient`; the
// compiler checks both ends. State edits are named operations: the renderer never sends SQL for writes.

export type ProcessorStatus = 'processed' | 'stale' | 'pending' | 'running' | 'failed' | 'quarantined';
export const PROCESSOR_STATUSES: readonly ProcessorStatus[] = ['processed', 'stale', 'pending', 'running', 'failed', 'quarantined'];

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

export interface ProcessorInfo {
  name: string;
  version: string;
  cadenceMinutes: number;
  timeoutMs: number;
  plugin: string;
  /** The typed DuckDB view over its items, if it declares one. */
  view: string | null;
  lastRunAt: string | null;
  running: boolean;
  /** When the scheduler runs it next (null when background runs are off). */
  nextRunAt: string | null;
}

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
export type SessionColumnId = 'title' | 'project' | 'branch' | 'started' | 'duration' | 'messages' | 'cost' | 'errors' | 'secrets' | 'path' | 'size' | 'modified';

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

export interface StateRow {
  processor: string;
  sessionKey: string;
  group: string;
  processedAt: string | null;
  itemsExtracted: number;
  fileHash: string | null;
  processorVersion: string | null;
}

export interface FailureRow {
  processor: string;
  sessionKey: string;
  attempts: number;
  quarantined: boolean;
  firstFailedAt: string | null;
  lastFailedAt: string | null;
  lastError: string | null;
  fileHash: string | null;
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
}

export interface RunStatsJson {
  processor: string;
  run_id: string;
  scanned: number;
  processed: number;
  skipped: number;
  capped: number;
  errors: number;
  quarantined: number;
  vanished: number;
  elsewhere: number;
  items_extracted: number;
  malformed_lines: number;
  errors_detail: { session: string; error: string }[];
  duration_ms: number;
  bytes_read: number;
  cancelled: boolean;
  error?: string;
}

export interface ActiveRun {
  processor: string;
  trigger: string;
  done: number;
  total: number;
  current: string | null;
  errors: number;
  elapsedMs: number;
  /** Estimated time left, from the pace so far (null until there is one). */
  etaMs: number | null;
}

export interface RunRecord {
  runId: string;
  processor: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  stats: RunStatsJson | null;
}

/** Sessions processed and errors per day, per processor, from the run history. */
export interface RunTimelinePoint {
  day: string;
  processor: string;
  processed: number;
  errors: number;
}

/** Which sessions a bulk state edit applies to: a selection, or everything a filter matches. */
export type SessionTarget = { sessions: string[] } | { filter: SessionFilter };

export interface AuditEntry {
  auditId: number;
  at: string;
  action: string;
  processor: string;
  sessionKey: string;
  before: unknown;
  after: unknown;
  /** Set once this change was undone (by the audit entry with that id). */
  undoneBy: number | null;
}

export type Approval = 'trusted' | 'approved' | 'unapproved' | 'changed';

export interface PluginInfo {
  folder: string;
  origin: 'builtin' | 'cli' | 'user';
  name: string | null;
  version: string | null;
  contentHash: string | null;
  approval: Approval;
  enabled: boolean;
  loaded: boolean;
  processors: string[];
  errors: string[];
}

/** What the trust prompt shows before anything is copied or run. */
export interface InstallPreview {
  path: string;
  name: string | null;
  version: string | null;
  /** As declared in package.json (code is not loaded before approval). */
  processors: string[];
  contentHash: string | null;
  problems: string[];
}

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

/** Tool usage charts of the runs view (tokens and cost are the usage page's: `usage/report`). */
export interface Dashboard {
  /** Whether the built-in usage processor's data is present. */
  usage: boolean;
  toolsByDay: { day: string; tool: string; calls: number; errors: number }[];
}

/** Health of each loaded processor (main/core/health.ts): what `status --check` and `/metrics` report. */
export interface ProcessorHealthView {
  processor: string;
  cadence_minutes: number;
  last_run_started_at: string | null;
  last_run_finished_at: string | null;
  last_run_seconds: number | null;
  next_due_at: string;
  overdue: boolean;
  failing: boolean;
  stuck: boolean;
  quarantined: number;
  oldest_quarantined_at: string | null;
  healthy: boolean;
}

export interface HealthProblemView {
  kind: 'overdue' | 'failing' | 'stuck' | 'quarantined' | 'runner-stopped';
  /** null for a runner's problem (team store). */
  processor: string | null;
  /** What is wrong and what to do, in one line. */
  message: string;
}

export interface HealthReport {
  processors: ProcessorHealthView[];
  problems: HealthProblemView[];
}

/** What a finding is: a leaked secret, a tool error, or one of the audit processors' findings. */
export const FINDING_CATEGORIES = ['secret', 'tool_error', 'destructive_command', 'outside_write', 'permission_bypass'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** A leaked secret, a tool error or an audit finding, with its review (main/core/findings.ts; docs/findings.md). */
export interface Finding {
  /** Stable: the same thing found again in the same place (after reprocessing) keeps it. */
  id: string;
  category: FindingCategory;
  processor: string;
  kind: string;
  session_file: string;
  /** The file's 1-based line, as the transcript view numbers it. */
  line_no: number;
  /** A secret's redacted preview (never the secret), a tool error's text, a command, a path, a mode switch. */
  summary: string | null;
  occurred_at: string | null;
  status: FindingStatus;
  note: string | null;
  reviewed_at: string | null;
}

export const FINDING_STATUSES = ['open', 'confirmed', 'false-positive', 'fixed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** One secret finding in a redaction (`secrets/redact`; main/core/redaction): what happened to it, never the secret. */
export interface RedactionRow {
  finding_id: string;
  session_file: string;
  line_no: number;
  kind: string;
  /** The redacted preview. */
  preview: string;
  outcome: 'redacted' | 'would-redact' | 'refused' | 'skipped';
  /** Why it was refused or skipped (or what went wrong after it was redacted); null when all went well. */
  reason: string | null;
  /** Refused only because its session was written to recently: `force` redacts it. */
  forceable: boolean;
}

export interface RedactReport {
  /** The files were changed (false: a dry run). */
  applied: boolean;
  rows: RedactionRow[];
  /** Stored items of any processor that held a redacted secret, rewritten. */
  items: number;
}

/** Where a transcript entry's text shows a secret finding's masked preview instead of the secret ([start, end) of `text`). */
export interface TranscriptSecret {
  findingId: string;
  kind: string;
  start: number;
  end: number;
}

/**
 * Usage and cost reports: the report module `session-inspector report` prints (main/core/reports), read by
 * the app through `usage/report`. The shapes are ccusage's JSON plus our fields; main returns the module's
 * values as they are, so the compiler holds these declarations to them.
 */
export const USAGE_REPORT_KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks', 'projects'] as const;
export type UsageReportKind = (typeof USAGE_REPORT_KINDS)[number];
export const USAGE_WEEK_STARTS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type UsageWeekStart = (typeof USAGE_WEEK_STARTS)[number];

/** What the report is of; each field is checked in main and a bad one is refused by its name. */
export interface UsageReportRequest {
  kind: UsageReportKind;
  /** IANA zone of days, weeks and months (default: the zone of the machine main runs on). */
  timezone?: string;
  /** Inclusive local days, YYYY-MM-DD. */
  since?: string;
  until?: string;
  /** A project: its folder name, its full path (the records' cwd), or Claude Code's encoded folder. */
  project?: string;
  /** Only the newest N rows. */
  last?: number;
  order?: 'asc' | 'desc';
  weekStart?: UsageWeekStart;
}

export interface UsageModelBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** USD; null when no message of this model has a price (shown as "no price", never $0). */
  cost: number | null;
  messages: number;
}

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** USD of the priced messages; `unpricedMessages` had no price and add nothing here. */
  totalCost: number;
  messages: number;
  unpricedMessages: number;
  sidechainMessages: number;
}

export interface UsageRowFields extends UsageTotals {
  modelsUsed: string[];
  modelBreakdowns: UsageModelBreakdown[];
  /** Sessions with messages in this row, and how many of them have had their file deleted (still counted). */
  sessions: number;
  deletedSessions: number;
  firstActivity: string;
  lastActivity: string;
}

/** One day (`date`), week (`week`, its first day) or month (`month`, YYYY-MM), local to the report's zone. */
export interface UsagePeriodRow extends UsageRowFields {
  date?: string;
  week?: string;
  month?: string;
}

export interface UsageSessionRow extends UsageRowFields {
  sessionId: string;
  projectPath: string;
  sessionFile: string;
  cwd: string | null;
  deleted: boolean;
}

export interface UsageProjectRow extends UsageRowFields {
  /** The last folder of `projectPath`, for display. */
  project: string;
  /** The records' cwd; Claude Code's encoded folder when no record carries one. */
  projectPath: string;
}

/** A 5-hour window of activity (Claude's usage limits reset over these), or the quiet gap between two. */
export interface UsageBlockRow {
  id: string;
  startTime: string;
  endTime: string;
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  tokenCounts: { inputTokens: number; outputTokens: number; cacheCreationInputTokens: number; cacheReadInputTokens: number };
  totalTokens: number;
  costUSD: number;
  models: string[];
  /** The active block only: the pace so far, and where the block ends at that pace. */
  burnRate: { tokensPerMinute: number; costPerHour: number } | null;
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
  unpricedMessages: number;
  sessions: number;
  deletedSessions: number;
}

export interface UsageReportMeta {
  timeZone: string;
  since: string | null;
  until: string | null;
  project: string | null;
  /** Messages with no usable time: in no period, so in no report. */
  undatedMessages: number;
}

export type UsageReport =
  | { kind: 'daily'; daily: UsagePeriodRow[]; totals: UsageTotals; meta: UsageReportMeta }
  | { kind: 'weekly'; weekly: UsagePeriodRow[]; totals: UsageTotals; meta: UsageReportMeta }
  | { kind: 'monthly'; monthly: UsagePeriodRow[]; totals: UsageTotals; meta: UsageReportMeta }
  | { kind: 'session'; sessions: UsageSessionRow[]; totals: UsageTotals; meta: UsageReportMeta }
  | { kind: 'projects'; projects: UsageProjectRow[]; totals: UsageTotals; meta: UsageReportMeta }
  | { kind: 'blocks'; blocks: UsageBlockRow[]; totals: UsageTotals; meta: UsageReportMeta };

/** Every method: its arguments and its result. Names are `domain/verb`. */
export interface ApiMethods {
  'app/info': { args: Record<string, never>; result: AppInfo };
  'app/setSessionRoot': { args: { path: string }; result: AppInfo };
  /**
   * Switch the state store: a DuckDB file or a postgres:// URL. Remembered (without any password) for the
   * next start; on failure the current store stays in use.
   */
  'app/setStateStore': { args: { target: string }; result: AppInfo };
  /** Electron only: the native folder dialog; null when cancelled. */
  'app/pickFolder': { args: Record<string, never>; result: { path: string | null } };

  'sessions/list': { args: SessionQuery; result: SessionPage };
  'sessions/get': { args: { sessionKey: string }; result: SessionDetail };
  'sessions/transcript': { args: { sessionKey: string; fromLine?: number; limit?: number }; result: TranscriptPage };
  /** Scan the folder again (new, grown and deleted files). */
  'sessions/refresh': { args: Record<string, never>; result: { total: number } };

  'processors/list': { args: Record<string, never>; result: ProcessorInfo[] };

  /** Starts runs in the background (progress arrives as events); processors already running are reported, not restarted. */
  'runs/start': { args: { processors?: string[]; sessions?: string[]; filter?: SessionFilter; failedOnly?: boolean }; result: { started: string[]; alreadyRunning: string[] } };
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
    args: { processor: string; sessionKey: string; changes: { itemsExtracted?: number; processedAt?: string }; expected: { itemsExtracted: number; processedAt: string | null } };
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
