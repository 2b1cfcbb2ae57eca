import { availableParallelism } from 'node:os';
import { PluginProcess, WorkerDied, type LogSink } from './pluginProcess.js';
import type { DescribeResult, DescribeTask, SessionTask, SessionTaskResult } from './protocol.js';

export interface PoolOptions {
  /** Plugin processes (default: os.availableParallelism()). */
  size?: number;
  /** Heap limit per plugin process, MB (default 512). */
  memoryLimitMb?: number;
  /** Plugin output not tied to a task. */
  onLog?: LogSink;
}

export const DEFAULT_MEMORY_LIMIT_MB = 512;

/** Extra time a plugin gets after its own limit (ctx.signal aborted) before its process is killed. */
export const KILL_GRACE_MS = 2_000;

interface Slot {
  process: PluginProcess | null;
  /** Replace the process once its current task ends (after a timeout, or when plugins were reloaded). */
  retire: boolean;
}

/**
 * A pool of plugin processes, one task at a time each. Plugin code runs under a watchdog: past its limit
 * the process is killed and replaced, and the task fails with the reason. The host never waits on a
 * plugin without a deadline.
 */
export class PluginPool {
  readonly size: number;
  readonly memoryLimitMb: number;
  private readonly slots: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private readonly free: Slot[];
  private closed = false;
  private readonly onLog: LogSink;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    this.onLog = options.onLog ?? (() => undefined);
    this.slots = Array.from({ length: this.size }, () => ({ process: null, retire: false }));
    this.free = [...this.slots];
  }

  describe(task: DescribeTask, loadTimeoutMs: number): Promise<DescribeResult> {
    const reason = `did not finish loading within ${loadTimeoutMs / 1000} s`;
    return this.run<DescribeResult>(task, { totalMs: loadTimeoutMs, stallMs: loadTimeoutMs, reason }, this.onLog);
  }

  /**
   * Runs a session task under two watchdogs once plugin code starts: the longest due processor's limit
   * plus a grace period overall, and, since the process's own timers cannot fire while plugin code blocks
   * its event loop, no heartbeat for the shortest limit plus grace. Either kills the process and the task
   * rejects with WorkerDied(reason); the runner then retries each processor of the task on its own.
   */
  session(task: SessionTask, onLog: LogSink, cancel?: AbortSignal): Promise<SessionTaskResult> {
    const longest = Math.max(...task.processors.map((p) => p.timeoutMs));
    const shortest = Math.min(...task.processors.map((p) => p.timeoutMs));
    const reason = `timeout after ${task.processors.length === 1 ? longest : shortest} ms`;
    return this.run<SessionTaskResult>(task, { totalMs: longest + KILL_GRACE_MS, stallMs: shortest + KILL_GRACE_MS, reason }, onLog, cancel);
  }

  /** Fresh processes for every later task (plugins changed): idle ones now, busy ones after their task. */
  recycle(): void {
    for (const slot of this.slots) {
      if (slot.process?.busy) slot.retire = true;
      else {
        slot.process?.kill('recycled');
        slot.process = null;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) slot.process?.kill('pool closed');
    for (const wake of this.waiting.splice(0)) wake(this.slots[0]);
  }

  private async run<T>(task: DescribeTask | SessionTask, limits: { totalMs: number; stallMs: number; reason: string }, onLog: LogSink, cancel?: AbortSignal): Promise<T> {
    const slot = await this.acquire();
    try {
      if (this.closed) throw new WorkerDied('plugin pool closed');
      if (!slot.process?.alive) slot.process = new PluginProcess({ memoryLimitMb: this.memoryLimitMb, onLog: (...a) => this.onLog(...a) });
      const process = slot.process;
      let total: NodeJS.Timeout | undefined;
      let stall: NodeJS.Timeout | undefined;
      const kill = () => process.kill(limits.reason);
      try {
        const result = await process.request<T>(task, {
          onLog,
          cancel,
          onPhase: (phase) => {
            clearTimeout(total);
            clearTimeout(stall);
            stall = total = undefined;
            if (phase === 'plugin-code') {
              total = setTimeout(kill, limits.totalMs);
              stall = setTimeout(kill, limits.stallMs);
            }
          },
          onAlive: () => stall?.refresh(),
        });
        if ((result as Partial<SessionTaskResult>).tainted) slot.retire = true;
        return result;
      } finally {
        clearTimeout(total);
        clearTimeout(stall);
      }
    } finally {
      this.release(slot);
    }
  }

  private acquire(): Promise<Slot> {
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    if (slot.retire || !slot.process?.alive) {
      slot.process?.kill('retired');
      slot.process = null;
      slot.retire = false;
    }
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
