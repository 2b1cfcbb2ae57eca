// The header's health badge: main's health report (`health/get`, the rules of main/core/health.ts), kept
// fresh on start, after runs and state changes, and on a timer, and where each problem's fix lives in the app.
import type { HealthProblemView, HealthReport } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { AppStore } from './createAppStore.js';
import type { SliceCreator } from './types.js';

/**
 * How often the report is read with nothing else happening, in ms: "overdue" changes with time alone
 * (a processor whose scheduler stopped produces no event), and one minute is well under any cadence.
 */
export const HEALTH_POLL_MS = 60_000;

export interface HealthData {
  /** null until the first answer. */
  report: HealthReport | null;
  /** Why the last read failed; the last report (if any) stays shown beside it. */
  error: string | null;
}

/** Where the app shows what fixes a problem. */
export type HealthFix =
  { kind: 'failed-sessions'; processor: string; label: string } | { kind: 'runs'; processor: string; label: string } | { kind: 'scheduler'; label: string };

export interface HealthSliceState {
  health: HealthData;
  loadHealth(): Promise<void>;
  /** Opens the view a fix names, filtered to its processor. */
  followHealthFix(fix: HealthFix): void;
}

/**
 * Failed and quarantined sessions are listed in the Sessions view; a run's whole-run error, its start and
 * its duration in the Runs view (with Run now); a cadence that lets a processor fall behind in Settings.
 * A stopped runner (team store) is fixed on that runner's machine: nothing in this app fixes it.
 */
export function healthFixes(problem: HealthProblemView): HealthFix[] {
  const processor = problem.processor;
  if (processor === null) return [];
  const failedSessions: HealthFix = { kind: 'failed-sessions', processor, label: `Failed sessions of ${processor}` };
  const runs: HealthFix = { kind: 'runs', processor, label: `Runs of ${processor}` };
  switch (problem.kind) {
    case 'overdue':
      return [runs, { kind: 'scheduler', label: 'Scheduler settings' }];
    case 'stuck':
      return [runs];
    case 'failing':
      return [failedSessions, runs];
    case 'quarantined':
      return [failedSessions];
    case 'runner-stopped':
      return [];
  }
}

/** The badge's words: "healthy", "1 problem", "3 problems". */
export function healthLabel(report: HealthReport): string {
  const n = report.problems.length;
  if (n === 0) return 'healthy';
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'problem' : 'problems'}`;
}

export const createHealthSlice: SliceCreator<HealthSliceState> = (set, get, { api }) => {
  // Reads overlap (the timer, an event, a store switch): only the newest request's answer is shown.
  let latest = 0;

  return {
    health: { report: null, error: null },

    async loadHealth() {
      const ticket = ++latest;
      try {
        const report = await api.call('health/get', {});
        if (ticket === latest) set({ health: { report, error: null } });
      } catch (error) {
        if (ticket === latest) set({ health: { ...get().health, error: errorMessage(error) } });
      }
    },

    followHealthFix(fix) {
      const s = get();
      if (fix.kind === 'failed-sessions') {
        // The whole list of that processor's failures: a leftover text or group filter would hide some.
        s.setSessionFilter({
          processor: fix.processor,
          status: ['failed', 'quarantined'],
          group: undefined,
          text: undefined,
          project: undefined,
          startedFrom: undefined,
          startedTo: undefined,
          has: undefined,
        });
        s.setView('sessions');
      } else if (fix.kind === 'runs') {
        s.setRunHistoryProcessor(fix.processor);
        s.setView('runs');
      } else {
        s.setView('settings');
      }
    },
  };
};

/** Reads the report every `everyMs` until the returned function is called. */
export function pollHealth(store: AppStore, everyMs = HEALTH_POLL_MS): () => void {
  const timer = setInterval(() => void store.getState().loadHealth(), everyMs);
  return () => clearInterval(timer);
}
