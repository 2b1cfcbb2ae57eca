import { fork, type ChildProcess } from 'node:child_process';
import { errorMessage } from '../errors.js';
import { guardAgainstHostDeath } from './hostDeathGuard.js';
import type { EarlyOutcome, HostMessage, PluginProcessMessage, RequestArgs, RequestKind, RequestResult } from './protocol.js';
import { checkEarlyOutcome, checkResult } from './resultChecks.js';

/** The plugin process's entry (pluginSide/ is the code that runs in it). */
const ENTRY = new URL('./pluginSide/main.js', import.meta.url);
/** Extra Node flags for plugin processes, for profiling (`--cpu-prof --cpu-prof-dir=DIR`): NODE_OPTIONS refuses --cpu-prof. */
const EXTRA_NODE_ARGS = process.env.SESSION_INSPECTOR_PLUGIN_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const PROFILING = EXTRA_NODE_ARGS.length > 0;

export interface PluginProcessOptions {
  /** V8 heap limit of the process (its --max-old-space-size). */
  memoryLimitMb: number;
  /** Output and logs not tied to a task (console output, stray rejections). */
  onLog: LogSink;
}

/** The process died or was killed while it held a task. */
export class PluginProcessDied extends Error {}

/** The process handed a queued task back unstarted (the task ahead of it ran long); it goes to another process. */
export class TaskWithdrawn extends Error {}

export type LogSink = (level: 'info' | 'warn' | 'error', processor: string | null, message: string) => void;

export interface RequestHooks {
  onPhase?(phase: 'plugin-code' | 'host-code'): void;
  /** Any sign of life from the process (heartbeats included). */
  onAlive?(): void;
  /** Logs of this task's plugin code. */
  onLog?: LogSink;
  /**
   * Per processor of the task: aborting one asks that processor's plugin code to stop (its ctx.signal) and
   * it finishes as cancelled; the others in the same task go on (runs that share a pass cancel separately).
   */
  cancel?: ReadonlyMap<string, AbortSignal>;
  /**
   * Items a processor emitted, in order; the process may send more once the returned promise settles
   * (backpressure: a message the host cannot store yet is not followed by more).
   */
  onItems?(processor: string, items: string[]): Promise<void> | void;
  /** A processor's outcome, ahead of the task's result (see the 'outcome' message). */
  onOutcome?(processor: string, early: EarlyOutcome): void;
}

interface Pending extends RequestHooks {
  /** The process answered: its result is checked for the shape of the request's kind (resultChecks.ts). */
  answer(result: unknown): void;
  reject(error: Error): void;
}

/**
 * One plugin process (a Node child process). Child processes rather than worker threads: on Node 20 some
 * allocations (a huge String.prototype.split, for one) abort the whole process when a worker thread hits
 * its heap limit, so only a process boundary contains every runaway plugin.
 */
export class PluginProcess {
  private readonly child: ChildProcess;
  /** Kills the process if this host dies first (see hostDeathGuard.ts). */
  private readonly guard: { end(): void };
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private killedFor: string | null = null;
  private exitReason: string | null = null;
  /** The task whose plugin code runs now (tasks run one at a time in the process; the next may wait queued). */
  private running: number | null = null;
  readonly ready: Promise<void>;

  constructor(private readonly options: PluginProcessOptions) {
    this.child = fork(ENTRY, [], {
      // An 8 MB young generation (V8's default here is 16): about 15 MB less per process at the same speed
      // on transcripts (4 MB cost 10 % more CPU in scavenges); the peak RSS of a run counts every process.
      execArgv: [`--max-old-space-size=${options.memoryLimitMb}`, '--max-semi-space-size=8', ...EXTRA_NODE_ARGS],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    // Plugin console output must never reach the host's stdout (it would corrupt `--json`): it becomes log lines.
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const running = this.running === null ? undefined : this.pending.get(this.running);
      const sink = running?.onLog ?? (this.pending.size === 1 ? ([...this.pending.values()][0].onLog ?? options.onLog) : options.onLog);
      for (const line of text.split('\n')) if (line.trim()) sink('info', null, `plugin output: ${line}`);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4096);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: PluginProcessMessage) => {
        if (message.type === 'ready') {
          this.child.off('message', onMessage);
          resolve();
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', () => reject(new PluginProcessDied(`plugin process failed to start: ${this.describeExit(null, null)}`)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (message: PluginProcessMessage) => this.onMessage(message));
    this.guard = guardAgainstHostDeath(this.child.pid);
    this.child.once('exit', (code, signal) => {
      this.guard.end();
      this.exitReason = this.describeExit(code, signal);
      for (const pending of this.pending.values()) pending.reject(new PluginProcessDied(this.exitReason));
      this.pending.clear();
    });
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Tasks sent and not answered yet (the running one and any queued behind it). */
  get load(): number {
    return this.pending.size;
  }

  /** Sends a request of `kind`; resolves to that kind's result (see Requests in protocol.ts). */
  async request<K extends RequestKind>(kind: K, args: RequestArgs<K>, hooks: RequestHooks = {}): Promise<RequestResult<K>> {
    await this.ready;
    if (!this.alive) throw new PluginProcessDied(this.exitReason ?? 'plugin process is gone');
    const id = this.nextId++;
    return new Promise<RequestResult<K>>((resolve, reject) => {
      const aborts = [...(hooks.cancel ?? [])].map(([processor, signal]) => ({ signal, abort: () => this.send({ type: 'abort', id, processor }) }));
      // One listener per processor of a task, removed when it settles, not one per session ever run.
      const settled = () => {
        for (const { signal, abort } of aborts) signal.removeEventListener('abort', abort);
      };
      this.pending.set(id, {
        ...hooks,
        answer: (result) => {
          settled();
          try {
            resolve(checkResult(kind, result));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        reject: (error) => (settled(), reject(error)),
      });
      this.send<K>({ type: 'request', id, request: { kind, args } });
      for (const { signal, abort } of aborts) {
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
    });
  }

  /** Ends the process now; tasks in flight fail with `reason`. */
  kill(reason: string): void {
    if (!this.alive) return;
    this.killedFor = reason;
    if (PROFILING && !this.busy) {
      this.child.disconnect(); // it exits on its own, so --cpu-prof can write its profile
      return;
    }
    this.guard.end(); // first: once the host is gone, the guard must have nothing left to kill
    this.child.kill('SIGKILL');
  }

  private send<K extends RequestKind>(message: HostMessage<K>): void {
    if (this.child.connected) this.child.send(message);
  }

  private onMessage(message: PluginProcessMessage): void {
    if (message.type === 'batch') {
      for (const m of message.messages) this.onMessage(m);
      return;
    }
    for (const p of this.pending.values()) p.onAlive?.();
    if (message.type === 'ready' || message.type === 'heartbeat') return;
    const pending = this.pending.get(message.id);
    if (message.type === 'log') {
      (pending?.onLog ?? this.options.onLog)(message.level, message.processor, message.message);
      return;
    }
    if (message.type === 'items') {
      const stored = () => this.send({ type: 'items-stored', id: message.id });
      // Answered whatever happens to them: the task's outcome says whether they count (the runner decides).
      Promise.resolve()
        .then(() => pending?.onItems?.(message.processor, message.items))
        .then(stored, stored);
      return;
    }
    if (!pending) return;
    if (message.type === 'outcome') {
      let early: EarlyOutcome;
      try {
        early = checkEarlyOutcome(message.outcome);
      } catch (error) {
        // The task's result repeats every outcome (and is checked in turn): this one need not count.
        (pending.onLog ?? this.options.onLog)('warn', message.processor, `early outcome ignored: ${errorMessage(error)}`);
        return;
      }
      // After the hooks of the 'items' messages before it, which are called a microtask late.
      void Promise.resolve().then(() => pending.onOutcome?.(message.processor, early));
      return;
    }
    if (message.type === 'phase') {
      this.running = message.phase === 'plugin-code' ? message.id : null;
      pending.onPhase?.(message.phase);
    } else {
      if (this.running === message.id) this.running = null;
      this.pending.delete(message.id);
      if (message.type === 'withdrawn') pending.reject(new TaskWithdrawn(`task ${message.id} withdrawn unstarted`));
      else if (message.type === 'result') pending.answer(message.result);
      else pending.reject(new Error(message.error));
    }
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.killedFor) return this.killedFor;
    if (/heap out of memory|Reached heap limit|allocation failed|Ineffective mark-compacts/i.test(this.stderrTail)) {
      return `out of memory (limit ${this.options.memoryLimitMb} MB)`;
    }
    if (signal) return `plugin process killed by ${signal}`;
    return `plugin process exited with code ${code}`;
  }
}
