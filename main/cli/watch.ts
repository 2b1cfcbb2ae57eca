import type { Engine } from '../core/engine.js';
import type { RunOptions } from '../core/runner/runner.js';
import type { RunStats } from '../core/runner/stats.js';
import type { SchedulerEvent } from '../core/scheduler/events.js';
import { Scheduler } from '../core/scheduler/scheduler.js';
import type { WatchSetting } from '../core/scheduler/sessionWatcher.js';
import { ProgressReporter, progressMode } from './progress.js';

export interface WatchCommandOptions {
  processor: string[];
  watchMode: WatchSetting;
  /** Seconds. */
  debounce?: number;
  /** Seconds. */
  pollInterval?: number;
  maxSessions?: number;
  timeBudget?: number;
  maxAttempts?: number;
  leaseSeconds?: number;
  json?: boolean;
}

/**
 * `session-inspector watch`: the scheduler, headless, until SIGINT or SIGTERM. Then it stops cleanly:
 * runs in flight are cancelled (sessions in flight finish or are aborted, finished ones are committed
 * whole) and awaited; the caller closes the database. A second signal exits at once.
 * Stdout gets one line per finished run (one JSON object per line with --json); progress and notes go
 * to stderr (no progress with --json).
 */
export async function watchSessions(engine: Engine, options: WatchCommandOptions): Promise<void> {
  const progress = new ProgressReporter(progressMode(options.json));
  const runOptions: Pick<RunOptions, 'maxSessionsPerRun' | 'timeBudgetSeconds' | 'maxAttempts' | 'leaseSeconds'> = {
    maxSessionsPerRun: options.maxSessions,
    timeBudgetSeconds: options.timeBudget,
    maxAttempts: options.maxAttempts,
    leaseSeconds: options.leaseSeconds,
  };
  const scheduler = new Scheduler(engine, {
    processors: options.processor,
    watch: options.watchMode,
    debounceMs: options.debounce === undefined ? undefined : options.debounce * 1000,
    pollIntervalMs: options.pollInterval === undefined ? undefined : options.pollInterval * 1000,
    runOptions,
    log: (level, message) => progress.log(`${level}: ${message}`),
  });
  scheduler.subscribe((event) => report(event, progress, options.json));

  // Signals are taken before starting, so one that arrives during start still stops cleanly.
  let stopRequested!: () => void;
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const again = () => {
        process.stderr.write('session-inspector: second interrupt, exiting now (sessions already committed stay; the database recovers on next open)\n');
        process.exit(130);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    stopRequested = () => resolve('stop');
  });
  try {
    await scheduler.start();
  } catch (error) {
    stopRequested();
    throw error;
  }
  const names = (await scheduler.status()).map(
    (s) => `${s.processor} every ${s.cadenceMinutes} min${s.cadenceSource === 'processor' ? '' : ` (${s.cadenceSource})`}`,
  );
  progress.log(`watching ${engine.options.sessions}: ${names.join(', ') || 'no processors loaded'}; Ctrl-C to stop`);
  const signal = await stopped;
  progress.log(`session-inspector: ${signal}: stopping (cancelling runs in flight, then closing the database)`);
  await scheduler.stop();
  progress.stop();
}

function report(event: SchedulerEvent, progress: ProgressReporter, json: boolean | undefined): void {
  switch (event.type) {
    case 'run-progress':
      progress.update(event);
      return;
    case 'run-finished':
      if (json) printJsonLine(event);
      else process.stdout.write(`${event.at} ${event.processor} (${event.trigger}): ${event.error ? `failed: ${event.error}` : summary(event.stats!)}\n`);
      return;
    case 'watch':
      progress.log(`note: ${event.detail}`);
      return;
    case 'state-changed':
      if (event.orphaned.length > 0) progress.log(`note: deleted from disk, kept as orphaned: ${event.orphaned.join(', ')}`);
      if (event.restored.length > 0) progress.log(`note: back on disk, no longer orphaned: ${event.restored.join(', ')}`);
      return;
    case 'run-started':
      return;
  }
}

function summary(stats: RunStats): string {
  const parts = [`${stats.processed} processed`, `${stats.skipped} skipped`, `${stats.errors} errors`];
  if (stats.capped > 0) parts.push(`${stats.capped} capped`);
  if (stats.quarantined > 0) parts.push(`${stats.quarantined} quarantined`);
  if (stats.cancelled) parts.push('cancelled');
  return `${parts.join(', ')} in ${(stats.duration_ms / 1000).toFixed(1)} s`;
}

/** One JSON object per line: a stream a program can read while watch runs. */
function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
