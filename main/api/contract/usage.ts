// The contract's usage domain: tokens and cost reports, as `session-inspector report --json` gives them.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

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
