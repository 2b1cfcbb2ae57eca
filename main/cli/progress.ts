import cliProgress from 'cli-progress';
import type { RunProgress } from '../core/runner/runner.js';
import { estimateRemainingMs } from '../core/runEvents.js';

/** bar: live bars on a terminal; lines: a plain line now and then (logs, CI); off: nothing (`--json`). */
export type ProgressMode = 'bar' | 'lines' | 'off';

export function progressMode(json: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'off';
  return stream.isTTY ? 'bar' : 'lines';
}

/** A plain progress line per processor at most this often (ms), besides its first and its last. */
const LINE_INTERVAL_MS = 5_000;

/**
 * Run progress on stderr, one bar (or line) per processor: done/total sessions, errors so far, elapsed,
 * ETA and the current session. Stdout stays for results, so `run` output can be piped.
 */
export class ProgressReporter {
  private multibar: cliProgress.MultiBar | null = null;
  private readonly bars = new Map<string, { bar: cliProgress.SingleBar; complete: boolean }>();
  private readonly lastLine = new Map<string, number>();

  constructor(
    readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(p: RunProgress): void {
    if (this.mode === 'bar') this.updateBar(p);
    else if (this.mode === 'lines') this.updateLine(p);
  }

  /** A log line that must not be overwritten by a bar. */
  log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  /** Leaves the bars as they are (a cancelled or failed run) and gives the terminal back. */
  stop(): void {
    this.multibar?.stop();
    this.multibar = null;
    this.bars.clear();
  }

  private updateBar(p: RunProgress): void {
    this.multibar ??= new cliProgress.MultiBar(
      {
        stream: this.stream,
        // Short enough for an 80-column terminal with the current session cut off, not the ETA.
        format: '{processor} {bar} {value}/{total} {percentage}% | {errors} errors | {elapsed} | ETA {eta_text} | {current}',
        barsize: 20,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = {
      processor: p.processor,
      errors: p.errors,
      elapsed: seconds(p.elapsedMs),
      eta_text: eta(p),
      current: p.current ?? '',
    };
    let entry = this.bars.get(p.processor);
    if (!entry || entry.complete) {
      // A processor running again (watch) gets a fresh bar below the finished one.
      entry = { bar: this.multibar.create(p.total, p.done, payload), complete: false };
      this.bars.set(p.processor, entry);
    }
    entry.bar.setTotal(p.total);
    entry.bar.update(p.done, payload);
    if (p.done >= p.total) {
      entry.complete = true;
      // Every bar done: the final picture stays on screen, later output goes below it.
      if ([...this.bars.values()].every((b) => b.complete)) this.stop();
    }
  }

  private updateLine(p: RunProgress): void {
    const now = performance.now();
    const last = this.lastLine.get(p.processor);
    const finished = p.done >= p.total;
    if (last !== undefined && !finished && now - last < LINE_INTERVAL_MS) return;
    if (finished) this.lastLine.delete(p.processor);
    else this.lastLine.set(p.processor, now);
    const percent = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    const parts = [`${p.processor}: ${p.done}/${p.total} sessions (${percent}%)`, `${p.errors} errors`, `${seconds(p.elapsedMs)} elapsed`];
    if (!finished) parts.push(`ETA ${eta(p)}`);
    this.stream.write(`${parts.join(', ')}\n`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function eta(p: RunProgress): string {
  const remaining = estimateRemainingMs(p);
  if (remaining === null) return '?';
  if (remaining < 60_000) return `${Math.ceil(remaining / 1000)} s`;
  return `${Math.floor(remaining / 60_000)} min ${Math.round((remaining % 60_000) / 1000)} s`;
}
