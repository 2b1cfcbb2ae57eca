// Events from main, applied to the store from outside React. Progress is applied at once; refreshes caused
// by events are coalesced (a run commits outcomes in batches and each batch announces itself).
import type { ApiEvent } from '../../../main/api/contract.js';
import type { AppStore } from './createAppStore.js';

/** Minimum time between two refreshes of the same data caused by events, in ms. */
export const REFRESH_COALESCE_MS = 400;

type RefreshKind = 'sessions' | 'state' | 'runs' | 'processors' | 'usage' | 'health' | 'findings';

export interface EventBinding {
  apply(event: ApiEvent): void;
  /** Runs the pending refreshes now (tests, and before unmounting). */
  flush(): Promise<void>;
  dispose(): void;
}

export function bindEvents(store: AppStore, coalesceMs = REFRESH_COALESCE_MS): EventBinding {
  const pending = new Set<RefreshKind>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function run(): Promise<void> {
    timer = null;
    const kinds = [...pending];
    pending.clear();
    const s = store.getState();
    const work: Promise<void>[] = [];
    for (const kind of kinds) {
      if (kind === 'sessions') work.push(s.refreshSessions(), s.refreshDetail());
      // The state editor and its history are refreshed only where they are on screen (they cost a query).
      if (kind === 'state' && s.view === 'state') work.push(s.loadStateRows(), s.loadAuditHistory());
      if (kind === 'runs') {
        work.push(s.loadRunHistory());
        if (s.view === 'runs') work.push(s.loadDashboard());
      }
      if (kind === 'processors') work.push(s.loadProcessors());
      // The usage report reads every stored message: only where it is on screen.
      if (kind === 'usage' && s.view === 'usage') work.push(s.loadUsage());
      // The header's badge is always on screen.
      if (kind === 'health') work.push(s.loadHealth());
      // Findings are built from every session's items: only where they are on screen (the page loads on opening).
      if (kind === 'findings' && s.view === 'findings') work.push(s.loadFindings());
    }
    await Promise.all(work);
  }

  function schedule(...kinds: RefreshKind[]): void {
    for (const kind of kinds) pending.add(kind);
    if (!timer) timer = setTimeout(() => void run(), coalesceMs);
  }

  return {
    apply(event) {
      const s = store.getState();
      switch (event.type) {
        case 'run-progress':
          s.applyRunProgress(event.run);
          break;
        case 'run-finished':
          s.applyRunFinished(event.processor, event.stats);
          if (event.stats.error) s.notify('error', `${event.processor}: ${event.stats.error}`);
          schedule('sessions', 'state', 'runs', 'processors', 'usage', 'health', 'findings');
          break;
        case 'state-changed':
          // Also a switch of store, and orphans found gone (their usage is counted as from deleted files).
          // Health too: a reset or rerun clears quarantined sessions, another store has other runs.
          // Findings: a reset drops a session's items, an undone review changes a finding's status.
          schedule('sessions', 'state', 'usage', 'health', 'findings');
          break;
        case 'sessions-changed':
          schedule('sessions');
          break;
        case 'info-changed':
          s.applyInfo(event.info);
          break;
        case 'plugins-changed':
          s.setPluginList(event.plugins);
          // Only loaded processors are judged: one enabled or removed changes the report.
          schedule('processors', 'sessions', 'health');
          break;
      }
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await run();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}
