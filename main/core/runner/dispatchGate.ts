import type { SessionEntry } from '../sessionFile.js';
import type { ProcessorRun } from './processorRun.js';

export interface GateLimits {
  /** Processor calls per processor run, failures included (rule 3). */
  maxCalls: number;
  /** Per processor run, counted from `startedAt` (rule 4). */
  budgetMs: number;
  /** performance.now() when the candidate loop started. */
  startedAt: number;
}

export interface GateHooks {
  /** Resolves once a call in flight has ended (any: the gate looks again). */
  callEnded(run: ProcessorRun): Promise<void>;
  /** A run decided the session without dispatching it. */
  decided(run: ProcessorRun, sessionKey: string): void;
}

/**
 * Decides, before each session is dispatched, which processors' runs it goes to. The others decide it
 * there: capped when their run is cancelled, its cap is reached (rule 3) or its budget spent (rule 4,
 * checked before each dispatch), so left for the next run, unread, not an error; quarantined when it is
 * quarantined on content that has not changed since (rule 6), unread.
 */
export class DispatchGate {
  constructor(
    private readonly limits: GateLimits,
    private readonly hooks: GateHooks,
  ) {}

  get overBudget(): boolean {
    return performance.now() - this.limits.startedAt >= this.limits.budgetMs;
  }

  /** The runs the session goes to now, in order; every other run with it as a candidate has decided it. */
  async admit(entry: SessionEntry, runs: readonly ProcessorRun[]): Promise<ProcessorRun[]> {
    const due: ProcessorRun[] = [];
    for (const run of runs) {
      const candidate = run.candidates.get(entry.sessionKey);
      if (!candidate || run.deferred.has(entry.sessionKey)) continue;
      // Rule 3: near the cap, wait for this processor's calls in flight: a skip there would free a call.
      while (run.calls + run.inFlight >= this.limits.maxCalls && run.inFlight > 0) await this.hooks.callEnded(run);
      if (run.cancel?.aborted) {
        run.stats.cancelled = true;
        run.capped(entry.sessionKey);
      } else if (run.calls >= this.limits.maxCalls || this.overBudget) {
        run.capped(entry.sessionKey);
      } else if (candidate.quarantinedUnread) {
        run.quarantined(entry.sessionKey);
      } else {
        due.push(run);
        continue;
      }
      this.hooks.decided(run, entry.sessionKey);
    }
    return due;
  }
}
