import { join } from 'node:path';
import type { Engine } from '../engine.js';
import { BusyError, errorMessage } from '../errors.js';
import type { LoadedProcessor } from '../plugins/loader.js';
import type { RunEvent, RunProgressEvent } from '../runEvents.js';
import type { RunStats } from '../runner/stats.js';
import type { RunLimits } from '../runService.js';
import { CadenceSettings, resolveCadence, type Cadence, type CadenceSource } from './cadence.js';
import { systemClock, type Clock, type ClockTimer } from './clock.js';
import { Debouncer } from './debounce.js';
import { SchedulerEvents, type SchedulerListener, type WatchMode } from './events.js';
import { SessionWatcher, type SessionChanges, type WatchSetting } from './sessionWatcher.js';

export interface SchedulerOptions {
  /** Only these processors (default: every loaded one, including those a plugin reload adds). */
  processors?: string[];
  clock?: Clock;
  /** Default auto: native watching, else polling. */
  watch?: WatchSetting;
  /** Quiet time after the last change before the affected processors run (ms, default 2,000). */
  debounceMs?: number;
  /** A session changing without pause still gets a run this often (ms, default 60,000). */
  maxWaitMs?: number;
  /** Scan interval when polling instead of watching (ms, default 30,000). */
  pollIntervalMs?: number;
  /** Per-processor cadence overrides; default the file schedule.json in the engine's per-user data folder. */
  settings?: CadenceSettings;
  env?: NodeJS.ProcessEnv;
  /** Caps of each run (sessions, time budget, attempts), as for `run`. */
  runOptions?: RunLimits;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** What the app shows per processor. JSON-safe. */
export interface ProcessorSchedule {
  processor: string;
  cadenceMinutes: number;
  cadenceSource: CadenceSource;
  lastRunAt: string | null;
  /** When the next cadence run is due (now or in the past: due at the next chance). */
  nextDueAt: string;
  /** Running now, whoever started it (this scheduler, the app's Run now). */
  running: boolean;
  trigger: string | null;
  progress: RunProgressEvent | null;
  /** Sessions changed since its last run started: it runs after the debounce (or after its current run). */
  changesPending: boolean;
  /** Error of its last run that failed as a whole, null after a run that completed. */
  lastError: string | null;
}

interface Slot {
  lastRunAtMs: number | null;
  changesPending: boolean;
  lastError: string | null;
}

const DEFAULTS = { debounceMs: 2_000, maxWaitMs: 60_000, pollIntervalMs: 30_000 };

/**
 * Runs processors in the background: each at its cadence, and soon after sessions change under the root.
 * The processors due at the same moment (at start, at a cadence tick, after a burst of changes) run as one
 * run, so each session due for several of them is read once; each still has its own cadence, stats and
 * cancel, and ends as soon as its own sessions are done, so a slow processor never holds back a quick one's
 * next run. One still running when its time comes (whoever started it) is not started twice. A run's start is its
 * last-run time, whatever its outcome, persisted as processor_runs.started_at, so a broken processor runs
 * at its cadence rather than in a loop, and a restart picks up where it was.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly settings: CadenceSettings;
  private readonly events = new SchedulerEvents();
  private readonly slots = new Map<string, Slot>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Processors in runs this scheduler started: stop() cancels them. */
  private readonly started = new Set<string>();
  /** Processors due while another face ran them: the scheduler looks again once that run ends. */
  private readonly awaitingOtherRuns = new Set<string>();
  private readonly debouncer: Debouncer;
  private watcher: SessionWatcher | null = null;
  private tickTimer: ClockTimer | undefined;
  private persistedLastRuns = new Map<string, number>();
  /** Deletions seen since the last scan: the next debounced flush rescans to mark orphans. */
  private deletionsPending = false;
  private state: 'idle' | 'started' | 'stopping' | 'stopped' = 'idle';

  constructor(
    private readonly engine: Engine,
    private readonly options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.settings = options.settings ?? new CadenceSettings(join(engine.home, 'schedule.json'));
    this.debouncer = new Debouncer(this.clock, options.debounceMs ?? DEFAULTS.debounceMs, options.maxWaitMs ?? DEFAULTS.maxWaitMs, () =>
      this.track(this.flushChanges()),
    );
  }

  subscribe(listener: SchedulerListener): () => void {
    return this.events.subscribe(listener);
  }

  get watchMode(): WatchMode {
    return this.watcher?.mode ?? 'off';
  }

  /** Changes were noticed and the debounce is counting down to the runs they trigger. */
  get changesWaiting(): boolean {
    return this.debouncer.pending;
  }

  /**
   * Loads persisted last-run times, starts watching, and runs every processor that is due: one that never
   * ran, or whose cadence has elapsed since its last run. A bad cadence override fails here, naming it.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('the scheduler was already started');
    const processors = await this.processors();
    for (const processor of processors) this.cadence(processor); // fail fast on a bad override
    this.persistedLastRuns = await this.engine.store.lastRunTimes();
    this.state = 'started';
    this.watcher = new SessionWatcher(this.engine.options.sessions, {
      setting: this.options.watch ?? 'auto',
      clock: this.clock,
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      onChange: (changes) => this.onChanges(changes),
      onMode: (mode, detail) => this.events.emit({ type: 'watch', mode, detail }),
      onError: (message) => this.log('warn', message),
    });
    try {
      await this.watcher.start();
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    this.tick();
  }

  /**
   * Stops cleanly: no new runs, runs in flight cancelled (sessions in flight are aborted via ctx.signal or
   * finish; finished outcomes are committed whole, nothing half-written), waits for them, stops watching.
   * The engine (and its database) stays open for its owner to close.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return this.settled();
    this.state = 'stopping';
    this.clock.clearTimeout(this.tickTimer);
    this.debouncer.cancel();
    await this.watcher?.close();
    for (const name of this.started) this.engine.runs.cancel(name);
    await this.settled();
    this.state = 'stopped';
  }

  /** Resolves when no run or scan started by the scheduler is in flight. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Runs a processor now, whatever its cadence; refused (BusyError) while it is running. */
  async runNow(name: string, trigger = 'app'): Promise<RunStats> {
    if (this.state !== 'started') throw new Error('the scheduler is not running');
    const [processor] = await this.engine.processors([name]);
    if (this.engine.runs.isRunning(name)) throw new BusyError(`processor "${name}" is already running`);
    const stats = await this.launch([processor], trigger);
    return stats.find((s) => s.processor === name)!;
  }

  /** Cancels a processor's run in flight (the other processors of its run go on); false when it is not running. */
  cancel(name: string): boolean {
    return this.engine.runs.cancel(name).length > 0;
  }

  /** Changes (or with null clears) a processor's cadence override in the settings; takes effect at once. */
  async setCadence(name: string, minutes: number | null): Promise<ProcessorSchedule> {
    const [processor] = await this.engine.processors([name]);
    this.settings.set(name, minutes);
    if (this.state === 'started') this.reschedule(await this.processors());
    return this.describe(processor);
  }

  async status(): Promise<ProcessorSchedule[]> {
    return (await this.processors()).map((p) => this.describe(p));
  }

  private describe(processor: LoadedProcessor): ProcessorSchedule {
    const slot = this.slot(processor.name);
    const cadence = this.cadence(processor);
    const running = this.engine.runs.list().find((r) => r.processor === processor.name);
    return {
      processor: processor.name,
      cadenceMinutes: cadence.minutes,
      cadenceSource: cadence.source,
      lastRunAt: slot.lastRunAtMs === null ? null : new Date(slot.lastRunAtMs).toISOString(),
      nextDueAt: new Date(this.dueAt(slot, cadence)).toISOString(),
      running: running !== undefined,
      trigger: running?.trigger ?? null,
      progress: running ? { type: 'run-progress', ...running } : null,
      changesPending: slot.changesPending,
      lastError: slot.lastError,
    };
  }

  private async processors(): Promise<LoadedProcessor[]> {
    const { processors } = await this.engine.plugins();
    const only = this.options.processors;
    if (only && only.length > 0) {
      const missing = only.filter((name) => !processors.some((p) => p.name === name));
      if (missing.length > 0 && this.state === 'idle') await this.engine.processors(only); // throws, naming them
      return processors.filter((p) => only.includes(p.name));
    }
    return processors;
  }

  private cadence(processor: LoadedProcessor): Cadence {
    return resolveCadence(processor, this.settings, this.options.env);
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { lastRunAtMs: this.persistedLastRuns.get(name) ?? null, changesPending: false, lastError: null };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private dueAt(slot: Slot, cadence: Cadence): number {
    return slot.lastRunAtMs === null ? this.clock.now() : slot.lastRunAtMs + cadence.minutes * 60_000;
  }

  /** Starts every processor whose cadence is up, together, then sleeps until the next one is. */
  private tick(): void {
    if (this.state !== 'started') return;
    this.track(
      this.processors().then((processors) => {
        const now = this.clock.now();
        const due = processors.filter((p) => this.dueAt(this.slot(p.name), this.cadence(p)) <= now);
        this.launchIdle(due, 'schedule');
        this.reschedule(processors);
      }),
    );
  }

  private reschedule(processors: LoadedProcessor[]): void {
    this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    if (this.state !== 'started') return;
    // Running processors are not due until they finish (their finish reschedules): a tick never starts one twice.
    const idle = processors.filter((p) => !this.engine.runs.isRunning(p.name));
    const next = Math.min(...idle.map((p) => this.dueAt(this.slot(p.name), this.cadence(p))));
    if (!Number.isFinite(next)) return;
    this.tickTimer = this.clock.setTimeout(() => this.tick(), Math.max(0, next - this.clock.now()));
  }

  private onChanges(changes: SessionChanges): void {
    if (this.state !== 'started') return;
    if (changes.upserted) for (const name of this.knownNames()) this.slot(name).changesPending = true;
    if (changes.deleted) this.deletionsPending = true;
    this.debouncer.trigger();
  }

  /** Names of the processors the scheduler has seen; the flush filters them against what is loaded now. */
  private knownNames(): string[] {
    return [...this.slots.keys()];
  }

  /**
   * After the debounce: every idle processor with changes pending runs (trigger `watch`); a running one
   * keeps its flag and runs again once it finishes. Deletions alone only rescan (orphans), no runs.
   */
  private async flushChanges(): Promise<void> {
    if (this.state !== 'started') return;
    const processors = await this.processors();
    const due = processors.filter((p) => this.slot(p.name).changesPending);
    if (this.launchIdle(due, 'watch')) return;
    if (this.deletionsPending) {
      this.deletionsPending = false;
      await this.engine.scanSessions(new Date(this.clock.now())).then(
        (scan) => this.announceOrphans(scan.orphaned, scan.restored),
        (error: unknown) => this.log('warn', `rescanning after deletions: ${errorMessage(error)}`),
      );
    }
  }

  /**
   * Starts the due processors that no run holds (whoever started it) as one run; a processor another face
   * is running is looked at again when that run ends. Returns whether a run started.
   */
  private launchIdle(due: LoadedProcessor[], trigger: string): boolean {
    const idle = due.filter((p) => !this.engine.runs.isRunning(p.name));
    // Its own runs reschedule as each processor finishes; another face's run has to be waited for.
    for (const p of due) if (!idle.includes(p) && !this.started.has(p.name)) this.afterOtherRun(p.name);
    if (idle.length === 0) return false;
    this.launch(idle, trigger).catch(() => undefined); // a failed run is reported by its run-finished events
    return true;
  }

  /**
   * Starts one run of the processors, one pass over the sessions for all of them. Their last-run time is
   * now, whatever happens next. The run's scan refreshes the orphan marks; a scan that fails fails the run
   * of each, recorded in processor_runs. Resolves with the stats of each; rejects when the run fails as a whole.
   */
  private launch(processors: LoadedProcessor[], trigger: string): Promise<RunStats[]> {
    const startedAt = this.clock.now();
    for (const processor of processors) {
      const slot = this.slot(processor.name);
      slot.lastRunAtMs = startedAt;
      slot.changesPending = false;
      this.started.add(processor.name);
    }
    this.deletionsPending = false;
    const { done } = this.engine.runs.start({
      processors,
      trigger,
      limits: this.options.runOptions,
      now: () => this.clock.now(),
      log: (level, message) => this.log(level, message),
      onScanned: ({ orphaned, restored }) => this.announceOrphans(orphaned, restored),
      onEvent: (event) => this.onRunEvent(event),
    });
    this.track(done.catch(() => undefined));
    return done;
  }

  private onRunEvent(event: RunEvent): void {
    if (event.type !== 'run-finished') {
      this.events.emit(event);
      return;
    }
    const slot = this.slot(event.processor);
    this.started.delete(event.processor);
    slot.lastError = event.error;
    if (event.error !== null) this.log('error', `[${event.processor}] run failed: ${event.error}`);
    this.events.emit(event);
    const { stats } = event;
    if (stats && stats.processed + stats.errors > 0) this.events.emit({ type: 'state-changed', processors: [event.processor], orphaned: [], restored: [] });
    this.afterRun(slot);
    // Between runs the machine is free: the archive packs its settled sessions (the next run stops it).
    if (this.engine.runs.list().length === 0 && this.state === 'started') this.engine.archives.packWhenIdle((level, message) => this.log(level, message));
  }

  /** A processor's run ended: changes that arrived meanwhile run after the quiet time, and the next tick is set. */
  private afterRun(slot: Slot): void {
    if (this.state !== 'started') return;
    if (slot.changesPending) this.debouncer.trigger();
    this.track(this.processors().then((processors) => this.reschedule(processors)));
  }

  /** Not tracked: stop() must not wait for a run another face started (and cancels on its own). */
  private afterOtherRun(name: string): void {
    if (this.awaitingOtherRuns.has(name)) return;
    this.awaitingOtherRuns.add(name);
    void this.engine.runs.idle(name).then(() => {
      this.awaitingOtherRuns.delete(name);
      this.afterRun(this.slot(name));
    });
  }

  private announceOrphans(orphaned: string[], restored: string[]): void {
    if (orphaned.length > 0) this.log('info', `${orphaned.length} session(s) deleted from disk: kept and marked orphaned (see \`session-inspector orphans\`)`);
    if (orphaned.length > 0 || restored.length > 0) this.events.emit({ type: 'state-changed', processors: [], orphaned, restored });
  }

  /** Keeps a promise in the in-flight set until it settles; its failure is logged, never unhandled. */
  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.log('error', `scheduler: ${errorMessage(error)}`)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}
