import type { RunStats } from './stats.js';

/** What a run is asked to do, and whom it tells: every face (CLI, app, scheduler) passes these to Runner.runAll. */
export interface RunOptions {
  /** Processor calls per processor run, failures included; the rest are capped for the next run. Default: no cap. */
  maxSessionsPerRun?: number;
  /** Per processor run, from the start of the candidate loop; checked before each dispatch. Default 150. */
  timeBudgetSeconds?: number;
  /** Consecutive failures on the same content before a session is quarantined. Default 3. */
  maxAttempts?: number;
  /** Shared store: seconds a claimed session stays this runner's without renewal (renewed every third of it). Default 60. */
  leaseSeconds?: number;
  /** What started the run (cli, rerun, schedule, watch, app), stored in processor_runs. */
  trigger?: string;
  /** Only these session keys, per processor (reruns of selected sessions); a processor not in the map gets none. */
  only?: Map<string, Set<string>>;
  /** Cancels the run: sessions in flight are aborted via ctx.signal, the rest are capped. */
  signal?: AbortSignal;
  /** Cancels one processor of the run as `signal` cancels all; the others go on (a session they share too is still read). */
  processorSignals?: ReadonlyMap<string, AbortSignal>;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  onProgress?: (progress: RunProgress) => void;
  /**
   * One processor's part of the run is over (its outcomes committed, its processor_runs row finished, its
   * lock released) while other processors of the run may go on: a face can report it and start it again.
   */
  onFinished?: (stats: RunStats) => void;
}

export interface RunProgress {
  processor: string;
  done: number;
  total: number;
  current: string | null;
  errors: number;
  elapsedMs: number;
}

export const DEFAULT_TIME_BUDGET_SECONDS = 150;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_LEASE_SECONDS = 60;
