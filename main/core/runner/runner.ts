import type { LogSink } from '../pluginProcesses/pluginProcess.js';
import type { PluginPool } from '../pluginProcesses/pool.js';
import { BusyError, UsageError, errorMessage } from '../errors.js';
import type { LoadedProcessor } from '../plugins/loader.js';
import type { SessionEntry } from '../sessionFile.js';
import type { StateStore } from '../store/stateStore.js';
import { selectCandidates, sessionOrder } from './candidates.js';
import { Leases } from './leases.js';
import { dispatchSession } from './pluginDispatch.js';
import { ProcessorRun } from './processorRun.js';
import type { RunStats } from './stats.js';
import type { SqlEngine } from '../sql/sqlEngine.js';
import { SqlDispatch } from './sqlDispatch.js';
import { allAborted, eitherAborted } from './cancel.js';
import { FED_MIN_BYTES, type KnownRead } from '../sql/sqlBatch.js';

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

/**
 * Outcomes are committed in batches: one transaction per this many sessions, items or milliseconds. Items
 * count whether they wait in memory or staged in the store (a big session's commit then comes soon and
 * frees its staging rows).
 */
const BATCH_SESSIONS = 500;
const BATCH_ITEMS = 50_000;
const BATCH_MS = 2_000;
/**
 * A session is split over the plugin processes only from this size: below it, starting a second process
 * (a few hundred ms) costs about what parsing the file once more does.
 */
export const SPLIT_MIN_BYTES = 64 * 1024 * 1024;
/** Shared store: sessions claimed per round trip, ahead of dispatch. */
const CLAIM_WINDOW = 64;

/**
 * Runs processors over scanned sessions and records the outcome of each (processor, session).
 * Processors run together in one pass: each session due for several of them is read, hashed and parsed
 * once in a plugin process, and its records are fed to all of them. Each keeps its own candidates, cap,
 * budget, stats and run row. One Runner per state store: it owns the per-processor locks. On a shared
 * store (PostgreSQL) several runners, on one machine or many, work the same sessions: each claims a
 * window of sessions ahead of dispatch, looks at their state again, and leaves the rest to their holders.
 */
export class Runner {
  /** In memory on purpose: a killed process cannot leave a stale lock behind. */
  private readonly running = new Set<string>();

  constructor(private readonly store: StateStore, private readonly pool: PluginPool, private readonly sql: SqlEngine) {}

  isRunning(processor: string): boolean {
    return this.running.has(processor);
  }

  async run(processor: LoadedProcessor, sessions: SessionEntry[], options: RunOptions = {}): Promise<RunStats> {
    return (await this.runAll([processor], sessions, options))[0];
  }

  /** Rule 8: a processor already running is refused at once; stats come back sorted by processor name. */
  async runAll(processors: LoadedProcessor[], sessions: SessionEntry[], options: RunOptions = {}): Promise<RunStats[]> {
    const busy = processors.filter((p) => this.running.has(p.name));
    if (busy.length > 0) throw new BusyError(`processor ${busy.map((p) => `"${p.name}"`).join(', ')} is already running`);
    // Locks this run holds: a processor that finishes early gives its lock back (and may be locked again by a new run).
    const held = new Set(processors.map((p) => p.name));
    for (const name of held) this.running.add(name);
    const release = (name: string) => {
      if (held.delete(name)) this.running.delete(name);
    };
    const started: ProcessorRun[] = [];
    try {
      return await this.runLocked([...processors].sort((a, b) => (a.name < b.name ? -1 : 1)), sessions, options, started, release);
    } catch (error) {
      // A run that fails as a whole still gets a finish time and its error: visible in processor_runs, and
      // its start counts as the last run, so a broken processor runs at its cadence, not in a hot loop.
      const finishedAt = new Date();
      for (const run of started) if (!run.ended) await this.store.failRun(run.runId, finishedAt, { ...run.stats, error: errorMessage(error) }).catch(() => undefined);
      throw error;
    } finally {
      for (const name of [...held]) release(name);
    }
  }

  private async runLocked(
    processors: LoadedProcessor[],
    sessions: SessionEntry[],
    options: RunOptions,
    runs: ProcessorRun[],
    release: (name: string) => void,
  ): Promise<RunStats[]> {
    const maxCalls = options.maxSessionsPerRun ?? Infinity;
    const budgetMs = (options.timeBudgetSeconds ?? DEFAULT_TIME_BUDGET_SECONDS) * 1000;
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!(maxCalls >= 0)) throw new UsageError('--max-sessions must be a non-negative number');
    if (!(budgetMs >= 0)) throw new UsageError('--time-budget must be a non-negative number of seconds');
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new UsageError('--max-attempts must be a whole number of at least 1');
    const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    if (!(leaseSeconds > 0)) throw new UsageError('--lease-seconds must be a number of seconds greater than 0');
    const leases = this.store.db.shared ? new Leases(this.store, leaseSeconds * 1000, (m) => options.log?.('warn', m)) : null;
    try {
      return await this.runPass(processors, sessions, options, runs, { maxCalls, budgetMs, maxAttempts, leases, release });
    } finally {
      await leases?.end();
    }
  }

  private async runPass(
    processors: LoadedProcessor[],
    sessions: SessionEntry[],
    options: RunOptions,
    runs: ProcessorRun[],
    { maxCalls, budgetMs, maxAttempts, leases, release }: { maxCalls: number; budgetMs: number; maxAttempts: number; leases: Leases | null; release: (name: string) => void },
  ): Promise<RunStats[]> {
    for (const processor of processors) {
      const { due, snapshot } = await this.store.dueSnapshot(processor.name, processor.version, sessions);
      const candidates = selectCandidates(due, snapshot, processor.version, options.only ? (options.only.get(processor.name) ?? new Set()) : undefined);
      const run = new ProcessorRun(processor, candidates, leases !== null, eitherAborted(options.signal, options.processorSignals?.get(processor.name)));
      await this.store.startRun(run.runId, processor.name, options.trigger ?? 'cli', new Date());
      runs.push(run);
    }
    const order = sessionOrder(sessions, runs);
    // A big session holding more than one process's share of the run's bytes would keep one process busy
    // long after the others ran out of work (one 1 GB file: a single core for the whole run). Its processors
    // are then split over the processes, each group reading and parsing the file once: more CPU in all, but
    // on cores that would otherwise idle. Every other session keeps one read and one parse for all processors.
    const dueBytes = order.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    const groupsFor = (entry: SessionEntry, due: ProcessorRun[]): ProcessorRun[][] => {
      const parts = Math.min(this.pool.size, due.length);
      if (parts < 2 || entry.sizeBytes < SPLIT_MIN_BYTES || entry.sizeBytes * this.pool.size <= dueBytes) return [due];
      return Array.from({ length: parts }, (_, part) => due.filter((_run, index) => index % parts === part));
    };
    const onLog: LogSink = (level, processor, message) => options.log?.(level, processor ? `[${processor}] ${message}` : message);

    let lastFlush = Date.now();
    const flush = async () => {
      const groups = runs.map((r) => ({ processor: r.processor.name, version: r.processor.version, outcomes: r.pending.splice(0), released: r.released.splice(0) }));
      for (const r of runs) r.pendingItems = 0;
      lastFlush = Date.now();
      const lost = await this.store.commitOutcomes(groups, maxAttempts, leases?.runnerId);
      for (const { processor, sessionKey } of lost) {
        onLog('warn', processor, `${sessionKey}: result not stored: this runner's lease expired and another runner took the session`);
      }
    };
    // A batch commits while the plugin processes go on with the next sessions (awaiting it here idled every
    // process for the whole transaction). One commit at a time; dispatch waits only when a second batch has
    // piled up meanwhile, which bounds memory. A failed commit fails the run, as before.
    const commit: { running: Promise<void> | null; failed: { error: unknown } | null } = { running: null, failed: null };
    const maybeFlush = async () => {
      // Sessions, not outcomes: five processors' outcomes of 100 sessions are one batch of 100 (counting
      // outcomes committed every 100 sessions, five times as many transactions as meant).
      const sessionsWaiting = runs.reduce((n, r) => Math.max(n, r.pending.length), 0);
      const itemsWaiting = runs.reduce((n, r) => n + r.pendingItems, 0);
      if (!(sessionsWaiting >= BATCH_SESSIONS || itemsWaiting >= BATCH_ITEMS || Date.now() - lastFlush >= BATCH_MS)) return;
      if (commit.running) {
        if (sessionsWaiting < 2 * BATCH_SESSIONS && itemsWaiting < 2 * BATCH_ITEMS) return;
        await commit.running;
        if (commit.running !== null) return; // another task started the next commit meanwhile
      }
      commit.running = flush()
        .catch((error: unknown) => {
          commit.failed ??= { error };
        })
        .finally(() => {
          commit.running = null;
        });
    };
    const commitsDone = async () => {
      while (commit.running) await commit.running;
      if (commit.failed) throw commit.failed.error;
    };
    /** Commits everything decided so far, after the commit in flight (if any). */
    const commitNow = async () => {
      while (commit.running) await commit.running;
      commit.running = flush()
        .catch((error: unknown) => {
          commit.failed ??= { error };
        })
        .finally(() => {
          commit.running = null;
        });
      await commitsDone();
    };

    const inFlight = new Set<Promise<void>>();
    const loopStart = performance.now(); // rule 4: the budget clock starts with the candidate loop
    // A task may wait queued in its plugin process behind another: it starts only before this instant (epoch ms).
    const notAfterMs = Number.isFinite(budgetMs) ? Date.now() + budgetMs : undefined;
    // A processor whose every candidate is decided finishes at once, while the run goes on for the others:
    // a long processor in a shared run must not hold back the report (and the next run) of a quick one.
    const finishing = new Set<Promise<void>>();
    const finish = (run: ProcessorRun) => {
      if (run.finishing) return;
      run.finishing = true;
      const task = (async () => {
        if (run.pending.length > 0 || run.released.length > 0) await commitNow();
        run.stats.duration_ms = Math.round(performance.now() - loopStart);
        await this.store.finishRun(run.runId, new Date(), run.stats);
        run.ended = true;
        release(run.processor.name);
        options.onFinished?.(run.stats);
      })().catch((error: unknown) => {
        commit.failed ??= { error };
      });
      finishing.add(task);
    };
    const finishIfDecided = (run: ProcessorRun) => {
      if (run.done >= run.stats.scanned && run.inFlight === 0 && run.deferred.size === 0) finish(run);
    };
    const progress = (run: ProcessorRun, current: string | null) => {
      options.onProgress?.({ processor: run.processor.name, done: run.done, total: run.stats.scanned, current, errors: run.stats.errors, elapsedMs: performance.now() - loopStart });
      finishIfDecided(run);
    };
    for (const run of runs) finishIfDecided(run);

    // SQL processors: sessions are collected into batches that DuckDB reads and runs side by side with the
    // plugin processes; each session's result is recorded as a plugin process's would be.
    const sqlRuns = new Set(runs.filter((r) => r.processor.checked));
    const sql = new SqlDispatch(
      this.sql,
      (due) => {
        for (const run of due) {
          run.inFlight--;
          progress(run, null);
        }
      },
      // A batch runs every due SQL processor's query over one read: it stops only when all of them are cancelled.
      { signal: allAborted([...sqlRuns].map((r) => r.cancel)), log: (processor, message) => onLog('warn', processor, message), afterBatch: maybeFlush },
    );
    const inFlightAll = () => [...inFlight, ...sql.running];

    const pass = async (entries: SessionEntry[]) => {
      let claimedUntil = 0;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i];
        while (inFlight.size >= this.pool.capacity) await Promise.race(inFlight); // each process runs one and holds the next
        if (commit.failed) throw commit.failed.error;
        if (leases && i >= claimedUntil) {
          claimedUntil = Math.min(entries.length, i + CLAIM_WINDOW);
          await leases.claim(entries.slice(i, claimedUntil), runs);
        }
        const due: ProcessorRun[] = [];
        for (const run of runs) {
          const candidate = run.candidates.get(entry.sessionKey);
          if (!candidate || run.deferred.has(entry.sessionKey)) continue;
          // Rule 3: near the cap, wait for this processor's calls in flight: a skip there would free a call.
          while (run.calls + run.inFlight >= maxCalls && run.inFlight > 0) {
            if (sqlRuns.has(run)) await sql.flush(); // its calls may be waiting for a batch to start
            await Promise.race(inFlightAll());
          }
          if (run.cancel?.aborted) {
            run.stats.cancelled = true;
            run.capped(entry.sessionKey);
          } else if (run.calls >= maxCalls || performance.now() - loopStart >= budgetMs) {
            run.capped(entry.sessionKey); // rules 3 and 4: left for the next run, unread, not an error
          } else if (candidate.quarantinedUnread) {
            run.quarantined(entry.sessionKey);
          } else {
            due.push(run);
            continue;
          }
          progress(run, entry.sessionKey);
        }
        if (due.length === 0) continue;
        for (const run of due) {
          run.inFlight++;
          progress(run, entry.sessionKey);
        }
        const dueSql = due.filter((run) => sqlRuns.has(run));
        const dueJs = due.filter((run) => !sqlRuns.has(run));
        if (dueJs.length === 0) {
          await sql.add(entry, dueSql);
          continue;
        }
        const settled = (run: ProcessorRun) => {
          run.inFlight--;
          progress(run, null);
        };
        const reads = Promise.all(groupsFor(entry, dueJs).map((group) => dispatchSession({ pool: this.pool, store: this.store }, entry, group, onLog, settled, notAfterMs)));
        // A session due for both kinds is hashed once: its SQL batch takes the plugin process's hash when
        // the file has not changed since that read. Not a session Node feeds to DuckDB in chunks: it is
        // hashed on the way anyway, and waiting would run the two kinds one after the other on a big file.
        if (dueSql.length > 0) {
          const known = entry.sizeBytes < FED_MIN_BYTES ? reads.then((all) => all.find((read) => read !== null) ?? null, () => null) : undefined;
          await sql.add(entry, dueSql, known);
        }
        const task: Promise<void> = reads.then(maybeFlush).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    };
    await pass(order);
    // Sessions other runners held: wait for their leases to end (done, or expired with their runner), then
    // look again. The budget and a cancel end the wait like any other candidate loop.
    while (leases && runs.some((r) => r.deferred.size > 0)) {
      if (runs.every((r) => r.cancel?.aborted) || performance.now() - loopStart >= budgetMs) {
        for (const run of runs) {
          if (run.cancel?.aborted && run.deferred.size > 0) run.stats.cancelled = true;
          for (const key of run.deferred) run.capped(key);
          run.deferred.clear();
        }
        break;
      }
      // Give back what this runner decided meanwhile first: the others may be waiting on exactly those.
      await Promise.all(inFlight);
      await sql.finish();
      await commitsDone();
      await flush();
      await leases.pause();
      const waiting = order.filter((e) => runs.some((r) => r.deferred.has(e.sessionKey)));
      for (const run of runs) run.deferred.clear();
      await pass(waiting);
    }
    await sql.finish();
    await Promise.all(inFlight);
    // Nothing more to dispatch: idle plugin processes go now rather than after IDLE_PROCESS_MS, so their
    // memory is not held through the last commit (a big session's is the largest).
    this.pool.releaseIdle();
    for (const run of runs) finish(run); // every candidate is decided by now; those that finished early are left as they are
    while (finishing.size > 0) await Promise.all([...finishing].map((task) => task.finally(() => finishing.delete(task))));
    await commitsDone();
    await this.store.db.afterRun();
    return runs.map((r) => r.stats);
  }
}
