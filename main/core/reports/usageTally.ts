import type { UsageBucket } from './usageBuckets.js';

/** Named "unknown" where a message names no model, as scripts expect a string. */
export const UNKNOWN_MODEL = 'unknown';

/** Token counts and cost of one model within a report row (ccusage's `modelBreakdowns` entry). */
export interface ModelBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** USD; null when no message of this model has a price (never a silent 0). */
  cost: number | null;
  messages: number;
}

/** The sums every report row carries: ccusage's fields, then ours. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** USD of the priced messages; `unpricedMessages` says how many had no price. */
  totalCost: number;
  messages: number;
  unpricedMessages: number;
  sidechainMessages: number;
}

export interface UsageRowFields extends UsageTotals {
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
  /** Sessions with messages in this row, and how many of them have had their file deleted. */
  sessions: number;
  deletedSessions: number;
  firstActivity: string;
  lastActivity: string;
}

/** Sums buckets into one report row: totals, per model, sessions, first and last message. */
export class UsageTally {
  private readonly totals: UsageTotals = emptyTotals();
  private readonly models = new Map<string, ModelBreakdown & { priced: number; seenAt: SeenAt }>();
  private readonly sessions = new Set<string>();
  private readonly deleted = new Set<string>();
  firstMs = Infinity;
  lastMs = -Infinity;

  /** `day`: the bucket's local day (or any key that sorts as time), the first part of the order models are listed in. */
  add(b: UsageBucket, day: string): void {
    addTo(this.totals, b);
    const name = b.model ?? UNKNOWN_MODEL;
    let model = this.models.get(name);
    if (!model) {
      const zero = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0, messages: 0, priced: 0 };
      model = { modelName: name, ...zero, seenAt: [day, b.sessionFile, b.firstLine] };
      this.models.set(name, model);
    } else if (before([day, b.sessionFile, b.firstLine], model.seenAt)) {
      model.seenAt = [day, b.sessionFile, b.firstLine];
    }
    model.inputTokens += b.inputTokens;
    model.outputTokens += b.outputTokens;
    model.cacheCreationTokens += b.cacheCreationTokens;
    model.cacheReadTokens += b.cacheReadTokens;
    model.cost = (model.cost ?? 0) + b.cost;
    model.messages += b.messages;
    model.priced += b.messages - b.unpricedMessages;
    this.sessions.add(b.sessionFile);
    if (b.deleted) this.deleted.add(b.sessionFile);
    this.firstMs = Math.min(this.firstMs, b.firstMs);
    this.lastMs = Math.max(this.lastMs, b.lastMs);
  }

  get empty(): boolean {
    return this.totals.messages === 0;
  }

  fields(): UsageRowFields {
    const models = [...this.models.values()];
    // modelsUsed in ccusage's order: as first met day by day, reading each day's files in path order.
    const modelsUsed = [...models].sort((a, b) => (before(a.seenAt, b.seenAt) ? -1 : 1)).map((m) => m.modelName);
    // Breakdowns by cost, the most expensive first (unpriced ones last), then by name: the order people scan.
    const modelBreakdowns = models
      .map(({ priced, seenAt: _seenAt, ...m }) => ({ ...m, cost: priced === 0 ? null : m.cost }))
      .sort((a, b) => (b.cost ?? -1) - (a.cost ?? -1) || a.modelName.localeCompare(b.modelName));
    return {
      ...this.totals,
      modelsUsed: modelsUsed.filter((name) => name !== UNKNOWN_MODEL),
      modelBreakdowns,
      sessions: this.sessions.size,
      deletedSessions: this.deleted.size,
      firstActivity: new Date(this.firstMs).toISOString(),
      lastActivity: new Date(this.lastMs).toISOString(),
    };
  }
}

/** Where a model was first met: local day, session file, line. */
type SeenAt = [string, string, number];
const before = (a: SeenAt, b: SeenAt) => (a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2]);

export function emptyTotals(): UsageTotals {
  const tokens = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0 };
  return { ...tokens, totalCost: 0, messages: 0, unpricedMessages: 0, sidechainMessages: 0 };
}

type Amounts = Pick<
  UsageBucket,
  'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens' | 'cost' | 'messages' | 'unpricedMessages' | 'sidechainMessages'
>;

export function addTo(totals: UsageTotals, b: Amounts): void {
  totals.inputTokens += b.inputTokens;
  totals.outputTokens += b.outputTokens;
  totals.cacheCreationTokens += b.cacheCreationTokens;
  totals.cacheReadTokens += b.cacheReadTokens;
  totals.totalTokens += b.inputTokens + b.outputTokens + b.cacheCreationTokens + b.cacheReadTokens;
  totals.totalCost += b.cost;
  totals.messages += b.messages;
  totals.unpricedMessages += b.unpricedMessages;
  totals.sidechainMessages += b.sidechainMessages;
}
