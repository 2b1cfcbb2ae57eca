import { errorMessage } from '../errors.js';
import { scanSessionRoot } from '../scan.js';
import type { Clock, ClockTimer } from './clock.js';
import type { SessionChanges } from './sessionChanges.js';

/**
 * The fallback when the platform cannot watch the root (inotify watch limit, no native watcher): a
 * stat-only scan every `intervalMs`, compared with the previous one by size and mtime. Costs a scan per
 * interval (about a second for 100,000 files) and notices changes up to one interval late.
 */
export class PollingWatcher {
  private timer: ClockTimer | undefined;
  private closed = false;
  private previous: Map<string, string> | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onChange: (changes: SessionChanges) => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** Takes the first picture of the root (so only later changes count), then polls. */
  async start(): Promise<void> {
    await this.poll();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    await this.polling;
  }

  private poll(): Promise<void> {
    this.polling = this.compare().finally(() => {
      if (!this.closed) this.timer = this.clock.setTimeout(() => void this.poll(), this.intervalMs);
    });
    return this.polling;
  }

  private async compare(): Promise<void> {
    let current: Map<string, string>;
    try {
      const { sessions } = await scanSessionRoot(this.root);
      current = new Map(sessions.map((s) => [s.sessionKey, `${s.sizeBytes}:${s.mtimeMs}`]));
    } catch (error) {
      this.onError(`polling ${this.root}: ${errorMessage(error)}`);
      return;
    }
    const previous = this.previous;
    this.previous = current;
    if (previous === null || this.closed) return;
    let upserted = false;
    for (const [key, signature] of current) if (previous.get(key) !== signature) upserted = true;
    let deleted = false;
    for (const key of previous.keys()) if (!current.has(key)) deleted = true;
    if (upserted || deleted) this.onChange({ upserted, deleted });
  }
}
