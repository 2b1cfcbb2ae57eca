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
  settled: (run: ProcessorRun) => void, notAfterMs?: number,
): Promise<KnownRead | null> {
  const processors: DueProcessor[] = due.map((run) => {
    const c = run.candidates.get(entry.sessionKey)!;
    return {
      name: run.processor.name,
      entryUrl: run.processor.entryUrl,
      timeoutMs: run.processor.timeoutMs,
      storedHash: c.hashFirst ? (c.state?.fileHash ?? null) : null,
      quarantinedHash: c.failure?.quarantined && c.failure.processorVersion === run.processor.version ? c.failure.fileHash : null,
    };
  });
  const dispatchedAt = new Date();
  // Items processors emit while the session runs go straight to the store's staging table.
  const staging = new ItemStaging(host.store, new Set(processors.map((p) => p.name)));
  // Each processor's outcome on this session is recorded once, from whichever comes first: its early
  // outcome (it ended while others of the task still run), its cancel, or the task's result.
  const open = new Set(due);
  const recording: Promise<void>[] = [];
  const record = async (run: ProcessorRun, outcome: ProcessorOutcome, readAt: Date, fileHash: string | null, bytesRead: number) => {
    const name = run.processor.name;
    let staged: StagedItems | undefined;
    if (outcome.kind === 'processed') {
      const items = await staging.settle(name, outcome.itemsStreamed);
      if (items.error !== undefined) outcome = { kind: 'failed', error: items.error };
      else staged = items.staged;
    } else await staging.discard(name);
    run.record(entry, outcome, readAt, fileHash, bytesRead, staged);
    settled(run);
  };
  const onOutcome = (processor: string, early: EarlyOutcome) => {
    const run = due.find((r) => r.processor.name === processor);
    if (run && open.delete(run)) recording.push(record(run, early.outcome, new Date(early.readAtMs), early.fileHash, early.bytesRead));
  };
  // A processor cancelled while others of the task go on is decided at once, its session left for the
  // next run: it must not wait for them. Its items are discarded when the task ends.
  const stopListening = due.map((run) => {
    const onCancel = () => {
      if (![...open].some((other) => other !== run && !other.cancel?.aborted) || !open.delete(run)) return;
      run.record(entry, { kind: 'cancelled' }, dispatchedAt, null, 0);
      settled(run);
    };
    run.cancel?.addEventListener('abort', onCancel, { once: true });
    return () => run.cancel?.removeEventListener('abort', onCancel);
  });
  const cancel = new Map(due.flatMap((run) => (run.cancel ? [[run.processor.name, run.cancel] as const] : [])));
  let result: SessionTaskResult | undefined;
  let failure: unknown;
  try {
    // Cancelling aborts only the cancelled processors of this task: others in it, and other runs, go on.
    const task = { entry, processors, ...(notAfterMs === undefined ? {} : { notAfterMs }) };
    result = await host.pool.request('session', task, { onLog, cancel, onItems: (processor, items) => staging.stage(processor, items), onOutcome });
  } catch (error) {
    failure = error;
  } finally {
    for (const stop of stopListening) stop();
  }
  await Promise.all(recording);
  if (result === undefined) {
    await staging.discard(); // an attempt that did not end in a result leaves no items
    if (failure instanceof PluginProcessDied && due.length > 1) {
      const retried = [...open];
      open.clear();
      const reads = await Promise.all(retried.map((run) => dispatchSession(host, entry, [run], onLog, settled, notAfterMs)));
      return reads.find((read) => read !== null) ?? null;
    }
    // The plugin process died (or our plugin-side code failed): hash here so attempts still track the content.
    const fileHash = await hashQuietly(entry);
    for (const run of open) {
      run.record(entry, { kind: 'failed', error: errorMessage(failure) }, dispatchedAt, fileHash, 0);
      settled(run);
    }
    return null;
  }
  if (result.vanished) {
    await staging.discard();
    for (const run of open) {
      run.vanished(entry.sessionKey);
      settled(run);
    }
    return null;
  }
  for (const run of due) {
    if (!open.delete(run)) {
      await staging.discard(run.processor.name); // cancelled early: what it staged never counts
      continue;
    }
    const outcome = result.outcomes[run.processor.name] ?? { kind: 'failed', error: 'the plugin process returned no outcome' };
    await record(run, outcome, new Date(result.readAtMs), result.fileHash, result.bytesRead);
  }
  return result.fileHash === null ? null : { fileHash: result.fileHash, bytes: result.bytesRead, readAtMs: result.readAtMs };
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
