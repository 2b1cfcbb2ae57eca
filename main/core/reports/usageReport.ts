import { usageBlocks, BLOCK_MS } from './blocks.js';
import { monthOf, weekOf, ZoneCalendar, type WeekStart } from './calendar.js';
import type { PriceTable } from '../../sdk/pricing.js';
import type { Database } from '../store/database.js';
import { loadUsageBuckets, type UsageBucket } from './usageBuckets.js';
import { addTo, emptyTotals, UsageTally, type UsageRowFields, type UsageTotals } from './usageTally.js';
import { groupOf, inProject, lastFolder, parentSessionOf } from '../sessions/projects.js';

export const REPORT_KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks', 'projects'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportOptions {
  /** IANA zone of the days, weeks and months (and of --since/--until). */
  timeZone: string;
  /** Inclusive local days, YYYY-MM-DD. */
  since?: string;
  until?: string;
  /** A project: its folder name, its full path (the records' cwd) or Claude Code's encoded folder. */
  project?: string;
  /** Only the newest N rows. */
  last?: number;
  order: 'asc' | 'desc';
  /** --order was given (sessions and projects list the costliest first unless asked otherwise). */
  orderGiven: boolean;
  weekStart: WeekStart;
  /** The time a block is judged active against (ms since the epoch). */
  nowMs: number;
  /** Also split the rows by the machine that processed each session (`instances`). */
  instances?: boolean;
  /** Reprice with this table (`--prices FILE`) instead of the costs stored with the bundled one. */
  prices?: { file: string; table: PriceTable };
}

/** Name of the machine for sessions processed before machines were recorded. */
export const UNKNOWN_HOST = 'unknown';

/** Where a report's numbers come from, and what it had to leave out. */
export interface ReportMeta {
  timeZone: string;
  since: string | null;
  until: string | null;
  project: string | null;
  /** Messages with no usable time: in no period, so in no report. */
  undatedMessages: number;
  /** The price table of the costs: `bundled` (stored when tokens ran), or the file given with --prices and its date. */
  prices: string;
}

export interface PeriodRow extends UsageRowFields {
  date?: string;
  week?: string;
  month?: string;
}

export interface SessionRow extends UsageRowFields {
  /** The file name without `.jsonl`, as ccusage names sessions. */
  sessionId: string;
  /** Claude Code's project folder (the first folder under the root), as ccusage shows it. */
  projectPath: string;
  sessionFile: string;
  /** The records' working folder. */
  cwd: string | null;
  /** The session's file is gone (Claude Code's cleanup); its usage is kept. */
  deleted: boolean;
}

export interface ProjectRow extends UsageRowFields {
  /** The last folder of the project's path, for display. */
  project: string;
  /** The records' cwd; Claude Code's encoded folder when no record carries one. */
  projectPath: string;
}

export interface BlockRow {
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
  /** For the active block: tokens and USD per minute so far, and where the block ends at that rate. */
  burnRate: { tokensPerMinute: number; tokensPerMinuteForIndicator: number; costPerHour: number } | null;
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
  unpricedMessages: number;
  sidechainMessages: number;
  sessions: number;
  deletedSessions: number;
}

/** With `instances`, the same rows per machine (by host name) beside the rows of all machines together. */
type Split<T> = { instances?: Record<string, T[]> };

export type UsageReport =
  | ({ kind: 'daily'; daily: PeriodRow[]; totals: UsageTotals; meta: ReportMeta } & Split<PeriodRow>)
  | ({ kind: 'weekly'; weekly: PeriodRow[]; totals: UsageTotals; meta: ReportMeta } & Split<PeriodRow>)
  | ({ kind: 'monthly'; monthly: PeriodRow[]; totals: UsageTotals; meta: ReportMeta } & Split<PeriodRow>)
  | ({ kind: 'session'; sessions: SessionRow[]; totals: UsageTotals; meta: ReportMeta } & Split<SessionRow>)
  | ({ kind: 'projects'; projects: ProjectRow[]; totals: UsageTotals; meta: ReportMeta } & Split<ProjectRow>)
  | ({ kind: 'blocks'; blocks: BlockRow[]; totals: UsageTotals; meta: ReportMeta } & Split<BlockRow>);

/** The key of a report's rows. */
const ROWS_KEY = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions', projects: 'projects', blocks: 'blocks' } as const;

/**
 * The session a file's usage belongs to: a subagent's transcript in `<project>/<session>/subagents/` counts
 * as its session's, as in ccusage (the older flat layout is told apart only by its records, which reports do not read).
 */
const sessionOf = (sessionFile: string): string => parentSessionOf(sessionFile, null) ?? sessionFile;
const sessionIdOf = (sessionFile: string): string =>
  sessionFile
    .split('/')
    .pop()!
    .replace(/\.jsonl$/, '');

/** Whether a bucket belongs to the project the user named (`--project`). */
const inReportProject = (b: UsageBucket, project: string): boolean => inProject(b.sessionFile, b.cwd, project);

/** Every report, from the same buckets: the CLI and the app both call this. */
export function buildReport(kind: ReportKind, all: UsageBucket[], options: ReportOptions, undatedMessages: number): UsageReport {
  const report = buildRows(kind, all, options, undatedMessages);
  if (!options.instances) return report;
  const hosts = [...new Set(all.map((b) => b.host ?? UNKNOWN_HOST))].sort();
  const instances = Object.fromEntries(
    hosts.map((host) => {
      const own = buildRows(
        kind,
        all.filter((b) => (b.host ?? UNKNOWN_HOST) === host),
        options,
        0,
      );
      return [host, (own as Record<string, unknown>)[ROWS_KEY[kind]]];
    }),
  );
  return { ...report, instances } as UsageReport;
}

function buildRows(kind: ReportKind, all: UsageBucket[], options: ReportOptions, undatedMessages: number): UsageReport {
  const calendar = new ZoneCalendar(options.timeZone);
  const inRange = (ms: number) => {
    const day = calendar.day(ms);
    return (options.since === undefined || day >= options.since) && (options.until === undefined || day <= options.until);
  };
  const ofProject = all.filter((b) => options.project === undefined || inReportProject(b, options.project));
  if (kind === 'blocks') {
    // Blocks are cut from all messages, then kept by the local day they start on (as ccusage does):
    // cutting only the messages in range would move the blocks' starts.
    const blocks = inTimeOrder(
      blockRows(ofProject, options).filter((b) => inRange(Date.parse(b.startTime))),
      options,
    );
    const totals = emptyTotals();
    for (const b of blocks) {
      const t = b.tokenCounts;
      addTo(totals, {
        inputTokens: t.inputTokens,
        outputTokens: t.outputTokens,
        cacheCreationTokens: t.cacheCreationInputTokens,
        cacheReadTokens: t.cacheReadInputTokens,
        cost: b.costUSD,
        messages: b.entries,
        unpricedMessages: b.unpricedMessages,
        sidechainMessages: b.sidechainMessages,
      });
    }
    return { kind, blocks, totals, meta: meta(options, undatedMessages) };
  }
  const buckets = ofProject.filter((b) => inRange(b.bucketMs));
  const week = (ms: number) => weekOf(calendar.day(ms), options.weekStart);
  const totals = emptyTotals();
  for (const b of buckets) addTo(totals, b);
  switch (kind) {
    case 'daily':
      return { kind, daily: periods(buckets, calendar, options, (ms) => calendar.day(ms), 'date'), totals, meta: meta(options, undatedMessages) };
    case 'weekly':
      return { kind, weekly: periods(buckets, calendar, options, week, 'week'), totals, meta: meta(options, undatedMessages) };
    case 'monthly':
      return { kind, monthly: periods(buckets, calendar, options, (ms) => monthOf(calendar.day(ms)), 'month'), totals, meta: meta(options, undatedMessages) };
    case 'session':
      return { kind, sessions: sessionRows(buckets, calendar, options), totals, meta: meta(options, undatedMessages) };
    case 'projects':
      return { kind, projects: projectRows(buckets, calendar, options), totals, meta: meta(options, undatedMessages) };
  }
}

function meta(options: ReportOptions, undatedMessages: number): ReportMeta {
  const prices = options.prices ? `${options.prices.file} (as of ${options.prices.table.as_of})` : 'bundled';
  return { timeZone: options.timeZone, since: options.since ?? null, until: options.until ?? null, project: options.project ?? null, undatedMessages, prices };
}

function tallyBy(buckets: UsageBucket[], keyOf: (b: UsageBucket) => string, calendar: ZoneCalendar): Map<string, UsageTally> {
  const tallies = new Map<string, UsageTally>();
  for (const b of buckets) {
    const key = keyOf(b);
    let tally = tallies.get(key);
    if (!tally) tallies.set(key, (tally = new UsageTally()));
    tally.add(b, calendar.day(b.bucketMs));
  }
  return tallies;
}

/** Rows in time order: --last keeps the newest N, --order desc puts the newest first. */
function inTimeOrder<T>(ascending: T[], options: ReportOptions): T[] {
  const kept = options.last === undefined ? ascending : ascending.slice(Math.max(0, ascending.length - options.last));
  return options.order === 'desc' ? kept.reverse() : kept;
}

/**
 * Sessions and projects: --last keeps the N with the most recent activity; then the costliest come first,
 * as ccusage lists sessions (--order asc: the cheapest first).
 */
function byCost<T extends { totalCost: number; lastActivity: string }>(rows: T[], options: ReportOptions, keyOf: (row: T) => string): T[] {
  // Ties go to the most recent, then by name: the order must not depend on the order rows came in.
  const newest = (a: T, b: T) => b.lastActivity.localeCompare(a.lastActivity) || (keyOf(a) < keyOf(b) ? -1 : 1);
  const recent = options.last === undefined ? rows : [...rows].sort(newest).slice(0, options.last);
  // Costs are whole nano-dollars per message; sums of doubles differ in the last bits with summing order.
  const nano = (row: T) => Math.round(row.totalCost * 1e9);
  const sorted = [...recent].sort((a, b) => nano(b) - nano(a) || newest(a, b));
  return options.order === 'asc' && options.orderGiven ? sorted.reverse() : sorted;
}

type PeriodField = 'date' | 'week' | 'month';

function periods(buckets: UsageBucket[], calendar: ZoneCalendar, options: ReportOptions, periodOf: (ms: number) => string, field: PeriodField): PeriodRow[] {
  const tallies = [...tallyBy(buckets, (b) => periodOf(b.bucketMs), calendar)].sort(([a], [b]) => (a < b ? -1 : 1));
  return inTimeOrder(
    tallies.map(([key, tally]) => ({ [field]: key, ...tally.fields() })),
    options,
  );
}

function sessionRows(buckets: UsageBucket[], calendar: ZoneCalendar, options: ReportOptions): SessionRow[] {
  const cwds = new Map<string, string | null>();
  const deleted = new Set<string>();
  for (const b of buckets) {
    const session = sessionOf(b.sessionFile);
    if (b.cwd !== null || !cwds.has(session)) cwds.set(session, b.cwd ?? cwds.get(session) ?? null);
    if (b.deleted) deleted.add(session);
  }
  const rows = [...tallyBy(buckets, (b) => sessionOf(b.sessionFile), calendar)].map(([file, tally]) => ({
    sessionId: sessionIdOf(file),
    projectPath: groupOf(file),
    ...tally.fields(),
    sessionFile: file,
    cwd: cwds.get(file) ?? null,
    deleted: deleted.has(file),
  }));
  return byCost(rows, options, (r) => r.sessionFile);
}

function projectRows(buckets: UsageBucket[], calendar: ZoneCalendar, options: ReportOptions): ProjectRow[] {
  const tallies = tallyBy(buckets, (b) => b.cwd ?? groupOf(b.sessionFile), calendar);
  const rows = [...tallies].map(([path, tally]) => ({ project: lastFolder(path), projectPath: path, ...tally.fields() }));
  return byCost(rows, options, (r) => r.projectPath);
}

/** Every block and gap, in time order. */
function blockRows(buckets: UsageBucket[], options: ReportOptions): BlockRow[] {
  // Gaps sit by their start, which can be after the next block's (floored) start, as ccusage sorts them.
  const blocks = usageBlocks(buckets).sort((a, b) => a.startMs - b.startMs);
  const rows = blocks.map((block): BlockRow => {
    const f = block.isGap ? undefined : block.tally.fields();
    const isActive = f !== undefined && options.nowMs - block.tally.lastMs < BLOCK_MS && options.nowMs < block.endMs;
    // The rate over the block's activity so far (none when it is a single instant), projected to its end.
    const minutes = f ? (block.tally.lastMs - block.tally.firstMs) / 60_000 : 0;
    const rate = isActive && f && minutes > 0 ? { perMinute: f.totalTokens / minutes, costPerHour: (f.totalCost / minutes) * 60 } : null;
    const remainingMinutes = Math.round((block.endMs - options.nowMs) / 60_000);
    return {
      id: block.isGap ? `gap-${new Date(block.startMs).toISOString()}` : new Date(block.startMs).toISOString(),
      startTime: new Date(block.startMs).toISOString(),
      endTime: new Date(block.endMs).toISOString(),
      actualEndTime: f ? f.lastActivity : null,
      isActive,
      isGap: block.isGap,
      entries: f?.messages ?? 0,
      tokenCounts: {
        inputTokens: f?.inputTokens ?? 0,
        outputTokens: f?.outputTokens ?? 0,
        cacheCreationInputTokens: f?.cacheCreationTokens ?? 0,
        cacheReadInputTokens: f?.cacheReadTokens ?? 0,
      },
      totalTokens: f?.totalTokens ?? 0,
      costUSD: f?.totalCost ?? 0,
      models: f?.modelsUsed ?? [],
      burnRate:
        rate && f
          ? { tokensPerMinute: rate.perMinute, tokensPerMinuteForIndicator: (f.inputTokens + f.outputTokens) / minutes, costPerHour: rate.costPerHour }
          : null,
      projection:
        rate && f
          ? {
              totalTokens: Math.round(f.totalTokens + rate.perMinute * remainingMinutes),
              totalCost: Math.round((f.totalCost + (rate.costPerHour / 60) * remainingMinutes) * 100) / 100,
              remainingMinutes,
            }
          : null,
      unpricedMessages: f?.unpricedMessages ?? 0,
      sidechainMessages: f?.sidechainMessages ?? 0,
      sessions: f?.sessions ?? 0,
      deletedSessions: f?.deletedSessions ?? 0,
    };
  });
  return rows;
}

/** A report from the store as it is (callers bring `tokens` up to date first when they want to). */
export async function readUsageReport(db: Database, kind: ReportKind, options: ReportOptions): Promise<UsageReport> {
  const { buckets, undatedMessages } = await loadUsageBuckets(db, options.prices?.table);
  return buildReport(kind, buckets, options, undatedMessages);
}
