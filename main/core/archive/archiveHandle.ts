// The engine's hold on its archive: opened at first use, a problem remembered (and tried again next time),
// copies in flight tracked so nothing closes under them, and the folder changed while the app runs.
import { realpathSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import type { ScanResult } from '../scan.js';
import type { SessionEntry } from '../sessionFile.js';
import { SessionArchive, type ArchiveCopies } from './sessionArchive.js';
import { BLOCK_BYTES } from './archivePacks.js';

export class ArchiveHandle {
  private opening: Promise<SessionArchive> | undefined;
  /** Copies still running (a scan starts them; the run that asked overlaps them with its pass). */
  private readonly copies = new Set<Promise<unknown>>();
  /** Why the archive could not be opened the last time it was tried, or null. */
  problem: string | null = null;
  /** Packing in the background (packWhenIdle), until it ends or a run stops it. */
  private packing: { controller: AbortController; done: Promise<void> } | undefined;

  /** `folder`: undefined when there is no archive. */
  constructor(public folder: string | undefined) {}

  /**
   * The archive, opened at first use; null when there is none. A folder that cannot be opened (a read-only
   * or missing mount, another process using it) is reported through `warn` and tried again next time.
   */
  async open(warn: (message: string) => void = () => undefined): Promise<SessionArchive | null> {
    if (this.folder === undefined) return null;
    this.opening ??= SessionArchive.open(this.folder);
    try {
      const archive = await this.opening;
      this.problem = null;
      return archive;
    } catch (error) {
      this.opening = undefined;
      this.problem = errorMessage(error);
      warn(this.problem);
      return null;
    }
  }

  /**
   * A run's part (SessionArchive.sync): the sessions whose source is gone, to read from the archive, and
   * the copying, which goes on while the run processes (close() waits for it). No archive, or one that
   * cannot be opened (said in archiveWarnings): no gone sessions and nothing copied.
   */
  async sync(
    scan: ScanResult,
    complete: boolean,
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<{ gone: SessionEntry[]; archiving: Promise<ArchiveCopies> | null; archiveWarnings: string[] }> {
    const archiveWarnings: string[] = [];
    this.packing?.controller.abort(); // the run's copies go first; packing stops at the next session
    const archive = await this.open((message) => archiveWarnings.push(message));
    if (!archive) return { gone: [], archiving: null, archiveWarnings };
    const { gone, copies } = await archive.sync(scan, complete, nowMs, signal);
    const tracked = copies.finally(() => this.copies.delete(tracked));
    tracked.catch(() => undefined);
    this.copies.add(tracked);
    return { gone, archiving: tracked, archiveWarnings };
  }

  /**
   * For the faces that stay up (watch, the app): packs settled sessions while no run needs the machine,
   * once they add up to a block (fewer would make small packs that compress worse). The next run's scan
   * stops it between two sessions; what was packed by then is kept.
   */
  packWhenIdle(log: (level: 'info' | 'warn', message: string) => void): void {
    if (this.packing || this.folder === undefined) return;
    const controller = new AbortController();
    const done = (async () => {
      const archive = await this.open();
      if (!archive) return;
      const report = await archive.compact({ minBytes: BLOCK_BYTES, signal: controller.signal });
      if (report.packs > 0) {
        const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
        log('info', `archive: packed ${report.versions} session version(s), ${mb(report.rawBytes)} into ${mb(report.packedBytes)}`);
      }
      for (const warning of report.warnings) log('warn', `archive: ${warning}`);
    })()
      .catch((error: unknown) => log('warn', `archive: packing failed: ${errorMessage(error)}`))
      .finally(() => (this.packing = undefined));
    this.packing = { controller, done };
  }

  /** The archived sessions whose source the scan did not find (none without an archive). */
  async gone(scan: ScanResult): Promise<SessionEntry[]> {
    const archive = await this.open();
    return archive ? archive.goneEntries(scan) : [];
  }

  /** The archived copy of a session of `root` (for a session whose file is gone), or null. */
  async entry(root: string, sessionKey: string): Promise<SessionEntry | null> {
    const archive = await this.open();
    if (!archive) return null;
    // The archive knows a root by its real path, as the scan resolves it (the root may be a link).
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
    } catch {
      return null;
    }
    const copy = await archive.currentVersion(realRoot, sessionKey);
    return copy ? archive.entryOf(realRoot, copy) : null;
  }

  /** Archives into `folder` from now on (undefined: no archive); copies in flight finish into the old one first. */
  async move(folder: string | undefined): Promise<void> {
    await this.close();
    this.problem = null;
    this.folder = folder;
  }

  async close(): Promise<void> {
    this.packing?.controller.abort();
    await this.packing?.done;
    await Promise.allSettled([...this.copies]);
    const archive = await this.opening?.catch(() => null);
    this.opening = undefined;
    await archive?.close();
  }
}
