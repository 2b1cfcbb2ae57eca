import { availableParallelism } from 'node:os';
import { PluginProcess, TaskWithdrawn, PluginProcessDied, type LogSink, type RequestHooks } from './pluginProcess.js';
import type { RequestArgs, RequestKind, RequestResult } from './protocol.js';

export interface PoolOptions {
  /** Plugin processes (default: os.availableParallelism()). */
  size?: number;
  /** Heap limit per plugin process, MB (default 512). */
  memoryLimitMb?: number;
  /** Plugin output not tied to a task. */
  onLog?: LogSink;
}

export const DEFAULT_MEMORY_LIMIT_MB = 512;

/**
 * What the caller of a task hears while it runs (the pool watches the rest: phases, signs of life); logs
 * not given a sink go to the pool's.
 */
export type TaskHooks = Pick<RequestHooks, 'cancel' | 'onItems' | 'onOutcome' | 'onLog'>;

/** Extra time a plugin gets after its own limit (ctx.signal aborted) before its process is killed. */
export const KILL_GRACE_MS = 2_000;

/** A plugin module whose top level has not settled by then is reported as broken instead of hanging the host. */
export const LOAD_TIMEOUT_MS = 10_000;

/** The watchdog of one task, armed while its plugin code runs: either limit kills the process, with `reason`. */
interface Limits {
  totalMs: number;
  /** No sign of life for this long: plugin code blocks the process's event loop. */
  stallMs: number;
  reason: string;
}

/** What differs by kind of request: the watchdog, the args a task that starts at once is sent, what retires its process. */
interface KindRules<K extends RequestKind> {
  limits(args: RequestArgs<K>): Limits;
  /** The args as sent when the task starts at once rather than queued behind another in its process. */
  unqueued(args: RequestArgs<K>): RequestArgs<K>;
  /** The result says the process must be replaced once its tasks end. */
  retires(result: RequestResult<K>): boolean;
}

const RULES: { [K in RequestKind]: KindRules<K> } = {
  describe: {
    limits: () => ({ totalMs: LOAD_TIMEOUT_MS, stallMs: LOAD_TIMEOUT_MS, reason: `did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s` }),
    unqueued: (args) => args,
    retires: () => false,
  },
  session: {
    // The longest due processor's limit plus a grace period overall, and, since the process's own timers
    // cannot fire while plugin code blocks its event loop, no heartbeat for the shortest limit plus grace.
    limits: (task) => {
      const longest = Math.max(...task.processors.map((p) => p.timeoutMs));
      const shortest = Math.min(...task.processors.map((p) => p.timeoutMs));
      const reason = `timeout after ${task.processors.length === 1 ? longest : shortest} ms`;
      return { totalMs: longest + KILL_GRACE_MS, stallMs: shortest + KILL_GRACE_MS, reason };
    },
    // Only a task queued behind another keeps its start deadline; one that starts at once was checked on dispatch.
    unqueued: (task) => (task.notAfterMs === undefined ? task : { ...task, notAfterMs: undefined }),
    // A processor timed out and may still be running.
    retires: (result) => result.tainted,
  },
};

/**
 * Tasks a plugin process holds at once: the one it runs and the next ones, queued in the process. Without
 * a queued one a process sat idle for a round trip to the host after every session (a fifth of its time on
 * a corpus of ordinary sessions, most of it for 100,000 small ones). One queued task was not enough on 2
 * cores: the plugin processes keep both busy, the host gets a turn late, and a process that finished its
 * two small sessions meanwhile waited (2,000 small sessions: 9.8 s with 2, 8.0 s with 4). A task that
 * waits too long behind a long one is withdrawn and given to an idle process (pluginSide/main.ts).
 */
export const TASKS_PER_PROCESS = 4;

/**
 * A process with no task for this long is ended (a new one starts when work comes): an idle process
 * holds 60-70 MB, e.g. all the while a big session keeps the other one busy, or between scheduled runs.
 * Starting one costs a few hundred ms, nothing next to a run that has waited this long for work.
 */
export const IDLE_PROCESS_MS = 2_000;

/** A task that never started because its process died (killed for the task ahead of it) is sent again, this often. */
const UNSTARTED_RETRIES = 2;

interface Slot {
  process: PluginProcess | null;
  /** Replace the process once its tasks end (after a timeout, or when plugins were reloaded); it takes no new ones. */
  retire: boolean;
  /** Tasks given to this slot and not finished. */
  tasks: number;
  /** Ends the process once it has been idle for IDLE_PROCESS_MS. */
  idle?: NodeJS.Timeout;
}

/**
 * A pool of plugin processes, each running one task at a time with the next one queued in it. Plugin code
 * runs under a watchdog: past its limit the process is killed and replaced, and the task fails with the
 * reason. The host never waits on a plugin without a deadline.
 */
export class PluginPool {
  readonly size: number;
  readonly memoryLimitMb: number;
  private readonly slots: Slot[];
  /** Tasks waiting for a slot; `queued`: it will wait behind another task in the process. */
  private readonly waiting: ((slot: Slot, queued: boolean) => void)[] = [];
  private closed = false;
  private readonly onLog: LogSink;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    this.onLog = options.onLog ?? (() => undefined);
    this.slots = Array.from({ length: this.size }, () => ({ process: null, retire: false, tasks: 0 }));
  }

  /**
   * Runs a request of `kind` in a plugin process and resolves to that kind's result. Once its plugin code
   * starts, the kind's watchdog (RULES) runs: past a limit the process is killed and the request rejects
   * with PluginProcessDied(reason); for a session, the runner then retries each processor on its own.
   * `hooks.onItems` receives the items processors emit while the task runs (see RequestHooks.onItems).
   */
  request<K extends RequestKind>(kind: K, args: RequestArgs<K>, hooks: TaskHooks = {}): Promise<RequestResult<K>> {
    if (kind === 'session') this.sessionTasks++;
    return this.run(kind, args, { ...hooks, onLog: hooks.onLog ?? this.onLog });
  }

  /** Starts every process now, ahead of the tasks it will get (each takes a few hundred ms to start). */
  warm(): void {
    if (this.closed) return;
    for (const slot of this.slots) if (!slot.process?.alive && !slot.retire) slot.process = this.spawn();
  }

  /** Fresh processes for every later task (plugins changed): idle ones now, busy ones after their task. */
  recycle(): void {
    for (const slot of this.slots) {
      if (slot.tasks > 0 || slot.process?.busy) slot.retire = true;
      else this.end(slot, 'recycled');
    }
  }

  /** Ends every process without a task now (a run has no more work): their memory goes back at once. */
  releaseIdle(): void {
    for (const slot of this.slots) {
      if (slot.tasks === 0 && slot.process) this.end(slot, 'idle');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) this.end(slot, 'pool closed');
    for (const wake of this.waiting.splice(0)) {
      this.slots[0].tasks++; // released again when the woken task finds the pool closed
      wake(this.slots[0], false);
    }
  }

  private async run<K extends RequestKind>(kind: K, args: RequestArgs<K>, hooks: TaskHooks): Promise<RequestResult<K>> {
    const state = { started: false, waited: false, withdrawn: false };
    for (let attempt = 0; ;) {
      try {
        return await this.runOnce(kind, args, hooks, state);
      } catch (error) {
        if (error instanceof TaskWithdrawn) {
          if (this.closed) throw new PluginProcessDied('plugin pool closed');
          continue; // handed back unstarted: try again, first in line
        }
        // Queued behind a task that got its process killed: it never ran, so it is no failure of its own.
        if (error instanceof PluginProcessDied && !state.started && !this.closed && attempt++ < UNSTARTED_RETRIES) continue;
        throw error;
      }
    }
  }

  private async runOnce<K extends RequestKind>(
    kind: K,
    args: RequestArgs<K>,
    hooks: TaskHooks,
    state: { started: boolean; waited: boolean; withdrawn: boolean },
  ): Promise<RequestResult<K>> {
    const rules: KindRules<K> = RULES[kind];
    const limits = rules.limits(args);
    // A withdrawn task takes its place back first (its release did not hand the place on), then the rest is handed out.
    const retry = state.withdrawn;
    state.withdrawn = false;
    const [slot, queued] = await this.acquire(retry);
    if (retry) this.serve();
    if (queued) state.waited = true;
    try {
      if (this.closed) throw new PluginProcessDied('plugin pool closed');
      if (!slot.process?.alive) slot.process = this.spawn();
      const process = slot.process;
      let total: NodeJS.Timeout | undefined;
      let stall: NodeJS.Timeout | undefined;
      const kill = () => process.kill(limits.reason);
      try {
        const result = await process.request(kind, state.waited ? args : rules.unqueued(args), {
          ...hooks,
          onPhase: (phase) => {
            clearTimeout(total);
            clearTimeout(stall);
            stall = total = undefined;
            if (phase === 'plugin-code') {
              state.started = true;
              total = setTimeout(kill, limits.totalMs);
              stall = setTimeout(kill, limits.stallMs);
            }
          },
          onAlive: () => stall?.refresh(),
        });
        if (rules.retires(result)) slot.retire = true;
        return result;
      } finally {
        clearTimeout(total);
        clearTimeout(stall);
      }
    } catch (error) {
      if (error instanceof TaskWithdrawn) state.withdrawn = true;
      throw error;
    } finally {
      this.release(slot, !state.withdrawn);
    }
  }

  private acquire(first = false): Promise<[Slot, boolean]> {
    const slot = this.pick();
    if (slot) return Promise.resolve([slot, this.take(slot)]);
    return new Promise((resolve) => {
      const wake = (s: Slot, queued: boolean) => resolve([s, queued]);
      if (first) this.waiting.unshift(wake);
      else this.waiting.push(wake);
    });
  }

  /**
   * Counts a task on the slot and starts its process now, so a second task can queue behind the first at
   * once. Returns whether the task will wait behind another one in that process.
   */
  private take(slot: Slot): boolean {
    slot.tasks++;
    clearTimeout(slot.idle);
    if (!this.closed && !slot.process?.alive) slot.process = this.spawn();
    return slot.tasks > 1;
  }

  /** Plugin processes started so far (a run with nothing due starts none). */
  processesStarted = 0;
  /** Session tasks so far: one read of a session, however many processors share it. */
  sessionTasks = 0;

  private spawn(): PluginProcess {
    this.processesStarted++;
    return new PluginProcess({ memoryLimitMb: this.memoryLimitMb, onLog: (...a) => this.onLog(...a) });
  }

  /** Tasks the pool runs or holds queued at once: callers keep this many in flight to keep every process busy. */
  get capacity(): number {
    return this.size * TASKS_PER_PROCESS;
  }

  /** An idle slot first; else the least loaded live process that takes no new tasks yet (queued behind its current one). */
  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.tasks === 0) return slot;
      if (slot.tasks < TASKS_PER_PROCESS && !slot.retire && slot.process?.alive && (!best || slot.tasks < best.tasks)) best = slot;
    }
    return best;
  }

  /** Ends the slot's process, if any, and its idle timer. */
  private end(slot: Slot, reason: string): void {
    clearTimeout(slot.idle);
    slot.process?.kill(reason);
    slot.process = null;
  }

  /** serve: hand the freed place to a waiting task (not when the task itself retries at once: it keeps its turn). */
  private release(slot: Slot, serve = true): void {
    slot.tasks--;
    if (slot.tasks === 0 && (slot.retire || !slot.process?.alive)) {
      this.end(slot, 'retired');
      slot.retire = false;
    }
    if (slot.tasks === 0 && slot.process) {
      const process = slot.process;
      clearTimeout(slot.idle);
      slot.idle = setTimeout(() => {
        if (slot.tasks === 0 && slot.process === process) this.end(slot, 'idle');
      }, IDLE_PROCESS_MS);
      slot.idle.unref();
    }
    if (serve) this.serve();
  }

  /** Gives free places to waiting tasks, in order. */
  private serve(): void {
    while (this.waiting.length > 0) {
      const next = this.pick();
      if (!next) break;
      const queued = this.take(next);
      this.waiting.shift()!(next, queued);
    }
  }
}
