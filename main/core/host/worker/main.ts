// Entry of a plugin process: plugin code runs here, never in the process that owns DuckDB, so a plugin
// that crashes, exits, loops or exhausts memory takes down only this process.
import { registerSdkResolver } from '../../plugins/sdkResolver.js';
import { errorMessage } from '../../errors.js';
import { HEARTBEAT_MS, type HostMessage, type Task, type WorkerMessage } from '../protocol.js';
import { describePlugin } from './modules.js';
import { runSessionTask } from './sessionTask.js';

registerSdkResolver();

const send = (message: WorkerMessage) => process.send?.(message);
const aborts = new Map<number, AbortController>();

async function handle(id: number, task: Task): Promise<unknown> {
  if (task.kind === 'describe') {
    send({ type: 'phase', id, phase: 'plugin-code' });
    const result = await describePlugin(task.entryUrl);
    send({ type: 'phase', id, phase: 'host-code' });
    return result;
  }
  const controller = new AbortController();
  aborts.set(id, controller);
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
    aborts.get(message.id)?.abort();
    return;
  }
  handle(message.id, message.task).then(
    (result) => send({ type: 'result', id: message.id, result }),
    (error: unknown) => send({ type: 'error', id: message.id, error: errorMessage(error) }),
  );
});

// A rejection a plugin left behind must not end the process mid-task; it is the plugin's bug, logged.
process.on('unhandledRejection', (reason) => send({ type: 'log', id: -1, level: 'warn', processor: null, message: `unhandled rejection in plugin code: ${errorMessage(reason)}` }));
process.on('uncaughtException', (error) => send({ type: 'log', id: -1, level: 'error', processor: null, message: `uncaught exception in plugin code: ${errorMessage(error)}` }));
process.on('disconnect', () => process.exit(0)); // the host went away

setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();
send({ type: 'ready' });
