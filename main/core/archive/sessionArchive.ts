// The archive: a compressed copy of every session under the root, kept after Claude Code deletes the source.
import { basename, dirname, join } from 'node:path';
import { errnoCode, errorMessage } from '../errors.js';
import { sessionGroup, type ScanResult } from '../scan.js';
import type { SessionEntry } from '../sessionFile.js';
import { copySession, type CopyKind } from './archiveCopy.js';
import { ArchiveManifest, copyOf, type ArchivedVersion } from './archiveManifest.js';
import { rootFolderOf, syncFolder } from './archiveFiles.js';
import { emptyReport, packVersions, removeVersions, type PackingReport } from './archivePacks.js';

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

/** Sessions untouched at their source this long are settled: Claude Code is done appending to them. */
export const SETTLED_MS = 60 * 60 * 1000;
/**
 * The versions packing takes, over archived_sessions: bytes in their own data file, and settled (source
 * gone, replaced by a later version, or unchanged at its source since $settled).
 */
const SETTLED_UNPACKED = 'packed_bytes > 0 AND (superseded_at_ms IS NOT NULL OR source_gone_at_ms IS NOT NULL OR source_mtime_ms < $settled)';

export interface CompactOptions {
  /** Versions whose source changed since are left alone (default: an hour ago). */
  settledBeforeMs?: number;
  /** Packing waits until settled sessions hold this many bytes, so packs are not made of a few sessions. */
  minBytes?: number;
  /** Stops between sessions; what was packed so far is kept. */
  signal?: AbortSignal;
}

export class SessionArchive {
  /**
   * The last operation queued, until it ends: copies, packing and removals each see what the one before
   * them wrote (two copies of one session would write one data file; a packing must not move a version a
   * copy is extending).
   */
  private busy: Promise<unknown> = Promise.resolve();

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
  sync(scan: ScanResult, complete: boolean, nowMs = Date.now(), signal?: AbortSignal): Promise<ArchiveSync> {
    return this.serial(async () => {
      const compared = await this.manifest.compare(scan.root, scan.sessions);
      await this.manifest.markGone(scan.root, compared.back, null);
      const gone = complete ? await this.markGone(scan.root, compared.gone, nowMs) : [];
      const byKey = new Map(scan.sessions.map((s) => [s.sessionKey, s]));
      const jobs = compared.changed.map((c) => ({ entry: byKey.get(c.sessionKey)!, current: c.current, lastVersion: c.lastVersion }));
      const copies = this.copyAll(scan.root, jobs, nowMs, signal);
      // The caller awaits (and reports) the copies; the next operation waits for them too.
      return { value: { gone, copies }, busyUntil: copies };
    });
  }

  /**
   * Packs the settled versions not packed yet (archivePacks.ts): sessions whose source is gone, versions a
   * later one replaced, and sessions untouched since `settledBeforeMs`. Nothing when they hold less than
   * `minBytes`.
   */
  compact(options: CompactOptions = {}): Promise<PackingReport> {
    return this.serial(async () => {
      const settled = options.settledBeforeMs ?? Date.now() - SETTLED_MS;
      // The sum first: rows are loaded only when there is something to pack (watch asks after every run).
      const bytes = await this.settledBytes(settled);
      if (bytes === 0 || bytes < (options.minBytes ?? 0)) return { value: emptyReport() };
      const versions = await this.manifest.versions(SETTLED_UNPACKED, { settled });
      return { value: await packVersions(this.folder, this.manifest, versions, options.signal) };
    });
  }

  /** Removes versions for good, audited, with every copy of their bytes (archivePacks.removeVersions). */
  removeVersions(versions: ArchivedVersion[], audit: { action: string; detail: unknown }): Promise<PackingReport> {
    return this.serial(async () => ({ value: await removeVersions(this.folder, this.manifest, versions, audit) }));
  }

  /** Settled bytes not packed yet: what `compact` would pack now. */
  unpackedSettledBytes(nowMs = Date.now()): Promise<number> {
    return this.settledBytes(nowMs - SETTLED_MS);
  }

  private async settledBytes(settled: number): Promise<number> {
    const [row] = await this.manifest.db.all(`SELECT coalesce(sum(raw_bytes), 0) AS bytes FROM archived_sessions WHERE ${SETTLED_UNPACKED}`, { settled });
    return Number(row.bytes);
  }

  /** Runs `fn` after every operation queued before it; the next starts once `fn` and its `busyUntil` end. */
  private serial<T>(fn: () => Promise<{ value: T; busyUntil?: Promise<unknown> }>): Promise<T> {
    const run = this.busy.then(fn);
    this.busy = run.then(
      (r) => r.busyUntil?.catch(() => undefined),
      () => undefined,
    );
    return run.then((r) => r.value);
  }

  /**
   * After a redaction: each session's file as it is now becomes its only archived version, and every earlier
   * version (holding the secret) is removed, audited. A redacted secret must not live on in the archive.
   */
  replaceRedacted(scan: ScanResult, sessionKeys: string[], nowMs = Date.now()): Promise<void> {
    return this.serial(async () => {
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
      if (stale.length === 0) return { value: undefined };
      const removal = await removeVersions(this.folder, this.manifest, stale, {
        action: 'redaction',
        detail: { versions: stale.map((v) => ({ root: v.root, session: v.sessionKey, version: v.version })) },
      });
      if (removal.warnings.length > 0) throw new Error(`the redacted text may remain in the archive: ${removal.warnings.join('; ')}`);
      return { value: undefined };
    });
  }

  /**
   * The archived sessions of the scan's root that the scan did not find (their source is gone, and marked
   * so), to read from the archive; none when the scan is incomplete (a folder it could not read, or an
   * empty root).
   */
  async goneEntries(scan: ScanResult): Promise<SessionEntry[]> {
    if (scan.warnings.length > 0 || scan.sessions.length === 0) return [];
    return this.serial(async () => {
      const { gone } = await this.manifest.compare(scan.root, scan.sessions);
      return { value: await this.markGone(scan.root, gone, Date.now()) };
    });
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

function firstLine(text: string): string {
  return text.split('\n')[0];
}
