import type { ProcessContext, ProcessLog, Session } from '../../../sdk/processor.js';
import { errnoCode, errorMessage } from '../../errors.js';
import { SessionFile } from '../../sessionFile.js';
import type { DueProcessor, EarlyOutcome, ProcessorOutcome, SessionTask, SessionTaskResult } from '../protocol.js';
import { ItemOutbox } from './itemOutbox.js';
import { processorFrom } from './modules.js';
import { normalizeResult, ProcessorFailure } from './results.js';
import { SharedPass } from './sharedPass.js';

/**
 * A processor that ended reports its outcome ahead of the task's result only once the others of its
 * session have run this much longer (ms): most sessions end well within it, and a message per processor
 * and session would cost real time over 100,000 small ones.
 */
const EARLY_OUTCOME_AFTER_MS = 500;

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

async function runProcessors(file: SessionFile, due: DueProcessor[], hooks: TaskHooks): Promise<{ outcomes: Record<string, ProcessorOutcome>; tainted: boolean }> {
  const outbox = hooks.outbox ?? new ItemOutbox(() => undefined, Infinity);
  // Backpressure: no next batch of records while the host has not stored the items already sent.
  const pass = new SharedPass(file, () => outbox.room());
  const outcomes: Record<string, ProcessorOutcome> = {};
  let tainted = false;
  // A processor that ends while others still run sends its outcome ahead of the result (a quick processor
  // must not wait for a slow one of the same session) once the others have run EARLY_OUTCOME_AFTER_MS past
  // the first end, and the read is over (its hash is of exactly what was read).
  let readStarted!: (reading: Promise<void>) => void;
  const read = new Promise<void>((resolve) => (readStarted = resolve));
  read.catch(() => undefined); // a failed read is the result's to report
  let hashing: Promise<string> | undefined;
  const early: Promise<void>[] = [];
  let running = due.length;
  /** Ended while others run, waiting for the timer; null once it has fired (later ends are sent at once). */
  let endedWaiting: string[] | null = [];
  let earlyTimer: NodeJS.Timeout | undefined;
  const ended = (name: string) => {
    if (--running === 0) clearTimeout(earlyTimer); // the result carries every outcome
    else if (!hooks.outcome) return;
    else if (endedWaiting === null) early.push(sendEarly(name));
    else {
      endedWaiting.push(name);
      earlyTimer ??= setTimeout(() => {
        for (const waiting of endedWaiting ?? []) early.push(sendEarly(waiting));
        endedWaiting = null;
      }, EARLY_OUTCOME_AFTER_MS);
    }
  };
  const sendEarly = async (name: string) => {
    try {
      const fileHash = await (hashing ??= read.then(() => file.md5()));
      await outbox.drainedOf(name); // its items go before the outcome that counts them
      hooks.outcome?.(name, { outcome: outcomes[name], readAtMs: file.readAt.getTime(), fileHash, bytesRead: file.bytesRead });
    } catch {
      // the read failed: the task's result says so
    }
  };
  hooks.phase('plugin-code');
  // Load every module first, so each processor starts (and subscribes to the shared pass) in the same tick.
  const definitions = await Promise.all(due.map((p) => processorFrom(p.entryUrl, p.name).catch((error: unknown) => new Error(`cannot load the processor: ${errorMessage(error)}`))));
  const runs = due.map(async (p, index): Promise<void> => {
    const log = processorLog(p.name, file.sessionKey, hooks);
    const controller = new AbortController();
    const cancel = hooks.cancel.get(p.name);
    const onCancel = () => controller.abort(new ProcessorFailure('run cancelled'));
    if (cancel?.aborted) onCancel();
    else cancel?.addEventListener('abort', onCancel, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const emitted = outbox.open(p.name);
    let succeeded = false;
    try {
      const processor = definitions[index];
      if (processor instanceof Error) throw processor;
      const records = pass.records(p.name, processor.linesContaining ?? null);
      const session: Session = {
        path: file.path,
        sessionKey: file.sessionKey,
        username: file.username,
        sizeBytes: file.sizeBytes,
        records: () => records,
        get malformedLines() {
          return pass.malformedLines(p.name) ?? file.malformedLines;
        },
        get lineNo() {
          return pass.lineNo(p.name);
        },
      };
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          tainted = true; // it may still be running: the host retires this process after the task
          controller.abort(new ProcessorFailure(`timeout after ${p.timeoutMs} ms`));
        }, p.timeoutMs);
        // Cancelled before it started (its task waited queued here): it stops at its first await.
        if (controller.signal.aborted) reject(controller.signal.reason);
        else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      const emit = (item: unknown) => {
        try {
          emitted.emit(item);
        } catch (error) {
          // Stops the processor even if it catches the throw; the outcome names the item.
          controller.abort(error);
          throw error;
        }
      };
      const ctx: ProcessContext = { signal: controller.signal, log, emit };
      // Called synchronously (a sync throw lands in the catch below), so its first records() call subscribes now.
      const value = await Promise.race([processor.processSession(session, ctx), limit]);
      if (emitted.failure) throw emitted.failure;
      const { itemsCount, itemsJson } = normalizeResult(value, log, emitted.count);
      const rest = emitted.close();
      succeeded = true;
      outcomes[p.name] = { kind: 'processed', itemsCount, itemsStreamed: emitted.sent, itemsJson: rest.length === 0 ? itemsJson : rest.concat(itemsJson), malformedLines: session.malformedLines };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      outcomes[p.name] = cancel?.aborted && !(reason instanceof ProcessorFailure && reason.message.startsWith('timeout'))
        ? { kind: 'cancelled' }
        : { kind: 'failed', error: errorMessage(reason) };
    } finally {
      if (!succeeded) emitted.discard();
      pass.detach(p.name); // done, failed or returned early: the pass must not wait for it
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    }
    ended(p.name);
  });
  // Every processor has had its synchronous start (and subscribed if it iterates at once): read the file.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const reading = pass.run();
  readStarted(reading);
  await Promise.all(runs);
  pass.detach(); // a processor that returned without finishing its records must not hold the pass
  await reading;
  await Promise.all(early); // they may still be hashing: the result's hash must not start a second read
  await outbox.drained(); // every 'items' message goes before the result that counts them
  hooks.phase('host-code');
  return { outcomes, tainted };
}

function processorLog(processor: string, sessionKey: string, hooks: TaskHooks): ProcessLog {
  return {
    info: (m) => hooks.log('info', processor, `${sessionKey}: ${String(m)}`),
    warn: (m) => hooks.log('warn', processor, `${sessionKey}: ${String(m)}`),
    error: (m) => hooks.log('error', processor, `${sessionKey}: ${String(m)}`),
  };
}
