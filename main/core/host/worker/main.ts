// Entry of a plugin process: plugin code runs here, never in the process that owns DuckDB, so a plugin
// that crashes, exits, loops or exhausts memory takes down only this process.
import { registerSdkResolver } from '../../plugins/sdkResolver.js';
import { errorMessage } from '../../errors.js';
import { HEARTBEAT_MS, type HostMessage, type Task, type WorkerMessage } from '../protocol.js';
import { describePlugin } from './modules.js';
import { runSessionTask } from './sessionTask.js';
import { exitWhenHostDies } from './hostGuard.js';

registerSdkResolver();
exitWhenHostDies();

const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message);
};
/** Taken before any plugin loads: a plugin that replaces process.exit must not keep an orphan alive. */
const exitProcess = process.exit.bind(process);
const aborts = new Map<number, AbortController>();
/** Tasks cancelled by the host while still queued here: they start already aborted. */
const abortedEarly = new Set<number>();
/**
 * The host hands a process its next task before the current one ends (so the process never idles waiting
 * for the host between sessions); tasks still run one at a time, in order, on this chain.
 */
let queue: Promise<unknown> = Promise.resolve();
/** A task waiting this long behind another is withdrawn (see 'withdrawn'); ordinary sessions take a few ms. */
const WITHDRAW_QUEUED_AFTER_MS = 100;

async function handle(id: number, task: Task): Promise<unknown> {
  if (task.kind === 'describe') {
    send({ type: 'phase', id, phase: 'plugin-code' });
    const result = await describePlugin(task.entryUrl);
    send({ type: 'phase', id, phase: 'host-code' });
    return result;
  }
  const controller = new AbortController();
  aborts.set(id, controller);
  if (abortedEarly.delete(id)) controller.abort();
  try {
    return await runSessionTask(task, {
      cancel: controller.signal,
      log: (level, processor, message) => send({ type: 'log', id, level, processor, message }),
      phase: (phase) => send({ type: 'phase', id, phase }),
    });
  } finally {
    aborts.delete(id);
  }
}

process.on('message', (message: HostMessage) => {
  if (message.type === 'abort') {
    const controller = aborts.get(message.id);
    if (controller) controller.abort();
    else abortedEarly.add(message.id);
    return;
  }
  const { id, task } = message;
  let started = false;
  let withdrawn = false;
  // Still queued after a while (the task ahead runs long): hand it back, so an idle process can take it.
  const withdraw = setTimeout(() => {
    if (started) return;
    withdrawn = true;
    send({ type: 'withdrawn', id });
  }, WITHDRAW_QUEUED_AFTER_MS);
  const run = queue.then(() => {
    clearTimeout(withdraw);
    if (withdrawn) return;
    started = true;
    return handle(id, task).then(
      (result) => send({ type: 'result', id, result }),
      (error: unknown) => send({ type: 'error', id, error: errorMessage(error) }),
    );
  });
  queue = run.catch(() => undefined);
});

// A rejection a plugin left behind must not end the process mid-task; it is the plugin's bug, logged.
process.on('unhandledRejection', (reason) => send({ type: 'log', id: -1, level: 'warn', processor: null, message: `unhandled rejection in plugin code: ${errorMessage(reason)}` }));
process.on('uncaughtException', (error) => send({ type: 'log', id: -1, level: 'error', processor: null, message: `uncaught exception in plugin code: ${errorMessage(error)}` }));
process.on('disconnect', () => exitProcess(0)); // the host went away

setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();
send({ type: 'ready' });
