import type { PluginPool } from '../pluginProcesses/pool.js';
import { BusyError, UsageError, errorMessage } from '../errors.js';
import type { LoadedProcessor } from '../plugins/loader.js';
import type { SessionEntry } from '../sessionFile.js';
import type { SqlEngine } from '../sql/sqlEngine.js';
import type { StateStore } from '../store/stateStore.js';
import { eitherAborted } from './cancel.js';
import { selectCandidates, sessionOrder } from './candidates.js';
import { Leases } from './leases.js';
import { ProcessorRun } from './processorRun.js';
import { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_BUDGET_SECONDS, type RunOptions } from './runOptions.js';
import { RunPass, type PassLimits } from './runPass.js';
import type { RunStats } from './stats.js';

export { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_BUDGET_SECONDS, type RunOptions, type RunProgress } from './runOptions.js';

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

  constructor(
    private readonly store: StateStore,
    private readonly pool: PluginPool,
    private readonly sql: SqlEngine,
  ) {}

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
      return await this.runLocked(
        [...processors].sort((a, b) => (a.name < b.name ? -1 : 1)),
        sessions,
        options,
        started,
        release,
      );
    } catch (error) {
      // A run that fails as a whole still gets a finish time and its error: visible in processor_runs, and
      // its start counts as the last run, so a broken processor runs at its cadence, not in a hot loop.
      const finishedAt = new Date();
      for (const run of started)
        if (!run.ended) await this.store.failRun(run.runId, finishedAt, { ...run.stats, error: errorMessage(error) }).catch(() => undefined);
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

  /** Starts each processor's run (its candidates and its processor_runs row), then one pass for all of them. */
  private async runPass(
    processors: LoadedProcessor[],
    sessions: SessionEntry[],
    options: RunOptions,
    runs: ProcessorRun[],
    limits: PassLimits,
  ): Promise<RunStats[]> {
    for (const processor of processors) {
      const { due, snapshot } = await this.store.dueSnapshot(processor.name, processor.version, sessions);
      const candidates = selectCandidates(due, snapshot, processor.version, options.only ? (options.only.get(processor.name) ?? new Set()) : undefined);
      const run = new ProcessorRun(processor, candidates, limits.leases !== null, eitherAborted(options.signal, options.processorSignals?.get(processor.name)));
      await this.store.startRun(run.runId, processor.name, options.trigger ?? 'cli', new Date());
      runs.push(run);
    }
    return new RunPass({ store: this.store, pool: this.pool, sql: this.sql }, runs, sessionOrder(sessions, runs), options, limits).run();
  }
}
