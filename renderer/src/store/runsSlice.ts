// Processors, runs in progress (from 'run-progress' events), the run history, its timeline and the dashboard.
import type { ActiveRun, ArgsOf, Dashboard, ProcessorInfo, RunRecord, RunStatsJson, RunTimelinePoint } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { GetStore, SliceCreator, StoreDeps } from './types.js';

export interface RunsData {
  processors: ProcessorInfo[];
  /** Runs in progress, by processor. */
  active: Record<string, ActiveRun>;
  /** The last finished run per processor seen since the window opened (for the processors table). */
  finished: Record<string, RunStatsJson>;
  history: RunRecord[];
  /** The processor whose runs the history shows; '' for all. */
  historyProcessor: string;
  timeline: RunTimelinePoint[];
  dashboard: Dashboard | null;
  error: string | null;
}

export interface RunsSliceState {
  runs: RunsData;
  loadProcessors(): Promise<void>;
  loadActiveRuns(): Promise<void>;
  loadRunHistory(): Promise<void>;
  /** Shows one processor's runs in the history ('' for all) and reads them. */
  setRunHistoryProcessor(processor: string): void;
  loadDashboard(): Promise<void>;
  /** Starts runs; reports processors that were already running instead of starting them twice. */
  startRun(args: ArgsOf<'runs/start'>): Promise<{ started: string[]; alreadyRunning: string[] } | null>;
  cancelRun(processor?: string): Promise<void>;
  applyRunProgress(run: ActiveRun): void;
  applyRunFinished(processor: string, stats: RunStatsJson): void;
}

/** Runs shown in the history table. */
export const HISTORY_LIMIT = 200;
/** Days covered by the charts. */
export const CHART_DAYS = 60;

type RunControlActions = Pick<RunsSliceState, 'startRun' | 'cancelRun'>;

/** Starting and cancelling runs; `patch` is the slice's partial update of `runs`. */
function createRunControlActions(get: GetStore, api: StoreDeps['api'], patch: (p: Partial<RunsData>) => void): RunControlActions {
  return {
    async startRun(args) {
      try {
        const result = await api.call('runs/start', args);
        if (result.alreadyRunning.length > 0) {
          get().notify('info', `Already running (not started twice): ${result.alreadyRunning.join(', ')}`);
        }
        if (result.started.length === 0 && result.alreadyRunning.length === 0) get().notify('info', 'Nothing to run.');
        // Show the runs at once, before their first progress event.
        const active = { ...get().runs.active };
        for (const processor of result.started) {
          active[processor] ??= { processor, trigger: 'manual', done: 0, total: 0, current: null, errors: 0, elapsedMs: 0, etaMs: null };
        }
        patch({ active });
        return result;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return null;
      }
    },

    async cancelRun(processor) {
      try {
        await api.call('runs/cancel', processor ? { processor } : {});
      } catch (error) {
        get().notify('error', errorMessage(error));
      }
    },
  };
}

export const createRunsSlice: SliceCreator<RunsSliceState> = (set, get, { api }) => {
  const patch = (p: Partial<RunsData>) => set({ runs: { ...get().runs, ...p } });
  const fail = (error: unknown) => patch({ error: errorMessage(error) });
  // A slower answer for the processor shown before must not replace the one chosen since.
  let historyRequest = 0;

  return {
    runs: { processors: [], active: {}, finished: {}, history: [], historyProcessor: '', timeline: [], dashboard: null, error: null },

    async loadProcessors() {
      try {
        patch({ processors: await api.call('processors/list', {}) });
      } catch (error) {
        fail(error);
      }
    },

    async loadActiveRuns() {
      try {
        const list = await api.call('runs/active', {});
        patch({ active: Object.fromEntries(list.map((run) => [run.processor, run])) });
      } catch (error) {
        fail(error);
      }
    },

    async loadRunHistory() {
      const ticket = ++historyRequest;
      const processor = get().runs.historyProcessor;
      try {
        const [history, timeline] = await Promise.all([
          api.call('runs/history', { limit: HISTORY_LIMIT, ...(processor ? { processor } : {}) }),
          api.call('runs/timeline', { days: CHART_DAYS }),
        ]);
        if (ticket === historyRequest) patch({ history, timeline, error: null });
      } catch (error) {
        if (ticket === historyRequest) fail(error);
      }
    },

    setRunHistoryProcessor(processor) {
      patch({ historyProcessor: processor });
      void get().loadRunHistory();
    },

    async loadDashboard() {
      try {
        patch({ dashboard: await api.call('dashboard/get', { days: CHART_DAYS }) });
      } catch (error) {
        fail(error);
      }
    },

    ...createRunControlActions(get, api, patch),

    applyRunProgress(run) {
      patch({ active: { ...get().runs.active, [run.processor]: run } });
    },

    applyRunFinished(processor, stats) {
      const active = { ...get().runs.active };
      delete active[processor];
      patch({ active, finished: { ...get().runs.finished, [processor]: stats } });
    },
  };
};
