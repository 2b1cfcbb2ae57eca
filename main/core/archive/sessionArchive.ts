// The archive: a compressed copy of every session under the root, kept after Claude Code deletes the source.
import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { errnoCode, errorMessage } from '../errors.js';
import { sessionGroup, type ScanResult } from '../scan.js';
import type { SessionEntry } from '../sessionFile.js';
import { copySession, type CopyKind } from './archiveCopy.js';
import { ArchiveManifest, copyOf, type ArchivedVersion } from './archiveManifest.js';

/** Sessions archived at once: each compresses in the thread pool while the next is read. */
const CONCURRENCY = 3;
/** Manifest rows saved per transaction (after their data is synced). */
const SAVE_EVERY_SESSIONS = 500;
const SAVE_EVERY_BYTES = 64 << 20;
/** Warnings named one by one before the rest are counted. */
const WARNINGS_LISTED = 5;

/** What copying the scan's sessions into the archive did. */
export interface ArchiveCopies {
  counts: Record<CopyKind, number>;
  /** Source bytes read, and compressed bytes written. */
  bytesRead: number;
  bytesWritten: number;
  /** What could not be archived this time (a full disk, an unreadable file): processing goes on. */
  warnings: string[];
}

export interface ArchiveSync {
  /** Sessions whose source is gone, read from the archive from now on (SessionEntry.archived set). */
  gone: SessionEntry[];
  /** The copying of new and grown sessions, running on (a run overlaps it with its own work). */
  copies: Promise<ArchiveCopies>;
}

/** One session to copy: its entry, its current copy (none: copied whole), the last version number used. */
interface CopyJob {
  entry: SessionEntry;
  current: ArchivedVersion | undefined;
  lastVersion: number;
}

export class SessionArchive {
  /** The copy a sync started, until it ends. */
  private copying: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly folder: string,
    readonly manifest: ArchiveManifest,
  ) {}

  /** Opens the archive at `folder` (created when missing); rejects with a message naming the folder. */
  static async open(folder: string): Promise<SessionArchive> {
    try {
      return new SessionArchive(folder, await ArchiveManifest.open(folder));
    } catch (error) {
      throw new Error(`the archive at ${folder} cannot be opened (${firstLine(errorMessage(error))}): sessions are not archived`, { cause: error });
    }
  }

  close(): Promise<void> {
    return this.manifest.close();
  }

  /** The current version of each session archived from `root`. */
  current(root: string): Promise<Map<string, ArchivedVersion>> {
    return this.manifest.current(root);
  }

  /** The current version of one session, or undefined. */
  async currentVersion(root: string, sessionKey: string): Promise<ArchivedVersion | undefined> {
    const [v] = await this.manifest.versions('root = $root AND session_key = $key AND superseded_at_ms IS NULL', { root, key: sessionKey });
    return v;
  }

  /**
   * Brings the archive in step with a scan: new sessions are copied, grown ones extended, changed ones
   * kept as a new version; sessions whose size and mtime match their copy are not read at all. When the
   * scan is complete, the sessions it no longer finds are marked gone and returned, read from the archive.
   */
  async sync(scan: ScanResult, complete: boolean, nowMs = Date.now(), signal?: AbortSignal): Promise<ArchiveSync> {
    // One copy at a time: a second scan must see what the first copied, or both would write one data file.
    await this.copying;
    const compared = await this.manifest.compare(scan.root, scan.sessions);
    await this.manifest.markGone(scan.root, compared.back, null);
    const gone = complete ? await this.markGone(scan.root, compared.gone, nowMs) : [];
    const byKey = new Map(scan.sessions.map((s) => [s.sessionKey, s]));
    const jobs = compared.changed.map((c) => ({ entry: byKey.get(c.sessionKey)!, current: c.current, lastVersion: c.lastVersion }));
    const copies = this.copyAll(scan.root, jobs, nowMs, signal);
    this.copying = copies.catch(() => undefined); // the caller awaits (and reports) it
    return { gone, copies };
  }

  /**
   * After a redaction: each session's file as it is now becomes its only archived version, and every earlier
   * version (holding the secret) is removed, audited. A redacted secret must not live on in the archive.
   */
  async replaceRedacted(scan: ScanResult, sessionKeys: string[], nowMs = Date.now()): Promise<void> {
    await this.copying;
    const keys = new Set(sessionKeys);
    const before = await this.manifest.versions('root = $root AND list_contains($keys, session_key)', { root: scan.root, keys: [...keys] });
    const lastVersion = (key: string) => Math.max(0, ...before.filter((v) => v.sessionKey === key).map((v) => v.version));
    // Copied whole as a new version (never extended: the redaction changed bytes the old copy holds).
    const jobs = scan.sessions
      .filter((s) => keys.has(s.sessionKey))
      .map((entry) => ({ entry, current: undefined, lastVersion: lastVersion(entry.sessionKey) }));
    const result = await this.copyAll(scan.root, jobs, nowMs);
    if (result.warnings.length > 0) throw new Error(result.warnings.join('; '));
    const kept = new Set(jobs.map((j) => `${j.entry.sessionKey}\0${j.lastVersion + 1}`));
    const stale = before.filter((v) => !kept.has(`${v.sessionKey}\0${v.version}`));
    if (stale.length === 0) return;
    await this.manifest.remove(stale, {
      action: 'redaction',
      detail: { versions: stale.map((v) => ({ root: v.root, session: v.sessionKey, version: v.version })) },
    });
    for (const v of stale) rmSync(join(this.folder, v.dataFile), { force: true });
  }

  /**
   * The archived sessions of the scan's root that the scan did not find (their source is gone, and marked
   * so), to read from the archive; none when the scan is incomplete (a folder it could not read, or an
   * empty root).
   */
  async goneEntries(scan: ScanResult): Promise<SessionEntry[]> {
    if (scan.warnings.length > 0 || scan.sessions.length === 0) return [];
    await this.copying;
    const { gone } = await this.manifest.compare(scan.root, scan.sessions);
    return this.markGone(scan.root, gone, Date.now());
  }

  /** The entry a gone session is read through (SessionFile opens its archived copy). */
  entryOf(root: string, v: ArchivedVersion): SessionEntry {
    return {
      path: join(root, ...v.sessionKey.split('/')),
      sessionKey: v.sessionKey,
      group: sessionGroup(basename(root), v.sessionKey),
      sizeBytes: v.rawBytes,
      mtimeMs: v.sourceMtimeMs,
      archived: copyOf(this.folder, v),
    };
  }

  /** Marks the versions' sessions gone (those not marked yet) and returns their entries. */
  private async markGone(root: string, gone: ArchivedVersion[], atMs: number): Promise<SessionEntry[]> {
    const newly = gone.filter((v) => v.sourceGoneAtMs === null).map((v) => v.sessionKey);
    await this.manifest.markGone(root, newly, atMs);
    return gone.map((v) => this.entryOf(root, v));
  }

  private async copyAll(root: string, todo: CopyJob[], nowMs: number, signal?: AbortSignal): Promise<ArchiveCopies> {
    const result: ArchiveCopies = { counts: { new: 0, extended: 0, 'new-version': 0, touched: 0 }, bytesRead: 0, bytesWritten: 0, warnings: [] };
    const rootFolder = rootFolderOf(root);
    let unsaved: ArchivedVersion[] = [];
    let unsavedBytes = 0;
    const folders = new Set<string>();
    let next = 0;
    let stopped: string | null = null;
    const failures: string[] = [];
    // Taken before the await: the other workers go on adding to the next batch meanwhile.
    const save = async () => {
      const batch = unsaved;
      unsaved = [];
      unsavedBytes = 0;
      for (const folder of folders) syncFolder(folder);
      folders.clear();
      await this.manifest.save(batch);
    };
    const worker = async () => {
      // A cancelled run stops taking sessions: those not copied yet are copied by the next run.
      while (next < todo.length && stopped === null && !signal?.aborted) {
        const { entry, current: known, lastVersion } = todo[next++];
        try {
          const copied = await copySession(
            { folder: this.folder, root, sessionKey: entry.sessionKey, path: entry.path, current: known, lastVersion, nowMs },
            rootFolder,
          );
          result.counts[copied.kind]++;
          result.bytesRead += copied.bytesRead;
          result.bytesWritten += copied.bytesWritten;
          unsaved.push(...copied.versions);
          unsavedBytes += copied.bytesWritten;
          if (copied.createdFolder) folders.add(dirname(copied.createdFolder));
          for (const v of copied.versions) if (v.supersededAtMs === null) folders.add(dirname(join(this.folder, v.dataFile)));
        } catch (error) {
          const code = errnoCode(error);
          if (code === 'ENOENT' && !known) continue; // deleted since the scan, never archived: nothing to keep
          if (code === 'ENOSPC' || code === 'EROFS' || code === 'EDQUOT')
            stopped = `the archive at ${this.folder} cannot be written (${code}): ${firstLine(errorMessage(error))}`;
          else if (code !== 'ENOENT') failures.push(`${entry.path}: ${firstLine(errorMessage(error))}`);
        }
        if (unsaved.length >= SAVE_EVERY_SESSIONS || unsavedBytes >= SAVE_EVERY_BYTES) await save();
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
    await save();
    if (stopped) result.warnings.push(`${stopped}; sessions archived before it are intact, the rest are archived by a later run`);
    if (failures.length > 0) {
      const more = failures.length > WARNINGS_LISTED ? ` (and ${failures.length - WARNINGS_LISTED} more)` : '';
      result.warnings.push(`not archived: ${failures.slice(0, WARNINGS_LISTED).join('; ')}${more}`);
    }
    return result;
  }
}

/** The scan's sessions and the archived ones whose source is gone, sorted by key as the scan sorts. */
export function withGone(sessions: SessionEntry[], gone: SessionEntry[]): SessionEntry[] {
  if (gone.length === 0) return sessions;
  return [...sessions, ...gone].sort((a, b) => (a.sessionKey < b.sessionKey ? -1 : a.sessionKey > b.sessionKey ? 1 : 0));
}

/** Each root's sessions sit in a folder of their own: its name, and a hash of its path to tell two `projects` apart. */
export function rootFolderOf(root: string): string {
  const name = basename(root).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return `${name}-${createHash('sha256').update(root).digest('hex').slice(0, 10)}`;
}

/** Makes new entries of a folder durable (the data files in it are synced by their writers). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can sync a folder; a SIGKILL never needs it, only a power cut does.
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
