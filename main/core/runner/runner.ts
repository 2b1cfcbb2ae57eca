import { randomUUID } from 'node:crypto';
import type { ProcessLog } from '../../sdk/processor.js';
import { BusyError, UsageError, errnoCode, errorMessage } from '../errors.js';
import type { LoadedProcessor } from '../plugins/loader.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';
import type { StateStore } from '../store/stateStore.js';
import type { SessionOutcome } from '../store/types.js';
import { selectCandidates, type Candidate } from './candidates.js';
import { invokeProcessor } from './invoke.js';
import { emptyStats, type RunStats } from './stats.js';

export interface RunOptions {
  /** Processor calls per run, failures included; the rest are capped for the next run. Default: no cap. */
  maxSessionsPerRun?: number;
  /** Per processor run, from the start of its candidate loop; checked before each candidate. Default 150. */
  timeBudgetSeconds?: number;
  /** Consecutive failures on the same content before a session is quarantined. Default 3. */
  maxAttempts?: number;
  /** What started the run (cli, rerun, schedule, watch, app), stored in processor_runs. */
  trigger?: string;
  /** Only these session keys (rerun of selected sessions). */
  only?: Set<string>;
  /** Cancels the run: the current session is aborted via ctx.signal, the rest are capped. */
  signal?: AbortSignal;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  onProgress?: (progress: RunProgress) => void;
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

/** Outcomes are committed in batches: one transaction per this many sessions, items or milliseconds. */
const BATCH_SESSIONS = 200;
const BATCH_ITEMS = 50_000;
const BATCH_MS = 2_000;

/**
 * Runs processors over scanned sessions and records the outcome of each (processor, session).
 * One Runner per state store: it owns the per-processor "already running" locks.
 */
export class Runner {
  /** In memory on purpose: a killed process cannot leave a stale lock behind. */
  private readonly running = new Set<string>();

  constructor(private readonly store: StateStore) {}

  isRunning(processor: string): boolean {
    return this.running.has(processor);
  }

  /** Runs each processor in name order; stats come back in the same order. */
  async runAll(processors: LoadedProcessor[], sessions: SessionEntry[], options: RunOptions = {}): Promise<RunStats[]> {
    const sorted = [...processors].sort((a, b) => (a.name < b.name ? -1 : 1));
    const results: RunStats[] = [];
    for (const processor of sorted) results.push(await this.run(processor, sessions, options));
    return results;
  }

  /** Rule 8: a second run of the same processor while one is in progress is refused at once. */
  async run(processor: LoadedProcessor, sessions: SessionEntry[], options: RunOptions = {}): Promise<RunStats> {
    if (this.running.has(processor.name)) throw new BusyError(`processor "${processor.name}" is already running`);
    this.running.add(processor.name);
    try {
      return await this.runLocked(processor, sessions, options);
    } finally {
      this.running.delete(processor.name);
    }
  }

  private async runLocked(processor: LoadedProcessor, sessions: SessionEntry[], options: RunOptions): Promise<RunStats> {
    const maxCalls = options.maxSessionsPerRun ?? Infinity;
    const budgetMs = (options.timeBudgetSeconds ?? DEFAULT_TIME_BUDGET_SECONDS) * 1000;
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!(maxCalls >= 0)) throw new UsageError('--max-sessions must be a non-negative number');
    if (!(budgetMs >= 0)) throw new UsageError('--time-budget must be a non-negative number of seconds');
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new UsageError('--max-attempts must be a whole number of at least 1');

    const runId = randomUUID();
    const startedAt = new Date();
    const stats = emptyStats(processor.name, runId);
    await this.store.startRun(runId, processor.name, options.trigger ?? 'cli', startedAt);

    const snapshot = await this.store.snapshot(processor.name);
    const candidates = selectCandidates(sessions, snapshot, processor.version, options.only);
    stats.scanned = candidates.length;

    const pending: SessionOutcome[] = [];
    let pendingItems = 0;
    let lastFlush = Date.now();
    const flush = async () => {
      await this.store.commitOutcomes(processor.name, processor.version, pending.splice(0), maxAttempts);
      pendingItems = 0;
      lastFlush = Date.now();
    };

    const loopStart = performance.now(); // rule 4: the budget clock starts with the candidate loop
    let calls = 0;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i];
      const elapsed = performance.now() - loopStart;
      options.onProgress?.({ processor: processor.name, done: i, total: candidates.length, current: candidate.entry.sessionKey, errors: stats.errors, elapsedMs: elapsed });
      if (options.signal?.aborted) stats.cancelled = true;
      // Rules 3 and 4: past the cap or the budget, the rest wait for the next run (not hashed, not an error).
      if (stats.cancelled || calls >= maxCalls || elapsed >= budgetMs) {
        stats.capped = candidates.length - i;
        break;
      }
      if (candidate.quarantinedUnread) {
        stats.quarantined++;
        continue;
      }
      const outcome = await this.processCandidate(processor, candidate, stats, options, () => calls++);
      if (outcome) {
        pending.push(outcome);
        if (outcome.kind === 'processed') pendingItems += outcome.itemsJson.length;
        if (pending.length >= BATCH_SESSIONS || pendingItems >= BATCH_ITEMS || Date.now() - lastFlush >= BATCH_MS) await flush();
      }
    }
    await flush();
    stats.duration_ms = Math.round(performance.now() - loopStart);
    options.onProgress?.({ processor: processor.name, done: candidates.length, total: candidates.length, current: null, errors: stats.errors, elapsedMs: stats.duration_ms });
    await this.store.finishRun(runId, new Date(), stats);
    return stats;
  }

  /** One candidate: read time, hash when a stored result may still hold, process, and the outcome to store. */
  private async processCandidate(
    processor: LoadedProcessor,
    candidate: Candidate,
    stats: RunStats,
    options: RunOptions,
    countCall: () => void,
  ): Promise<SessionOutcome | null> {
    const { entry } = candidate;
    const log = sessionLog(processor.name, entry.sessionKey, options.log);
    let file: SessionFile;
    try {
      file = await SessionFile.open(entry); // rule 2: the read time is taken here, before hashing
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        stats.vanished++;
        return null;
      }
      countCall();
      return this.failed(stats, entry, new Date(), null, `cannot read ${entry.path}: ${errorMessage(error)}`);
    }
    try {
      if (candidate.hashFirst || candidate.failure?.quarantined) {
        const hash = await file.md5();
        if (candidate.hashFirst && hash === candidate.state?.fileHash) {
          stats.skipped++;
          return null;
        }
        if (candidate.failure?.quarantined && candidate.failure.processorVersion === processor.version && hash === candidate.failure.fileHash) {
          stats.quarantined++;
          return null;
        }
      }
      countCall();
      try {
        const result = await invokeProcessor(processor, file, log, options.signal);
        const fileHash = await file.md5();
        stats.processed++;
        stats.items_extracted += result.itemsCount;
        stats.malformed_lines += file.malformedLines;
        return { kind: 'processed', sessionKey: entry.sessionKey, username: entry.username, readAt: file.readAt, fileHash, ...result };
      } catch (error) {
        // Rule 5: no state row is written; the failure row counts the attempt against this content.
        const hash = await file.md5().catch(() => null);
        return this.failed(stats, entry, file.readAt, hash, errorMessage(error));
      }
    } catch (error) {
      return this.failed(stats, entry, file.readAt, null, `cannot read ${entry.path}: ${errorMessage(error)}`);
    } finally {
      stats.bytes_read += file.bytesRead;
      await file.close().catch(() => undefined);
    }
  }

  private failed(stats: RunStats, entry: SessionEntry, readAt: Date, fileHash: string | null, error: string): SessionOutcome {
    stats.errors++;
    stats.errors_detail.push({ session: entry.sessionKey, error });
    return { kind: 'failed', sessionKey: entry.sessionKey, username: entry.username, readAt, fileHash, error };
  }
}

function sessionLog(processor: string, session: string, sink: RunOptions['log']): ProcessLog {
  const write = (level: 'info' | 'warn' | 'error') => (message: string) => sink?.(level, `[${processor}] ${session}: ${String(message)}`);
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
