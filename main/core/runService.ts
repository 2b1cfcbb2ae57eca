import { randomUUID } from 'node:crypto';
import type { PluginPool } from './pluginProcesses/pool.js';
import { BusyError, errorMessage } from './errors.js';
import type { LoadedProcessor } from './plugins/loader.js';
import { ProgressThrottle, type RunEvent, type RunProgressEvent } from './runEvents.js';
import type { Runner, RunOptions } from './runner/runner.js';
import type { StateStore } from './store/stateStore.js';
import { emptyStats, type RunStats } from './runner/stats.js';
import type { ScanResult } from './scan.js';
import type { SessionEntry } from './sessionFile.js';
import type { OrphanChanges } from './store/orphanStore.js';
import type { ArchiveCopies } from './archive/sessionArchive.js';

/** A run's scan: the sessions to consider (archived ones whose source is gone included), and what the archive did. */
export type ScannedForRun = ScanResult &
  OrphanChanges & {
    /** The copying into the archive this scan started (null without an archive); its warnings are the run's to report. */
    archiving: Promise<ArchiveCopies> | null;
    /** The archive could not be opened: said once, the run goes on without it. */
    archiveWarnings: string[];
  };

/** What a run needs of the engine (the Engine itself; an interface here keeps the two modules acyclic). */
export interface RunHost {
  readonly store: StateStore;
  readonly pool: PluginPool;
  readonly runner: Runner;
  scanSessions(now?: Date, scanning?: Promise<ScanResult>, signal?: AbortSignal): Promise<ScannedForRun>;
}

/** The caps of a run (`run`'s flags, `watch`'s, the scheduler's). */
export type RunLimits = Pick<RunOptions, 'maxSessionsPerRun' | 'timeBudgetSeconds' | 'maxAttempts' | 'leaseSeconds'>;

export interface RunRequest {
  /** The processors to run together, in one pass over the sessions. */
  processors: LoadedProcessor[];
  /** What started it (cli, rerun, schedule, watch, app, app-rerun), stored in processor_runs. */
  trigger: string;
  /** Only these session keys, for every processor of the run. */
  sessions?: string[];
  /**
   * Only sessions that failed or are quarantined (within `sessions` when given): their attempts and
   * quarantine are cleared first. A processor with no such session finishes at once with empty stats.
   */
  failedOnly?: boolean;
  limits?: RunLimits;
  /** Cancels the whole run, like cancel() of each of its processors. */
  signal?: AbortSignal;
  /** Processors already running elsewhere: left out and reported (default), or the whole request refused (BusyError). */
  whenBusy?: 'report' | 'refuse';
  /** This run's events, and none of other runs'. */
  onEvent?: (event: RunEvent) => void;
  /** The scan found sessions deleted or back (orphan marks changed). */
  onScanned?: (changes: OrphanChanges) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The starter's clock (ms), for event times and the row of a run whose scan failed; default Date.now. */
  now?: () => number;
  /** A scan of the session root already under way (the CLI starts it while the plugins load). */
  scanning?: Promise<ScanResult>;
}

export interface StartedRun {
  started: string[];
  alreadyRunning: string[];
  /**
   * Stats of the processors that ran, sorted by name (failedOnly: those that had failed sessions). Rejects
   * when the run fails as a whole; either way after every processor's run-finished event.
   */
  done: Promise<RunStats[]>;
}

/** A processor's run in flight, as a face shows it. JSON-safe. */
export type ActiveRunStatus = Omit<RunProgressEvent, 'type'>;

/** One processor's part of a run in flight. */
interface Active {
  trigger: string;
  /** Cancels this processor only. */
  controller: AbortController;
  throttle: ProgressThrottle;
  /** Resolves when this processor's part is over (it may end before the run's others). */
  settled: Promise<void>;
  settle: () => void;
}

/**
 * The one way a run starts, whichever face asks (the CLI's `run` and `rerun`, the app's Run now, the
 * scheduler): a scan of the session root that also syncs the orphan marks, then one pass of the runner
 * for every processor of the request, so a session due for several of them is read once. It knows every
 * processor in flight, so none runs twice at once whoever started it, and it cancels a run, or one
 * processor of it, and waits for runs to settle.
 */
export class RunService {
  private readonly active = new Map<string, Active>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly engine: RunHost) {}

  isRunning(processor: string): boolean {
    return this.active.has(processor);
  }

  /** Every processor in flight, with its trigger and latest progress. */
  list(): ActiveRunStatus[] {
    return [...this.active].map(([processor, a]) => {
      const { type: _type, ...progress } = a.throttle.latest.get(processor) ?? idleProgress(processor, a.trigger);
      return progress;
    });
  }

  /**
   * Starts a run in the background. Processors already running are left out (reported, or the request
   * refused); the others count as running from this call on, before any await.
   */
  start(request: RunRequest): StartedRun {
    const busy = request.processors.filter((p) => this.active.has(p.name)).map((p) => p.name);
    if (busy.length > 0 && request.whenBusy === 'refuse') throw new BusyError(`processor ${busy.map((name) => `"${name}"`).join(', ')} is already running`);
    const processors = request.processors.filter((p) => !busy.includes(p.name));
    // A request for no processor at all still scans (and syncs the orphan marks); one whose processors are all busy does nothing.
    if (busy.length > 0 && processors.length === 0) return { started: [], alreadyRunning: busy, done: Promise.resolve([]) };
    const controller = new AbortController();
    const throttle = new ProgressThrottle(request.trigger, (event) => request.onEvent?.(event));
    const entries = new Map<string, Active>();
    for (const p of processors) {
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const entry: Active = { trigger: request.trigger, controller: new AbortController(), throttle, settled, settle };
      entries.set(p.name, entry);
      this.active.set(p.name, entry);
    }
    const done = this.execute(processors, request, controller.signal, entries, throttle);
    if (request.signal) forward(request.signal, controller);
    this.track(done);
    return { started: processors.map((p) => p.name), alreadyRunning: busy, done };
  }

  /** Cancels a processor's run (or every run): its sessions in flight are aborted, the rest left for the next run. */
  cancel(processor?: string): string[] {
    const cancelled: string[] = [];
    for (const [name, a] of this.active) {
      if (processor !== undefined && name !== processor) continue;
      a.controller.abort();
      cancelled.push(name);
    }
    return cancelled;
  }

  /** Resolves when the processor has no run in flight. */
  idle(processor: string): Promise<void> {
    return this.active.get(processor)?.settled ?? Promise.resolve();
  }

  /** Resolves when no run is in flight (after cancel(), on shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async execute(
    processors: LoadedProcessor[],
    request: RunRequest,
    signal: AbortSignal,
    entries: Map<string, Active>,
    throttle: ProgressThrottle,
  ): Promise<RunStats[]> {
    const now = request.now ?? Date.now;
    const at = () => new Date(now()).toISOString();
    const startedAt = now();
    const { trigger } = request;
    for (const p of processors) request.onEvent?.({ type: 'run-started', processor: p.name, trigger, at: at() });
    // Each processor is released and reported once: as soon as its part of the pass is over, or with the run.
    const finished = (processor: string, stats: RunStats | null, error: string | null) => {
      const entry = entries.get(processor);
      if (!entry) return;
      entries.delete(processor);
      // Released before the event: its listener may start the processor again at once.
      if (this.active.get(processor) === entry) this.active.delete(processor);
      entry.settle();
      request.onEvent?.({ type: 'run-finished', processor, trigger, at: at(), stats, error });
    };
    const processorSignals = new Map([...entries].map(([name, entry]) => [name, entry.controller.signal]));
    try {
      const stats = await this.runPass(processors, request, { signal, processorSignals }, throttle, startedAt, (s) => finished(s.processor, s, null));
      for (const p of processors) finished(p.name, stats.find((s) => s.processor === p.name) ?? emptyStats(p.name, ''), null);
      return stats;
    } catch (error) {
      for (const p of processors) finished(p.name, null, errorMessage(error));
      throw error;
    }
  }

  private async runPass(
    processors: LoadedProcessor[],
    request: RunRequest,
    cancel: Pick<RunOptions, 'signal' | 'processorSignals'>,
    throttle: ProgressThrottle,
    startedAt: number,
    onFinished: (stats: RunStats) => void,
  ): Promise<RunStats[]> {
    const failed = request.failedOnly ? await this.failedSessions(processors, request.sessions) : null;
    const toRun = failed ? processors.filter((p) => failed.has(p.name)) : processors;
    if (failed && toRun.length === 0) return [];
    // Plugin processes take a few hundred ms to start: when every session will be due for a JavaScript
    // processor anyway, they start while the root is scanned. A run of SQL processors alone starts none.
    const javascript = toRun.filter((p) => !p.checked);
    if (javascript.length > 0 && (await this.engine.store.hasNeverRun(javascript))) this.engine.pool.warm();
    const { sessions, archiving } = await this.scan(toRun, request, startedAt, cancel.signal);
    try {
      return await this.passOver(toRun, sessions, request, cancel, throttle, onFinished, failed);
    } finally {
      // The archive copies new and grown sessions while the pass runs; the run ends when both have.
      const copies = await archiving?.catch((error: unknown) => ({ warnings: [`archiving failed: ${errorMessage(error)}`] }));
      for (const warning of copies?.warnings ?? []) request.log?.('warn', warning);
    }
  }

  private async passOver(
    toRun: LoadedProcessor[],
    sessions: SessionEntry[],
    request: RunRequest,
    cancel: Pick<RunOptions, 'signal' | 'processorSignals'>,
    throttle: ProgressThrottle,
    onFinished: (stats: RunStats) => void,
    failed: Map<string, Set<string>> | null,
  ): Promise<RunStats[]> {
    let only: Map<string, Set<string>> | undefined;
    if (failed) {
      const sessions = [...new Set([...failed.values()].flatMap((keys) => [...keys]))];
      const cleared = await this.engine.store.clearFailures({ processor: [...failed.keys()], session: sessions });
      only = new Map();
      for (const { processor, sessionKey } of cleared) only.set(processor, (only.get(processor) ?? new Set()).add(sessionKey));
    } else if (request.sessions) {
      only = new Map(toRun.map((p) => [p.name, new Set(request.sessions)]));
    }
    return this.engine.runner.runAll(toRun, sessions, {
      ...request.limits,
      ...cancel,
      trigger: request.trigger,
      only,
      log: request.log,
      onProgress: (progress) => throttle.report(progress),
      onFinished,
    });
  }

  /** Failed and quarantined sessions per processor (within `sessions` when given); a processor with none is absent. */
  private async failedSessions(processors: LoadedProcessor[], sessions: string[] | undefined): Promise<Map<string, Set<string>>> {
    const failures = await this.engine.store.listFailures({ processor: processors.map((p) => p.name), session: sessions });
    const failed = new Map<string, Set<string>>();
    for (const row of failures) {
      const name = String(row.processor_name);
      failed.set(name, (failed.get(name) ?? new Set()).add(String(row.session_file)));
    }
    return failed;
  }

  /**
   * Scans the root and syncs the orphan marks. A run that fails here, before the runner starts (the root
   * is gone or unreadable), still gets a processor_runs row per processor with the error, so it shows
   * where every run does; the runner records its own failures.
   */
  private async scan(processors: LoadedProcessor[], request: RunRequest, startedAtMs: number, signal?: AbortSignal): Promise<ScannedForRun> {
    try {
      const scan = await this.engine.scanSessions(new Date(startedAtMs), request.scanning, signal);
      if (scan.orphaned.length > 0 || scan.restored.length > 0) request.onScanned?.({ orphaned: scan.orphaned, restored: scan.restored });
      for (const warning of scan.archiveWarnings) request.log?.('warn', warning);
      return scan;
    } catch (error) {
      const finishedAt = new Date((request.now ?? Date.now)());
      for (const processor of processors) {
        const runId = randomUUID();
        try {
          await this.engine.store.startRun(runId, processor.name, request.trigger, new Date(startedAtMs));
          await this.engine.store.finishRun(runId, finishedAt, { processor: processor.name, run_id: runId, error: errorMessage(error) });
        } catch (writeError) {
          request.log?.('error', `[${processor.name}] cannot record the failed run: ${errorMessage(writeError)}`);
        }
      }
      throw error;
    }
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function idleProgress(processor: string, trigger: string): RunProgressEvent {
  return { type: 'run-progress', processor, trigger, done: 0, total: 0, current: null, errors: 0, elapsedMs: 0, etaMs: null };
}

/** Aborts `controller` when `signal` aborts (now, if it already has). */
function forward(signal: AbortSignal, controller: AbortController): void {
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
}
