import type { SessionTaskResult } from '../pluginProcesses/protocol.js';
import { errorMessage } from '../errors.js';
import type { SessionEntry } from '../sessionFile.js';
import { runSqlBatch, type KnownRead, type SqlBatchSession, type SqlProcessorSpec } from '../sql/sqlBatch.js';
import type { SqlEngine } from '../sql/sqlEngine.js';
import type { ProcessorRun } from './processorRun.js';

/**
 * A batch closes at this many bytes or sessions: large enough that DuckDB's planning of each processor's
 * query (tens of ms) is small beside the work, small enough that the batches in flight stay well within
 * the sandbox's memory limit (a file is held whole while it is split into lines).
 */
export const SQL_BATCH_BYTES = 32 * 1024 * 1024;
export const SQL_BATCH_SESSIONS = 512;

interface Pending {
  entry: SessionEntry;
  runs: ProcessorRun[];
  /** What a plugin process read of it in this run (its JavaScript processors), once known. */
  known?: Promise<KnownRead | null>;
}

/**
 * Collects the sessions due for SQL processors into batches and runs each batch in the sandbox (one per
 * DuckDB connection, side by side), recording every session's result as a plugin process's result is
 * recorded. The runner's rules are applied before a session is added (caps, budget, quarantine) and when
 * its result comes back (ProcessorRun.record); `settled` then hears which runs have one call fewer in flight.
 */
export class SqlDispatch {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  /** Batches running; each resolves once all of its sessions are settled. */
  readonly running = new Set<Promise<void>>();

  constructor(
    private readonly engine: SqlEngine,
    private readonly settled: (runs: ProcessorRun[]) => void,
    private readonly options: { signal?: AbortSignal; log?: (processor: string, message: string) => void; afterBatch?: () => Promise<void> },
  ) {}

  /** Adds a session for its due SQL processors; runs the batch when it is full (waiting while every connection is busy). */
  async add(entry: SessionEntry, runs: ProcessorRun[], known?: Promise<KnownRead | null>): Promise<void> {
    this.pending.push({ entry, runs, ...(known ? { known } : {}) });
    this.pendingBytes += entry.sizeBytes;
    if (this.pendingBytes >= SQL_BATCH_BYTES || this.pending.length >= SQL_BATCH_SESSIONS) await this.flush();
  }

  /** Starts the batch collected so far (if any), first waiting for a free connection. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const root = rootOf(batch[0].entry);
    const sandbox = await this.engine.sandbox(root);
    // Bounded for memory; a batch waiting for plugin processes or a free connection holds no content yet.
    while (this.running.size >= sandbox.parallelism + 2) await Promise.race(this.running);
    const sessions: SqlBatchSession[] = batch.map(({ entry, runs }) => ({
      entry,
      due: runs.map((run) => {
        const c = run.candidates.get(entry.sessionKey)!;
        return {
          processor: specOf(run),
          storedHash: c.hashFirst ? (c.state?.fileHash ?? null) : null,
          quarantinedHash: c.failure?.quarantined && c.failure.processorVersion === run.processor.version ? c.failure.fileHash : null,
        };
      }),
    }));
    // The batch starts once the plugin processes have read its sessions that they had too (their hashes
    // are reused); it does not hold up dispatching meanwhile.
    const task: Promise<void> = knownReads(batch)
      .then((known) =>
        runSqlBatch(sandbox, sessions, { signal: this.options.signal, known, log: (_level, processor, message) => this.options.log?.(processor, message) }),
      )
      .then(
        (results) => {
          for (const { entry, runs } of batch) {
            record(entry, runs, results.get(entry.sessionKey) ?? new Error('the SQL batch returned no result for this session'));
            this.settled(runs);
          }
        },
        (error: unknown) => {
          for (const { entry, runs } of batch) {
            record(entry, runs, error instanceof Error ? error : new Error(String(error)));
            this.settled(runs);
          }
        },
      )
      .then(() => this.options.afterBatch?.())
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Runs what is collected and waits for every batch. */
  async finish(): Promise<void> {
    await this.flush();
    while (this.running.size > 0) await Promise.race(this.running);
  }
}

/** Records a batch's result for one session (its items came with it: nothing was staged). */
function record(entry: SessionEntry, runs: ProcessorRun[], result: SessionTaskResult | Error): void {
  if (result instanceof Error) {
    for (const run of runs) run.record(entry, { kind: 'failed', error: errorMessage(result) }, new Date(), null, 0);
    return;
  }
  if (result.vanished) {
    for (const run of runs) run.vanished(entry.sessionKey);
    return;
  }
  const readAt = new Date(result.readAtMs);
  for (const run of runs) {
    const outcome = result.outcomes[run.processor.name] ?? { kind: 'failed', error: 'the SQL batch returned no outcome' };
    run.record(entry, outcome, readAt, result.fileHash, result.bytesRead);
  }
}

async function knownReads(batch: Pending[]): Promise<Map<string, KnownRead>> {
  const known = new Map<string, KnownRead>();
  for (const { entry, known: read } of batch) {
    const value = read ? await read : null;
    if (value) known.set(entry.sessionKey, value);
  }
  return known;
}

const specs = new WeakMap<ProcessorRun, SqlProcessorSpec>();

/** One spec object per processor run: a batch groups its sessions' processors by it. */
function specOf(run: ProcessorRun): SqlProcessorSpec {
  let spec = specs.get(run);
  if (!spec) {
    const p = run.processor;
    spec = { name: p.name, checked: p.checked!, timeoutMs: p.timeoutMs, ...(p.linesContaining ? { linesContaining: p.linesContaining } : {}) };
    specs.set(run, spec);
  }
  return spec;
}

/** The session root an entry was scanned under: its path without its key. */
function rootOf(entry: SessionEntry): string {
  const keyLength = entry.sessionKey.length;
  return entry.path.slice(0, entry.path.length - keyLength - 1);
}
