import type { RunProgress } from './runner/runner.js';
import type { RunStats } from './runner/stats.js';

/** One processor's progress in a run, as the runner reports it plus an estimate of the time left. */
export interface RunProgressEvent extends RunProgress {
  type: 'run-progress';
  trigger: string;
  /** null until the first session is done. */
  etaMs: number | null;
}

/**
 * What a run tells the face that started it, per processor: its start, its progress (throttled) and its
 * end. JSON-safe values only: timestamps are ISO-8601 strings.
 */
export type RunEvent =
  | { type: 'run-started'; processor: string; trigger: string; at: string }
  | RunProgressEvent
  /** stats is null when the run failed as a whole (e.g. the session root is gone); error says why. */
  | { type: 'run-finished'; processor: string; trigger: string; at: string; stats: RunStats | null; error: string | null };

/** Progress events per processor at most this often (ms): the runner reports every session, a UI needs a pulse. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Remaining time of a run from its pace so far (ms): null until one session is done, since nothing
 * is known about the pace before that. Sessions differ in size, so it is an estimate, not a promise.
 */
export function estimateRemainingMs(progress: Pick<RunProgress, 'done' | 'total' | 'elapsedMs'>): number | null {
  if (progress.done >= progress.total) return 0;
  if (progress.done === 0) return null;
  return Math.round((progress.elapsedMs / progress.done) * (progress.total - progress.done));
}

/**
 * Keeps each processor's latest progress and passes one event on per PROGRESS_INTERVAL_MS, plus the first
 * and the last (done = total), so a listener always sees where a run started and where it ended.
 */
export class ProgressThrottle {
  readonly latest = new Map<string, RunProgressEvent>();
  private readonly lastEmitMs = new Map<string, number>();

  constructor(
    private readonly trigger: string,
    private readonly emit: (event: RunProgressEvent) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  report(progress: RunProgress): void {
    const event: RunProgressEvent = {
      type: 'run-progress',
      trigger: this.trigger,
      ...progress,
      elapsedMs: Math.round(progress.elapsedMs),
      etaMs: estimateRemainingMs(progress),
    };
    this.latest.set(progress.processor, event);
    const now = performance.now(); // rate limiting a display, not scheduling: real time on purpose
    if (now - (this.lastEmitMs.get(progress.processor) ?? -Infinity) < this.intervalMs && progress.done !== progress.total) return;
    this.lastEmitMs.set(progress.processor, now);
    this.emit(event);
  }
}
