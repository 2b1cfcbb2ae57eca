import type { CommitPipeline } from './commitPipeline.js';
import type { ProcessorRun } from './processorRun.js';
import type { RunProgress } from './runOptions.js';
import type { RunStats } from './stats.js';

export interface FinisherHooks {
  /** Writes a processor's finished run row (processor_runs). */
  finishRun(runId: string, finishedAt: Date, stats: RunStats): Promise<void>;
  /** Gives the processor's lock back. */
  release(processor: string): void;
  onProgress?: (progress: RunProgress) => void;
  onFinished?: (stats: RunStats) => void;
}

/**
 * Where each processor's part of a pass ends. Progress is reported as its sessions are decided, and a
 * processor whose every candidate is decided finishes at once, while the pass goes on for the others: a
 * long processor in a shared run must not hold back the report (and the next run) of a quick one.
 * Finishing commits its last outcomes, finishes its run row, gives its lock back and tells the face.
 */
export class RunFinisher {
  private readonly finishing = new Set<Promise<void>>();

  /** `startedAt`: performance.now() when the candidate loop started; elapsed times and durations count from it. */
  constructor(
    private readonly commits: CommitPipeline,
    private readonly hooks: FinisherHooks,
    private readonly startedAt: number,
  ) {}

  /** A session of `run` was decided or dispatched (`current`: the session at hand, null when one settled). */
  progress(run: ProcessorRun, current: string | null): void {
    const elapsedMs = performance.now() - this.startedAt;
    this.hooks.onProgress?.({ processor: run.processor.name, done: run.done, total: run.stats.scanned, current, errors: run.stats.errors, elapsedMs });
    this.finishIfDecided(run);
  }

  finishIfDecided(run: ProcessorRun): void {
    if (run.done >= run.stats.scanned && run.inFlight === 0 && run.deferred.size === 0) this.finish(run);
  }

  /** Finishes the run, once (later calls do nothing); a failure fails the whole pass, through the commit pipeline. */
  finish(run: ProcessorRun): void {
    if (run.finishing) return;
    run.finishing = true;
    const task = (async () => {
      if (run.pending.length > 0 || run.released.length > 0) await this.commits.commitNow();
      run.stats.duration_ms = Math.round(performance.now() - this.startedAt);
      await this.hooks.finishRun(run.runId, new Date(), run.stats);
      run.ended = true;
      this.hooks.release(run.processor.name);
      this.hooks.onFinished?.(run.stats);
    })().catch((error: unknown) => this.commits.fail(error));
    this.finishing.add(task);
  }

  /** Every finish started so far is over (failures are the commit pipeline's to throw). */
  async settled(): Promise<void> {
    while (this.finishing.size > 0) await Promise.all([...this.finishing].map((task) => task.finally(() => this.finishing.delete(task))));
  }
}
