import { errorMessage } from '../errors.js';
import { PluginProcessDied, type LogSink } from '../pluginProcesses/pluginProcess.js';
import type { PluginPool } from '../pluginProcesses/pool.js';
import type { DueProcessor, EarlyOutcome, ProcessorOutcome, SessionTaskResult } from '../pluginProcesses/protocol.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';
import type { KnownRead } from '../sql/sqlBatch.js';
import type { StateStore } from '../store/stateStore.js';
import { ItemStaging, type StagedItems } from './itemStaging.js';
import type { ProcessorRun } from './processorRun.js';

/** Where a session's JavaScript processors run (plugin processes) and where their items are staged. */
export interface PluginHost {
  pool: PluginPool;
  store: StateStore;
}

/**
 * One session for its due processors in one plugin process. When that process dies with several
 * processors aboard, each is retried alone, so the one that killed it fails by itself (rule 5 per
 * processor) and the others still get their result. `settled` hears of each processor once its outcome
 * on this session is recorded.
 */
export async function dispatchSession(
  host: PluginHost,
  entry: SessionEntry,
  due: ProcessorRun[],
  onLog: LogSink,
  settled: (run: ProcessorRun) => void,
  notAfterMs?: number,
): Promise<KnownRead | null> {
  const outcomes = new SessionOutcomes(host.store, entry, due, settled);
  const stopListening = outcomes.listenForCancels();
  // Cancelling aborts only the cancelled processors of this task: others in it, and other runs, go on.
  const cancel = new Map(due.flatMap((run) => (run.cancel ? [[run.processor.name, run.cancel] as const] : [])));
  const task = { entry, processors: due.map((run) => dueProcessor(run, entry)), ...(notAfterMs === undefined ? {} : { notAfterMs }) };
  let result: SessionTaskResult | undefined;
  let failure: unknown;
  try {
    result = await host.pool.request('session', task, {
      onLog,
      cancel,
      onItems: (processor, items) => outcomes.stage(processor, items),
      onOutcome: (processor, early) => outcomes.early(processor, early),
    });
  } catch (error) {
    failure = error;
  } finally {
    stopListening();
  }
  await outcomes.earlyRecorded();
  if (result !== undefined) return outcomes.fromResult(result);
  await outcomes.discardItems(); // an attempt that did not end in a result leaves no items
  if (failure instanceof PluginProcessDied && due.length > 1) {
    const reads = await Promise.all(outcomes.takeOpen().map((run) => dispatchSession(host, entry, [run], onLog, settled, notAfterMs)));
    return reads.find((read) => read !== null) ?? null;
  }
  await outcomes.failed(errorMessage(failure));
  return null;
}

/** What the plugin process needs to know of one due processor on this session. */
function dueProcessor(run: ProcessorRun, entry: SessionEntry): DueProcessor {
  const c = run.candidates.get(entry.sessionKey)!;
  return {
    name: run.processor.name,
    entryUrl: run.processor.entryUrl,
    timeoutMs: run.processor.timeoutMs,
    storedHash: c.hashFirst ? (c.state?.fileHash ?? null) : null,
    quarantinedHash: c.failure?.quarantined && c.failure.processorVersion === run.processor.version ? c.failure.fileHash : null,
  };
}

/**
 * The outcomes of one session task, each processor's recorded once, from whichever comes first: its early
 * outcome (it ended while others of the task still run), its cancel, or the task's end. Items processors
 * emit while the session runs go straight to the store's staging table.
 */
class SessionOutcomes {
  /** Processors whose outcome on this session is not recorded yet. */
  private readonly open: Set<ProcessorRun>;
  private readonly staging: ItemStaging;
  private readonly recording: Promise<void>[] = [];
  private readonly dispatchedAt = new Date();

  constructor(
    store: StateStore,
    private readonly entry: SessionEntry,
    private readonly due: ProcessorRun[],
    private readonly settled: (run: ProcessorRun) => void,
  ) {
    this.open = new Set(due);
    this.staging = new ItemStaging(store, new Set(due.map((run) => run.processor.name)));
  }

  stage(processor: string, items: string[]): Promise<void> {
    return this.staging.stage(processor, items);
  }

  early(processor: string, early: EarlyOutcome): void {
    const run = this.due.find((r) => r.processor.name === processor);
    if (run && this.open.delete(run)) this.recording.push(this.record(run, early.outcome, new Date(early.readAtMs), early.fileHash, early.bytesRead));
  }

  /**
   * A processor cancelled while others of the task go on is decided at once, its session left for the
   * next run: it must not wait for them. Its items are discarded when the task ends. Returns the unsubscribe.
   */
  listenForCancels(): () => void {
    const stops = this.due.map((run) => {
      const onCancel = () => {
        if (![...this.open].some((other) => other !== run && !other.cancel?.aborted) || !this.open.delete(run)) return;
        run.record(this.entry, { kind: 'cancelled' }, this.dispatchedAt, null, 0);
        this.settled(run);
      };
      run.cancel?.addEventListener('abort', onCancel, { once: true });
      return () => run.cancel?.removeEventListener('abort', onCancel);
    });
    return () => stops.forEach((stop) => stop());
  }

  /** The early outcomes heard so far are recorded. */
  async earlyRecorded(): Promise<void> {
    await Promise.all(this.recording);
  }

  /** Records every processor still open from the task's result; what the plugin process read, for a SQL batch. */
  async fromResult(result: SessionTaskResult): Promise<KnownRead | null> {
    if (result.vanished) {
      await this.staging.discard();
      for (const run of this.takeOpen()) {
        run.vanished(this.entry.sessionKey);
        this.settled(run);
      }
      return null;
    }
    for (const run of this.due) {
      if (!this.open.delete(run)) {
        await this.staging.discard(run.processor.name); // decided early (cancelled: what it staged never counts)
        continue;
      }
      const outcome = result.outcomes[run.processor.name] ?? { kind: 'failed', error: 'the plugin process returned no outcome' };
      await this.record(run, outcome, new Date(result.readAtMs), result.fileHash, result.bytesRead);
    }
    return result.fileHash === null ? null : { fileHash: result.fileHash, bytes: result.bytesRead, readAtMs: result.readAtMs };
  }

  async discardItems(): Promise<void> {
    await this.staging.discard();
  }

  /** The processors still open, now no longer this task's to record (they are dispatched again). */
  takeOpen(): ProcessorRun[] {
    const open = [...this.open];
    this.open.clear();
    return open;
  }

  /** The task failed as a whole (its plugin process died, or our plugin-side code failed). */
  async failed(error: string): Promise<void> {
    // Hashed here so that attempts still track the content.
    const fileHash = await hashQuietly(this.entry);
    for (const run of this.takeOpen()) {
      run.record(this.entry, { kind: 'failed', error }, this.dispatchedAt, fileHash, 0);
      this.settled(run);
    }
  }

  private async record(run: ProcessorRun, outcome: ProcessorOutcome, readAt: Date, fileHash: string | null, bytesRead: number): Promise<void> {
    const name = run.processor.name;
    let staged: StagedItems | undefined;
    if (outcome.kind === 'processed') {
      const items = await this.staging.settle(name, outcome.itemsStreamed);
      if (items.error !== undefined) outcome = { kind: 'failed', error: items.error };
      else staged = items.staged;
    } else await this.staging.discard(name);
    run.record(this.entry, outcome, readAt, fileHash, bytesRead, staged);
    this.settled(run);
  }
}

async function hashQuietly(entry: SessionEntry): Promise<string | null> {
  try {
    const file = await SessionFile.open(entry);
    try {
      return await file.md5();
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
}
