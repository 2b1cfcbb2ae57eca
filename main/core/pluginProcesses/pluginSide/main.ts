// Entry of a plugin process: plugin code runs here, never in the process that owns DuckDB, so a plugin
// that crashes, exits, loops or exhausts memory takes down only this process.
import { errorMessage } from '../../errors.js';
import {
  HEARTBEAT_MS,
  type HostMessage,
  type PluginProcessMessage,
  type Request,
  type RequestArgs,
  type RequestKind,
  type RequestResult,
} from '../protocol.js';
import { ItemOutbox } from './itemOutbox.js';
import { describePlugin } from './modules.js';
import { runSessionTask } from './sessionTask.js';

const write = (message: PluginProcessMessage) => {
  if (process.connected) process.send?.(message);
};
/**
 * A session's result waits here until the next message or the next turn of the event loop, whichever
 * comes first: when the next task is queued, its start ('plugin-code', sent before any plugin code runs)
 * follows within the same turn, and both travel in one write. Each write wakes the host, and on 2 cores
 * those wake-ups were a large part of the cost of a small session.
 */
let outbox: PluginProcessMessage[] | null = null;
const flush = () => {
  const messages = outbox;
  outbox = null;
  if (messages) write(messages.length === 1 ? messages[0] : { type: 'batch', messages });
};
/** Sends now (with anything held back first, in order). */
const send = (message: PluginProcessMessage) => {
  if (outbox === null) write(message);
  else {
    outbox.push(message);
    flush();
  }
};
/** Sends within this turn of the event loop, together with whatever else is sent in it. */
const sendSoon = (message: PluginProcessMessage) => {
  if (outbox !== null) outbox.push(message);
  else {
    outbox = [message];
    setImmediate(flush);
  }
};
/** Taken before any plugin loads: a plugin that replaces process.exit must not keep an orphan alive. */
const exitProcess = process.exit.bind(process);
/** Per running session task, one controller per processor: the host cancels processors, not tasks. */
const aborts = new Map<number, Map<string, AbortController>>();
/** The item outbox of each running session task, for the host's 'items-stored' answers. */
const outboxes = new Map<number, ItemOutbox>();
/** Processors the host cancelled while their task was still queued here: they start already aborted. */
const abortedEarly = new Map<number, Set<string>>();
/**
 * The host hands a process its next task before the current one ends (so the process never idles waiting
 * for the host between sessions); tasks still run one at a time, in order, on this chain.
 */
let queue: Promise<unknown> = Promise.resolve();
/** A task waiting this long behind another is withdrawn (see 'withdrawn'); ordinary sessions take a few ms. */
const WITHDRAW_QUEUED_AFTER_MS = 100;

/** One handler per kind of request, each bound to return its kind's result (protocol.ts's Requests). */
const handlers: { [K in RequestKind]: (id: number, args: RequestArgs<K>) => Promise<RequestResult<K>> } = {
  describe: async (id, { entryUrl }) => {
    send({ type: 'phase', id, phase: 'plugin-code' });
    const result = await describePlugin(entryUrl);
    send({ type: 'phase', id, phase: 'host-code' });
    return result;
  },
  session: runSession,
};

function handle<K extends RequestKind>(id: number, request: Request<K>): Promise<RequestResult<K>> {
  return handlers[request.kind](id, request.args);
}

async function runSession(id: number, task: RequestArgs<'session'>): Promise<RequestResult<'session'>> {
  const controllers = new Map(task.processors.map((p) => [p.name, new AbortController()]));
  aborts.set(id, controllers);
  const outbox = new ItemOutbox((processor, items) => send({ type: 'items', id, processor, items }));
  outboxes.set(id, outbox);
  for (const processor of abortedEarly.get(id) ?? []) controllers.get(processor)?.abort();
  abortedEarly.delete(id);
  // 'host-code' is said only if the host's own work after the plugins (hashing the rest of a file) takes a
  // turn of the event loop: usually the result follows at once and stops the watchdog by itself, and one
  // message fewer per session counts on 100,000 small ones.
  let hostCode: NodeJS.Immediate | undefined;
  try {
    return await runSessionTask(task, {
      cancel: new Map([...controllers].map(([processor, controller]) => [processor, controller.signal])),
      outbox,
      log: (level, processor, message) => send({ type: 'log', id, level, processor, message }),
      outcome: (processor, outcome) => send({ type: 'outcome', id, processor, outcome }),
      phase: (phase) => {
        clearImmediate(hostCode);
        if (phase === 'host-code') hostCode = setImmediate(() => send({ type: 'phase', id, phase }));
        else send({ type: 'phase', id, phase });
      },
    });
  } finally {
    clearImmediate(hostCode);
    aborts.delete(id);
    outboxes.delete(id);
  }
}

process.on('message', (message: HostMessage) => {
  if (message.type === 'items-stored') {
    outboxes.get(message.id)?.stored();
    return;
  }
  if (message.type === 'abort') {
    const controllers = aborts.get(message.id);
    if (controllers) controllers.get(message.processor)?.abort();
    else abortedEarly.set(message.id, (abortedEarly.get(message.id) ?? new Set()).add(message.processor));
    return;
  }
  const { id, request } = message;
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
    return handle(id, request).then(
      (result) => sendSoon({ type: 'result', id, result }),
      (error: unknown) => sendSoon({ type: 'error', id, error: errorMessage(error) }),
    );
  });
  queue = run.catch(() => undefined);
});

// A rejection a plugin left behind must not end the process mid-task; it is the plugin's bug, logged.
process.on('unhandledRejection', (reason) =>
  send({ type: 'log', id: -1, level: 'warn', processor: null, message: `unhandled rejection in plugin code: ${errorMessage(reason)}` }),
);
process.on('uncaughtException', (error) =>
  send({ type: 'log', id: -1, level: 'error', processor: null, message: `uncaught exception in plugin code: ${errorMessage(error)}` }),
);
process.on('disconnect', () => exitProcess(0)); // the host went away

setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();
send({ type: 'ready' });
