import { realpath } from 'node:fs/promises';
import { UsageError, errorMessage } from '../errors.js';
import type { Clock } from './clock.js';
import type { WatchMode } from './events.js';
import { PollingWatcher } from './pollingWatcher.js';
import type { SessionChanges } from './sessionChanges.js';

/**
 * Why @parcel/watcher, measured on Linux (Node 20) over 100,000 sessions in 20,200 folders laid out like
 * ~/.claude/projects (project folders, session folders with subagent transcripts):
 *
 *   watcher              inotify watches   ready in   RSS      append seen after
 *   @parcel/watcher 2.6           20,201      2.2 s    91 MB   1 ms
 *   chokidar 4.0.3               120,201     40.9 s   889 MB   5 ms
 *   fs.watch recursive           120,201      3.0 s   352 MB   1 ms
 *
 * @parcel/watcher (native, used by VS Code) needs one watch per folder; chokidar and Node's recursive
 * fs.watch need one per file and folder, past the common default limit of 8,192 (and of 65,536) watches
 * per user. Where the limit is still too low, or no native build exists for the platform, subscribing
 * fails (ENOSPC) and the watcher falls back to polling, and says so (a `watch` event with the reason).
 */

export type { SessionChanges } from './sessionChanges.js';

/** auto: native, else polling; native: native or fail; poll: polling only; off: no watching (cadence only). */
export type WatchSetting = 'auto' | 'native' | 'poll' | 'off';

export interface SessionWatcherOptions {
  setting: WatchSetting;
  clock: Clock;
  pollIntervalMs: number;
  onChange(changes: SessionChanges): void;
  /** The mode in force, and why (a fallback names its cause). */
  onMode(mode: WatchMode, detail: string): void;
  onError(message: string): void;
}

interface Subscription {
  unsubscribe(): Promise<void>;
}

/** Watches a session root for new, growing and deleted session files. */
export class SessionWatcher {
  private native: Subscription | null = null;
  private polling: PollingWatcher | null = null;
  private closed = false;
  mode: WatchMode = 'off';

  constructor(
    private readonly root: string,
    private readonly options: SessionWatcherOptions,
  ) {}

  async start(): Promise<void> {
    const { setting } = this.options;
    if (setting === 'off') return this.setMode('off', 'watching is off: sessions are picked up at each cadence');
    if (setting === 'poll') return this.startPolling('polling was asked for');
    try {
      await this.startNative();
    } catch (error) {
      if (setting === 'native') throw new UsageError(`cannot watch ${this.root}: ${errorMessage(error)}`);
      await this.startPolling(`native watching failed (${errorMessage(error)})`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.native?.unsubscribe().catch(() => undefined);
    await this.polling?.close();
    this.native = this.polling = null;
  }

  private async startNative(): Promise<void> {
    // Loaded on demand: a platform without a prebuilt binary falls back to polling instead of failing to start.
    const watcher = await import('@parcel/watcher');
    const root = await realpath(this.root);
    this.native = await watcher.subscribe(root, (error, events) => {
      if (this.closed) return;
      if (error) {
        // e.g. the watch limit reached by folders created later: keep noticing changes, by polling.
        void this.fallBack(errorMessage(error));
        return;
      }
      const changes: SessionChanges = { upserted: false, deleted: false };
      for (const event of events) {
        if (event.type === 'delete') changes.deleted = true;
        // A new folder counts too: files written into it before its watch was added produce no events of their own.
        else if (event.type === 'create' || event.path.endsWith('.jsonl')) changes.upserted = true;
      }
      if (changes.upserted || changes.deleted) this.options.onChange(changes);
    });
    this.setMode('native', `watching ${root} (one watch per folder)`);
  }

  private async fallBack(reason: string): Promise<void> {
    if (this.polling || this.closed) return;
    const native = this.native;
    this.native = null;
    await native?.unsubscribe().catch(() => undefined);
    await this.startPolling(`native watching stopped (${reason})`);
  }

  private async startPolling(reason: string): Promise<void> {
    const seconds = this.options.pollIntervalMs / 1000;
    this.polling = new PollingWatcher(this.root, this.options.clock, this.options.pollIntervalMs, this.options.onChange, this.options.onError);
    await this.polling.start();
    this.setMode('polling', `${reason}: scanning ${this.root} every ${seconds} s instead`);
  }

  private setMode(mode: WatchMode, detail: string): void {
    this.mode = mode;
    this.options.onMode(mode, detail);
  }
}
