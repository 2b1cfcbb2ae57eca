import type { ProcessContext, ProcessLog, Session } from '../../../sdk/processor.js';
import { errnoCode, errorMessage } from '../../errors.js';
import type { JsProcessorDefinition } from '../../plugins/processorSchema.js';
import { SessionFile, type LineSelection } from '../../sessionFile.js';
import type { DueProcessor, EarlyOutcome, ProcessorOutcome, SessionTask, SessionTaskResult } from '../protocol.js';
import { EarlyOutcomes } from './earlyOutcomes.js';
import { ItemOutbox, type EmittedItems } from './itemOutbox.js';
import { processorFrom } from './modules.js';
import { normalizeResult, ProcessorFailure, ProcessorTimeout } from './results.js';
import { SharedPass } from './sharedPass.js';

export interface TaskHooks {
  log(level: 'info' | 'warn' | 'error', processor: string | null, message: string): void;
  /** Plugin code starts (host arms its watchdog) / ends. */
  phase(phase: 'plugin-code' | 'host-code'): void;
  /** Per processor of the task: aborted when the host cancels that processor's run. */
  cancel: ReadonlyMap<string, AbortSignal>;
  /** Where emitted items go (default: nowhere but the outcome, all at the end, for callers without a host). */
  outbox?: ItemOutbox;
  /** A processor's outcome, ahead of the task's result, while others of the task still run. */
  outcome?(processor: string, early: EarlyOutcome): void;
}

/**
 * Runs one session for every due processor: open (the read time), hash first where a stored result may
 * still hold, then one shared read and parse feeding all remaining processors, each with its own time
 * limit. Plugin failures become outcomes; only the host's own I/O errors fail the whole task.
 */
export async function runSessionTask(task: SessionTask, hooks: TaskHooks): Promise<SessionTaskResult> {
  const result: SessionTaskResult = { vanished: false, readAtMs: Date.now(), fileHash: null, bytesRead: 0, outcomes: {}, tainted: false };
  if (task.notAfterMs !== undefined && result.readAtMs >= task.notAfterMs) {
    for (const p of task.processors) result.outcomes[p.name] = { kind: 'capped' };
    return result;
  }
  let file: SessionFile;
  try {
    file = await SessionFile.open(task.entry);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') result.vanished = true;
    else for (const p of task.processors) result.outcomes[p.name] = { kind: 'failed', error: `cannot read ${task.entry.path}: ${errorMessage(error)}` };
    return result;
  }
  result.readAtMs = file.readAt.getTime();
  try {
    let due = task.processors;
    if (due.some((p) => p.storedHash !== null || p.quarantinedHash !== null)) {
      const hash = await file.md5();
      due = due.filter((p) => {
        if (p.storedHash === hash) result.outcomes[p.name] = { kind: 'skipped' };
        else if (p.quarantinedHash === hash) result.outcomes[p.name] = { kind: 'quarantined' };
        else return true;
        return false;
      });
    }
    if (due.length > 0) {
      const { outcomes, tainted } = await runProcessors(file, due, hooks);
      Object.assign(result.outcomes, outcomes);
      result.tainted = tainted;
    }
    result.fileHash = await file.md5();
  } catch (error) {
    const message = `cannot read ${task.entry.path}: ${errorMessage(error)}`;
    for (const p of task.processors) if (!result.outcomes[p.name]) result.outcomes[p.name] = { kind: 'failed', error: message };
  } finally {
    result.bytesRead = file.bytesRead;
    await file.close().catch(() => undefined);
  }
  return result;
}

async function runProcessors(
  file: SessionFile,
  due: DueProcessor[],
  hooks: TaskHooks,
): Promise<{ outcomes: Record<string, ProcessorOutcome>; tainted: boolean }> {
  const outbox = hooks.outbox ?? new ItemOutbox(() => undefined, Infinity);
  // Backpressure: no next batch of records while the host has not stored the items already sent.
  const pass = new SharedPass(file, () => outbox.room());
  const outcomes: Record<string, ProcessorOutcome> = {};
  let tainted = false;
  const early = new EarlyOutcomes(file, outbox, due.length, hooks.outcome);
  hooks.phase('plugin-code');
  // Load every module first, so each processor starts (and subscribes to the shared pass) in the same tick.
  const definitions = await Promise.all(
    due.map((p) => processorFrom(p.entryUrl, p.name).catch((error: unknown) => new Error(`cannot load the processor: ${errorMessage(error)}`))),
  );
  const shared: Shared = { file, pass, outbox, hooks, onTimeout: () => (tainted = true) };
  const runs = due.map(async (p, index) => {
    outcomes[p.name] = await runProcessor(p, definitions[index], shared);
    early.ended(p.name, outcomes[p.name]);
  });
  // Every processor has had its synchronous start (and subscribed if it iterates at once): read the file.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const reading = pass.run();
  early.reading(reading);
  await Promise.all(runs);
  pass.detach(); // a processor that returned without finishing its records must not hold the pass
  await reading;
  await early.settled();
  await outbox.drained(); // every 'items' message goes before the result that counts them
  hooks.phase('host-code');
  return { outcomes, tainted };
}

/** What the processors of one session share. */
interface Shared {
  file: SessionFile;
  pass: SharedPass;
  outbox: ItemOutbox;
  hooks: TaskHooks;
  /** A processor timed out: it may still be running, so the host retires this process after the task. */
  onTimeout(): void;
}

/**
 * One processor over the session, under its time limit and its cancel. Plugin code is called before the
 * first await (a sync throw lands in the catch), so its first records() call subscribes to the shared pass
 * in the tick every processor of the session starts in.
 */
async function runProcessor(
  p: DueProcessor,
  definition: JsProcessorDefinition | Error,
  { file, pass, outbox, hooks, onTimeout }: Shared,
): Promise<ProcessorOutcome> {
  const log = processorLog(p.name, file.sessionKey, hooks);
  const controller = new AbortController();
  const cancel = hooks.cancel.get(p.name);
  const onCancel = () => controller.abort(new ProcessorFailure('run cancelled'));
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  let limit: TimeLimit | undefined;
  const emitted = outbox.open(p.name);
  let succeeded = false;
  try {
    if (definition instanceof Error) throw definition;
    const session = sessionOf(file, pass, p.name, definition.linesContaining ?? null);
    limit = timeLimit(p.timeoutMs, controller, onTimeout);
    const ctx: ProcessContext = { signal: controller.signal, log, emit: emitter(emitted, controller) };
    const value = await Promise.race([definition.processSession(session, ctx), limit.reached]);
    if (emitted.failure) throw emitted.failure;
    const { itemsCount, itemsJson } = normalizeResult(value, log, emitted.count);
    const rest = emitted.close();
    succeeded = true;
    const allJson = rest.length === 0 ? itemsJson : rest.concat(itemsJson);
    return { kind: 'processed', itemsCount, itemsStreamed: emitted.sent, itemsJson: allJson, malformedLines: session.malformedLines };
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    return cancel?.aborted && !(reason instanceof ProcessorTimeout) ? { kind: 'cancelled' } : { kind: 'failed', error: errorMessage(reason) };
  } finally {
    if (!succeeded) emitted.discard();
    pass.detach(p.name); // done, failed or returned early: the pass must not wait for it
    limit?.clear();
    cancel?.removeEventListener('abort', onCancel);
  }
}

/** The session as one processor sees it: records from the shared pass (only the lines its selection picks). */
function sessionOf(file: SessionFile, pass: SharedPass, owner: string, selection: LineSelection): Session {
  const records = pass.records(owner, selection);
  return {
    path: file.path,
    sessionKey: file.sessionKey,
    group: file.group,
    username: file.group,
    sizeBytes: file.sizeBytes,
    records: () => records,
    get malformedLines() {
      return pass.malformedLines(owner) ?? file.malformedLines;
    },
    get lineNo() {
      return pass.lineNo(owner);
    },
  };
}

interface TimeLimit {
  /** Rejects with the signal's reason once it aborts: at the time limit, on a cancel, on an item that cannot be stored. */
  reached: Promise<never>;
  clear(): void;
}

function timeLimit(timeoutMs: number, controller: AbortController, onTimeout: () => void): TimeLimit {
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      controller.abort(new ProcessorTimeout(`timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    // Cancelled before it started (its task waited queued here): it stops at its first await.
    if (controller.signal.aborted) reject(controller.signal.reason);
    else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  return { reached, clear: () => clearTimeout(timer) };
}

/** ctx.emit: an item that cannot be stored stops the processor even if it catches the throw; the outcome names the item. */
function emitter(emitted: EmittedItems, controller: AbortController): (item: unknown) => void {
  return (item) => {
    try {
      emitted.emit(item);
    } catch (error) {
      controller.abort(error);
      throw error;
    }
  };
}

function processorLog(processor: string, sessionKey: string, hooks: TaskHooks): ProcessLog {
  return {
    info: (m) => hooks.log('info', processor, `${sessionKey}: ${String(m)}`),
    warn: (m) => hooks.log('warn', processor, `${sessionKey}: ${String(m)}`),
    error: (m) => hooks.log('error', processor, `${sessionKey}: ${String(m)}`),
  };
}
