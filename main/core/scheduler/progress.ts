import type { RunProgress } from '../runner/runner.js';

/**
 * Remaining time of a run from its pace so far (ms): null until one session is done, since nothing
 * is known about the pace before that. Sessions differ in size, so it is an estimate, not a promise.
 */
export function estimateRemainingMs(progress: Pick<RunProgress, 'done' | 'total' | 'elapsedMs'>): number | null {
  if (progress.done >= progress.total) return 0;
  if (progress.done === 0) return null;
  return Math.round((progress.elapsedMs / progress.done) * (progress.total - progress.done));
}
