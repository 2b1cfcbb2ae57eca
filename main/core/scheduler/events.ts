import type { RunEvent } from '../runEvents.js';

/** How the session root is being watched. */
export type WatchMode = 'native' | 'polling' | 'off';

/**
 * Everything the scheduler tells its listeners (the desktop app forwards them to its UI, `watch` prints
 * them). JSON-safe values only: timestamps are ISO-8601 strings.
 */
export type SchedulerEvent =
  /** Each processor's start, progress and finish, as the run service reports them. */
  | RunEvent
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
