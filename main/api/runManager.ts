import { errorMessage } from '../core/errors.js';
import type { Engine } from '../core/engine.js';
import type { RunProgress } from '../core/runner/runner.js';
import type { RunStats } from '../core/runner/stats.js';
import type { ActiveRun, ApiEvent } from './contract.js';

/** Progress events per processor at most this often: the UI needs a pulse, not every session. */
const PROGRESS_INTERVAL_MS = 100;

interface Active {
  run: ActiveRun;
  controller: AbortController;
  lastEmit: number;
}

/**
 * Runs started from the UI: in the background, with live progress and ETA as events, cancellable, and
 * never started twice for a processor already running (here or in the engine's scheduler).
 */
export class RunManager {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly engine: Engine,
    private readonly emit: (event: ApiEvent) => void,
    /** After a run: the session list is scanned again and views refresh. */
    private readonly afterRun: () => Promise<void>,
  ) {}

  list(): ActiveRun[] {
    return [...this.active.values()].map((a) => a.run);
  }

  isActive(processor: string): boolean {
    return this.active.has(processor) || this.engine.runner.isRunning(processor);
  }

  /** The processor whose run is currently on `sessionKey`, if any. */
  currentSessions(): Map<string, string> {
    const current = new Map<string, string>();
    for (const { run } of this.active.values()) if (run.current) current.set(run.processor, run.current);
    return current;
  }

  async start(request: { processors?: string[]; sessions?: string[]; failedOnly?: boolean }): Promise<{ started: string[]; alreadyRunning: string[] }> {
    const processors = await this.engine.processors(request.processors ?? []);
    const alreadyRunning = processors.filter((p) => this.isActive(p.name)).map((p) => p.name);
    const toStart = processors.filter((p) => !alreadyRunning.includes(p.name));
    if (toStart.length === 0) return { started: [], alreadyRunning };
    const controller = new AbortController();
    for (const p of toStart) {
      this.active.set(p.name, {
        controller,
        lastEmit: 0,
        run: { processor: p.name, trigger: 'app', done: 0, total: 0, current: null, errors: 0, elapsedMs: 0, etaMs: null },
      });
    }
    const names = toStart.map((p) => p.name);
    void this.execute(names, request, controller);
    return { started: names, alreadyRunning };
  }

  cancel(processor?: string): string[] {
    const cancelled: string[] = [];
    for (const [name, a] of this.active) {
      if (processor && name !== processor) continue;
      a.controller.abort();
      cancelled.push(name);
    }
    return cancelled;
  }

  /** Waits for every run in progress (used on shutdown, after cancel). */
  async settle(): Promise<void> {
    while (this.active.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private async execute(names: string[], request: { sessions?: string[]; failedOnly?: boolean }, controller: AbortController): Promise<void> {
    const options = { trigger: 'app', signal: controller.signal, onProgress: (p: RunProgress) => this.progress(p) };
    let stats: RunStats[] = [];
    try {
      if (request.failedOnly) {
        stats = await this.engine.rerunFailed({ processor: names, session: request.sessions }, { ...options, trigger: 'app-rerun' });
      } else {
        const processors = await this.engine.processors(names);
        const { sessions } = await this.engine.scan();
        const only = request.sessions ? new Map(names.map((n) => [n, new Set(request.sessions)])) : undefined;
        stats = await this.engine.runner.runAll(processors, sessions, { ...options, only });
      }
    } catch (error) {
      const message = errorMessage(error);
      stats = names.map((processor) => ({ ...emptyRunStats(processor), error: message }) as RunStats & { error: string });
    } finally {
      for (const name of names) this.active.delete(name);
    }
    for (const s of stats) this.emit({ type: 'run-finished', processor: s.processor, stats: s });
    for (const name of names) if (!stats.some((s) => s.processor === name)) this.emit({ type: 'run-finished', processor: name, stats: emptyRunStats(name) });
    await this.afterRun().catch(() => undefined);
    this.emit({ type: 'state-changed', processors: names });
  }

  private progress(p: RunProgress): void {
    const a = this.active.get(p.processor);
    if (!a) return;
    const etaMs = p.done > 0 && p.total > p.done ? Math.round((p.elapsedMs / p.done) * (p.total - p.done)) : null;
    a.run = { ...a.run, done: p.done, total: p.total, current: p.current, errors: p.errors, elapsedMs: Math.round(p.elapsedMs), etaMs };
    const now = Date.now();
    if (now - a.lastEmit >= PROGRESS_INTERVAL_MS || p.done === p.total) {
      a.lastEmit = now;
      this.emit({ type: 'run-progress', run: a.run });
    }
  }
}

export function emptyRunStats(processor: string): RunStats {
  return {
    processor, run_id: '', scanned: 0, processed: 0, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, elsewhere: 0,
    items_extracted: 0, malformed_lines: 0, errors_detail: [], duration_ms: 0, bytes_read: 0, cancelled: false,
  };
}
