// Messages between the host (the thread that owns DuckDB) and a plugin process. JSON-safe data only.
import type { ProcessorView } from '../../sdk/processor.js';
import type { SqlSpec } from '../plugins/processorSchema.js';
import type { SessionEntry } from '../sessionFile.js';

/** What the host knows of a processor once its plugin was loaded (in a plugin process, never in the host). */
export interface ProcessorDescriptor {
  name: string;
  version: string;
  cadenceMinutes: number;
  timeoutMs: number;
  view?: ProcessorView;
  /** A SQL processor: run by the host's DuckDB (core/sql), never sent to a plugin process. */
  sql?: SqlSpec;
  /** A SQL processor's line selection (a JavaScript processor's stays in its plugin process). */
  linesContaining?: string[];
}

/** Load a plugin module and describe (validate) its processors. */
export interface DescribeArgs {
  entryUrl: string;
}

export interface DescribeResult {
  processors: ProcessorDescriptor[];
  errors: string[];
}

/** One due processor of a session task. */
export interface DueProcessor {
  name: string;
  entryUrl: string;
  timeoutMs: number;
  /** Hash of the stored result of this version: when the content still hashes to it, the outcome is `skipped`. */
  storedHash: string | null;
  /** Hash of the content this processor is quarantined on: when it still matches, the outcome is `quarantined`. */
  quarantinedHash: string | null;
}

/** Read one session once and run every due processor over the same records. */
export interface SessionTask {
  entry: SessionEntry;
  processors: DueProcessor[];
  /**
   * Epoch ms (the run's time budget): a task still queued in the plugin process at that time is not
   * started; its processors are `capped` (rule 4: the budget is checked before each session starts).
   */
  notAfterMs?: number;
}

export type ProcessorOutcome =
  | { kind: 'skipped' }
  | { kind: 'quarantined' }
  /**
   * itemsStreamed: items emitted (ctx.emit) and already sent in 'items' messages, indexes 0..itemsStreamed-1;
   * itemsJson: the rest, in order, indexes from itemsStreamed on.
   */
  | { kind: 'processed'; itemsCount: number; itemsStreamed: number; itemsJson: string[]; malformedLines: number }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled' }
  | { kind: 'capped' };

export interface SessionTaskResult {
  /** The file was gone when it was opened. */
  vanished: boolean;
  readAtMs: number;
  /** MD5 of exactly the bytes read (null if the file could not be read). */
  fileHash: string | null;
  bytesRead: number;
  outcomes: Record<string, ProcessorOutcome>;
  /** A processor timed out and may still be running: the host replaces this process after the task. */
  tainted: boolean;
}

/** What the host needs to record one processor's outcome before its task ends. */
export interface EarlyOutcome {
  outcome: ProcessorOutcome;
  readAtMs: number;
  /** MD5 of exactly the bytes read (the read is over by then). */
  fileHash: string;
  bytesRead: number;
}

/**
 * What the host can ask a plugin process, by kind: what it sends (args) and what comes back (result).
 * Both sides take their types from this map: the plugin process's handlers (pluginSide/main.ts) must return
 * the result of their kind, and the host's request (PluginProcess.request, the pool) resolves to it, its
 * shape checked where it arrives (resultChecks.ts), never cast.
 */
export interface Requests {
  describe: { args: DescribeArgs; result: DescribeResult };
  session: { args: SessionTask; result: SessionTaskResult };
}

export type RequestKind = keyof Requests;
export type RequestArgs<K extends RequestKind> = Requests[K]['args'];
export type RequestResult<K extends RequestKind> = Requests[K]['result'];
/** A request as sent: its kind and its args (with K a union, a union whose kind tells its args). */
export type Request<K extends RequestKind = RequestKind> = { [P in K]: { kind: P; args: RequestArgs<P> } }[K];

export type HostMessage<K extends RequestKind = RequestKind> =
  | { type: 'request'; id: number; request: Request<K> }
  /** Asks one processor of the (session) task to stop (its ctx.signal aborts); the task's other processors go on. */
  | { type: 'abort'; id: number; processor: string }
  /** The host has stored (staged) one 'items' message of the task: the process may send another. */
  | { type: 'items-stored'; id: number };

export type PluginProcessMessage =
  | { type: 'ready' }
  /** Sent every HEARTBEAT_MS while the process's event loop turns: its absence means plugin code blocks it. */
  | { type: 'heartbeat' }
  /** The answer to request `id`, of that request's kind (the host checks it: see resultChecks.ts). */
  | { type: 'result'; id: number; result: RequestResult<RequestKind> }
  | { type: 'error'; id: number; error: string }
  /** The task waited queued behind another too long and was never started: the host gives it to another process. */
  | { type: 'withdrawn'; id: number }
  /** Plugin code is about to run (the watchdog starts) or has finished (it stops). */
  | { type: 'phase'; id: number; phase: 'plugin-code' | 'host-code' }
  /**
   * One processor's outcome, ahead of the task's result, when others of the task still run: a quick
   * processor need not wait for a slow one. The result repeats it; the host keeps the first.
   */
  | { type: 'outcome'; id: number; processor: string; outcome: EarlyOutcome }
  /** Items a processor emitted (ctx.emit) during the task, as JSON, in order; answered by 'items-stored'. */
  | { type: 'items'; id: number; processor: string; items: string[] }
  | { type: 'log'; id: number; level: 'info' | 'warn' | 'error'; processor: string | null; message: string }
  /** Several of the above in one write (a result and the next task's start), handled in order. */
  | { type: 'batch'; messages: PluginProcessMessage[] };

export const HEARTBEAT_MS = 200;

/**
 * Emitted items travel in messages of up to this much JSON (UTF-16 code units, about bytes) or this many
 * items, whichever comes first: large enough that a message costs little per item, small enough that
 * neither process holds much of a big session's items at once.
 */
export const ITEM_MESSAGE_CHARS = 1 << 20;
export const ITEM_MESSAGE_ITEMS = 4_000;
/**
 * 'items' messages a task may have sent and not yet seen stored: beyond that the plugin process pauses
 * its processors (the shared pass waits), so a fast processor cannot pile up items in either process.
 */
export const ITEM_MESSAGES_IN_FLIGHT = 2;
