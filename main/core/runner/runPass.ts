import type { LogSink } from '../pluginProcesses/pluginProcess.js';
import type { PluginPool } from '../pluginProcesses/pool.js';
import type { SessionEntry } from '../sessionFile.js';
import { FED_MIN_BYTES } from '../sql/sqlBatch.js';
import type { SqlEngine } from '../sql/sqlEngine.js';
import type { StateStore } from '../store/stateStore.js';
import { allAborted } from './cancel.js';
import { CommitPipeline } from './commitPipeline.js';
import { DispatchGate } from './dispatchGate.js';
import type { Leases } from './leases.js';
import { dispatchSession } from './pluginDispatch.js';
import { processorGroups } from './processorGroups.js';
import type { ProcessorRun } from './processorRun.js';
import { RunFinisher } from './runFinisher.js';
import type { RunOptions } from './runOptions.js';
import { SqlDispatch } from './sqlDispatch.js';
import type { RunStats } from './stats.js';

/** Shared store: sessions claimed per round trip, ahead of dispatch. */
const CLAIM_WINDOW = 64;

/** Where a pass's sessions go: the store, the plugin processes (JavaScript processors), DuckDB (SQL ones). */
export interface PassHost {
  store: StateStore;
  pool: PluginPool;
  sql: SqlEngine;
}

export interface PassLimits {
  maxCalls: number;
  budgetMs: number;
  maxAttempts: number;
  /** Claims on a shared store; null when this runner is the store's only one. */
  leases: Leases | null;
  /** Gives a processor's lock back once its part of the pass is over. */
  release(processor: string): void;
}

/**
 * One pass of a run's processors over its sessions, in order. Each session is read once for every
 * processor it is due for: its JavaScript processors in a plugin process (a big one split over several:
 * processorGroups), its SQL processors in a batch DuckDB reads. DispatchGate applies caps, budget, cancels
 * and quarantine before each session; outcomes go to the store in batches (CommitPipeline); each processor
 * finishes as soon as its sessions are decided (RunFinisher). On a shared store each window of sessions is
 * claimed first, and the sessions other runners held are looked at again once the pass is over.
 */
export class RunPass {
  /** Plugin-process tasks in flight (each process runs one and holds the next ones: the pool's capacity). */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly commits: CommitPipeline;
  /** Rule 4: the budget clock starts with the candidate loop (performance.now()). */
  private readonly startedAt: number;
  /** A task may wait queued in its plugin process behind another: it starts only before this instant (epoch ms). */
  private readonly notAfterMs: number | undefined;
  private readonly finisher: RunFinisher;
  private readonly gate: DispatchGate;
  /** The runs of SQL processors, and where their sessions are batched for DuckDB. */
  private readonly sqlRuns: Set<ProcessorRun>;
  private readonly sql: SqlDispatch;
  private readonly runBytes: number;
  private readonly onLog: LogSink;

  constructor(
    private readonly host: PassHost,
    private readonly runs: ProcessorRun[],
    private readonly order: SessionEntry[],
    options: RunOptions,
    private readonly limits: PassLimits,
  ) {
    this.runBytes = order.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    this.onLog = (level, processor, message) => options.log?.(level, processor ? `[${processor}] ${message}` : message);
    this.commits = new CommitPipeline(runs, async (groups) => {
      const lost = await host.store.commitOutcomes(groups, limits.maxAttempts, limits.leases?.runnerId);
      for (const { processor, sessionKey } of lost) {
        this.onLog('warn', processor, `${sessionKey}: result not stored: this runner's lease expired and another runner took the session`);
      }
    });
    this.startedAt = performance.now();
    this.notAfterMs = Number.isFinite(limits.budgetMs) ? Date.now() + limits.budgetMs : undefined;
    this.finisher = new RunFinisher(
      this.commits,
      { finishRun: (...row) => host.store.finishRun(...row), release: limits.release, onProgress: options.onProgress, onFinished: options.onFinished },
      this.startedAt,
    );
    this.sqlRuns = new Set(runs.filter((r) => r.processor.checked));
    this.gate = new DispatchGate(
      { maxCalls: limits.maxCalls, budgetMs: limits.budgetMs, startedAt: this.startedAt },
      {
        callEnded: async (run) => {
          if (this.sqlRuns.has(run)) await this.sql.flush(); // its calls may be waiting for a batch to start
          await Promise.race([...this.inFlight, ...this.sql.running]);
        },
        decided: (run, sessionKey) => this.finisher.progress(run, sessionKey),
      },
    );
    // SQL processors: sessions are collected into batches that DuckDB reads and runs side by side with the
    // plugin processes; each session's result is recorded as a plugin process's would be. A batch runs every
    // due SQL processor's query over one read: it stops only when all of them are cancelled.
    this.sql = new SqlDispatch(host.sql, (due) => due.forEach((run) => this.settled(run)), {
      signal: allAborted([...this.sqlRuns].map((r) => r.cancel)),
      log: (processor, message) => this.onLog('warn', processor, message),
      afterBatch: () => this.commits.maybeCommit(),
    });
  }

  async run(): Promise<RunStats[]> {
    for (const run of this.runs) this.finisher.finishIfDecided(run);
    await this.dispatch(this.order);
    await this.retryDeferred();
    await this.sql.finish();
    await Promise.all(this.inFlight);
    // Nothing more to dispatch: idle plugin processes go now rather than after IDLE_PROCESS_MS, so their
    // memory is not held through the last commit (a big session's is the largest).
    this.host.pool.releaseIdle();
    for (const run of this.runs) this.finisher.finish(run); // every candidate is decided by now; those that finished early are left as they are
    await this.finisher.settled();
    await this.commits.settled();
    await this.host.store.db.afterRun();
    return this.runs.map((r) => r.stats);
  }

  private async dispatch(entries: SessionEntry[]): Promise<void> {
    let claimedUntil = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      while (this.inFlight.size >= this.host.pool.capacity) await Promise.race(this.inFlight);
      this.commits.throwIfFailed();
      if (this.limits.leases && i >= claimedUntil) {
        claimedUntil = Math.min(entries.length, i + CLAIM_WINDOW);
        await this.limits.leases.claim(entries.slice(i, claimedUntil), this.runs);
      }
      const due = await this.gate.admit(entry, this.runs);
      if (due.length > 0) await this.send(entry, due);
    }
  }

  /** One session to the processors it is due for: a plugin process for its JavaScript ones, a SQL batch for the rest. */
  private async send(entry: SessionEntry, due: ProcessorRun[]): Promise<void> {
    for (const run of due) {
      run.inFlight++;
      this.finisher.progress(run, entry.sessionKey);
    }
    const dueSql = due.filter((run) => this.sqlRuns.has(run));
    const dueJs = due.filter((run) => !this.sqlRuns.has(run));
    if (dueJs.length === 0) return this.sql.add(entry, dueSql);
    const { pool, store } = this.host;
    const groups = processorGroups(entry.sizeBytes, dueJs, pool.size, this.runBytes);
    const settled = (run: ProcessorRun) => this.settled(run);
    const reads = Promise.all(groups.map((group) => dispatchSession({ pool, store }, entry, group, this.onLog, settled, this.notAfterMs)));
    // A session due for both kinds is hashed once: its SQL batch takes the plugin process's hash when
    // the file has not changed since that read. Not a session Node feeds to DuckDB in chunks: it is
    // hashed on the way anyway, and waiting would run the two kinds one after the other on a big file.
    if (dueSql.length > 0) {
      const known =
        entry.sizeBytes < FED_MIN_BYTES
          ? reads.then(
              (all) => all.find((read) => read !== null) ?? null,
              () => null,
            )
          : undefined;
      await this.sql.add(entry, dueSql, known);
    }
    const task: Promise<void> = reads.then(() => this.commits.maybeCommit()).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** A run's outcome on a session it was sent is recorded: one call fewer in flight. */
  private settled(run: ProcessorRun): void {
    run.inFlight--;
    this.finisher.progress(run, null);
  }

  /**
   * Sessions other runners held: wait for their leases to end (done, or expired with their runner), then
   * look again. The budget and a cancel end the wait like any other candidate loop.
   */
  private async retryDeferred(): Promise<void> {
    const leases = this.limits.leases;
    while (leases && this.runs.some((r) => r.deferred.size > 0)) {
      if (this.runs.every((r) => r.cancel?.aborted) || this.gate.overBudget) {
        for (const run of this.runs) {
          if (run.cancel?.aborted && run.deferred.size > 0) run.stats.cancelled = true;
          for (const key of run.deferred) run.capped(key);
          run.deferred.clear();
        }
        return;
      }
      // Give back what this runner decided meanwhile first: the others may be waiting on exactly those.
      await Promise.all(this.inFlight);
      await this.sql.finish();
      await this.commits.settled();
      await this.commits.commitNow();
      await leases.pause();
      const waiting = this.order.filter((e) => this.runs.some((r) => r.deferred.has(e.sessionKey)));
      for (const run of this.runs) run.deferred.clear();
      await this.dispatch(waiting);
    }
  }
}
