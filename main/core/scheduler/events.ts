import type { RunStats } from '../runner/stats.js';

/** How the session root is being watched. */
export type WatchMode = 'native' | 'polling' | 'off';

/** One run's progress, as the runner reports it plus an estimate of the time left. */
export interface RunProgressEvent {
  type: 'run-progress';
  processor: string;
  trigger: string;
  done: number;
  total: number;
  /** Session being worked on, null between sessions. */
  current: string | null;
  errors: number;
  elapsedMs: number;
  /** null until the first session is done. */
  etaMs: number | null;
}

/**
 * Everything the scheduler tells its listeners (the desktop app forwards them to its UI, `watch` prints
 * them). JSON-safe values only: timestamps are ISO-8601 strings.
 */
export type SchedulerEvent =
  | { type: 'run-started'; processor: string; trigger: string; at: string }
  | RunProgressEvent
  /** stats is null when the run failed before the runner started (e.g. the session root is gone); error says why. */
  | { type: 'run-finished'; processor: string; trigger: string; at: string; stats: RunStats | null; error: string | null }
  /** Stored state changed: processors whose runs wrote something, sessions newly orphaned or restored. */
  | { type: 'state-changed'; processors: string[]; orphaned: string[]; restored: string[] }
  /** The watch mode was chosen or changed (a fallback to polling says why in `detail`). */
  | { type: 'watch'; mode: WatchMode; detail: string };

export type SchedulerListener = (event: SchedulerEvent) => void;

/** A typed listener list; a listener that throws is dropped from that event, never from the scheduler. */
export class SchedulerEvents {
  private readonly listeners = new Set<SchedulerListener>();

  subscribe(listener: SchedulerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SchedulerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a UI listener's bug must not stop runs
      }
    }
  }
}
