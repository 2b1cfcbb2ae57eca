import type { Engine } from '../core/engine.js';
import type { RunEvent } from '../core/runEvents.js';
import { emptyStats } from '../core/runner/stats.js';
import type { ActiveRun, ApiEvent } from './contract.js';

/**
 * Runs started from the UI, through the engine's run service: in the background, with live progress and
 * ETA as API events, cancellable, and never started twice for a processor already running (whoever
 * started it: the UI, the scheduler).
 */
export class RunManager {
  /** What follows each UI run (the rescan, state-changed): shutdown waits for it, or it would meet a closed store. */
  private readonly followUps = new Set<Promise<void>>();

  constructor(
    private readonly engine: Engine,
    private readonly emit: (event: ApiEvent) => void,
    /** After a run: the session list is scanned again and views refresh. */
    private readonly afterRun: () => Promise<void>,
  ) {}

  /** Every run in flight, whoever started it. */
  list(): ActiveRun[] {
    return this.engine.runs.list();
  }

  isActive(processor: string): boolean {
    return this.engine.runs.isRunning(processor);
  }

  /** The session each running processor is on, by processor. */
  currentSessions(): Map<string, string> {
    const current = new Map<string, string>();
    for (const run of this.list()) if (run.current) current.set(run.processor, run.current);
    return current;
  }

  async start(request: { processors?: string[]; sessions?: string[]; failedOnly?: boolean }): Promise<{ started: string[]; alreadyRunning: string[] }> {
    const processors = await this.engine.processors(request.processors ?? []);
    const run = this.engine.runs.start({
      processors,
      trigger: request.failedOnly ? 'app-rerun' : 'app',
      ...(request.sessions ? { sessions: request.sessions } : {}),
      failedOnly: request.failedOnly,
      onEvent: (event) => this.forward(event),
    });
    if (run.started.length > 0) {
      const followUp = run.done
        .catch(() => undefined) // reported by its run-finished events
        .then(() => this.afterRun().catch(() => undefined))
        .then(() => this.emit({ type: 'state-changed', processors: run.started }))
        .finally(() => this.followUps.delete(followUp));
      this.followUps.add(followUp);
    }
    return { started: run.started, alreadyRunning: run.alreadyRunning };
  }

  /** Cancels a processor's run, or every run, whoever started it; returns the processors cancelled. */
  cancel(processor?: string): string[] {
    return this.engine.runs.cancel(processor);
  }

  /** Waits for every run in progress and what follows the UI's runs (used on shutdown, after cancel). */
  async settle(): Promise<void> {
    await this.engine.runs.settled();
    while (this.followUps.size > 0) await Promise.allSettled([...this.followUps]);
  }

  private forward(event: RunEvent): void {
    const api = apiRunEvent(event);
    if (api) this.emit(api);
  }
}

/** A run's event as the renderer gets it, whoever started the run; null for run-started, which it does not get. */
export function apiRunEvent(event: RunEvent): ApiEvent | null {
  if (event.type === 'run-progress') {
    const { type: _type, ...run } = event;
    return { type: 'run-progress', run };
  }
  if (event.type === 'run-finished') {
    const stats = event.stats ?? { ...emptyStats(event.processor, ''), error: event.error ?? 'the run failed' };
    return { type: 'run-finished', processor: event.processor, stats };
  }
  return null;
}
