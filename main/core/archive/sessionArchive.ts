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

export class SessionArchive {
  /** The copy a sync started, until it ends. */
  private copying: Promise<unknown> = Promise.resolve();
  /** Current versions per root, loaded once and kept in step with every save (the app scans often). */
  private readonly known = new Map<string, Map<string, ArchivedVersion>>();

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
  async current(root: string): Promise<Map<string, ArchivedVersion>> {
    let versions = this.known.get(root);
    if (!versions) {
      versions = await this.manifest.current(root);
      this.known.set(root, versions);
    }
    return versions;
  }

  /**
   * Brings the archive in step with a scan: new sessions are copied, grown ones extended, changed ones
   * kept as a new version; sessions whose size and mtime match their copy are not read at all. When the
   * scan is complete, the sessions it no longer finds are marked gone and returned, read from the archive.
   */
  async sync(scan: ScanResult, complete: boolean, nowMs = Date.now(), signal?: AbortSignal): Promise<ArchiveSync> {
    // One copy at a time: a second scan must see what the first copied, or both would write one data file.
    await this.copying;
    const root = scan.root;
    const current = await this.current(root);
    const back: string[] = [];
    const todo: SessionEntry[] = [];
    for (const entry of scan.sessions) {
      const copy = current.get(entry.sessionKey);
      if (copy && copy.rawBytes === entry.sizeBytes && copy.sourceMtimeMs === entry.mtimeMs) {
        if (copy.sourceGoneAtMs !== null) back.push(entry.sessionKey);
      } else todo.push(entry);
    }
    await this.setGone(root, back, null);
    let gone: SessionEntry[] = [];
    if (complete) {
      const live = new Set(scan.sessions.map((s) => s.sessionKey));
      const versions = [...current.values()].filter((v) => !live.has(v.sessionKey));
      await this.setGone(
        root,
        versions.filter((v) => v.sourceGoneAtMs === null).map((v) => v.sessionKey),
        nowMs,
      );
      gone = versions.map((v) => this.entryOf(root, v));
    }
    const copies = this.copyAll(root, todo, current, nowMs, undefined, signal);
    this.copying = copies.catch(() => undefined); // the caller awaits (and reports) it
    return { gone, copies };
  }

  /**
   * After a redaction: each session's file as it is now becomes its only archived version, and every earlier
   * version (holding the secret) is removed, audited. A redacted secret must not live on in the archive.
   */
  async replaceRedacted(scan: ScanResult, sessionKeys: string[], nowMs = Date.now()): Promise<void> {
    await this.copying;
    const current = await this.current(scan.root);
    const keys = new Set(sessionKeys);
    const entries = scan.sessions.filter((s) => keys.has(s.sessionKey));
    const before = await this.manifest.versions('root = $root AND list_contains($keys, session_key)', { root: scan.root, keys: [...keys] });
    // Copied whole as a new version (never extended: the redaction changed bytes the old copy holds).
    const fresh = new Map(current);
    for (const key of keys) fresh.delete(key);
    const result = await this.copyAll(scan.root, entries, fresh, nowMs, new Map(before.map((v) => [v.sessionKey, v.version])));
    if (result.warnings.length > 0) throw new Error(result.warnings.join('; '));
    for (const [key, v] of fresh) if (keys.has(key)) current.set(key, v);
    const stale = before.filter((v) => current.get(v.sessionKey)?.version !== v.version);
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
    const live = new Set(scan.sessions.map((s) => s.sessionKey));
    const gone = [...(await this.current(scan.root)).values()].filter((v) => !live.has(v.sessionKey));
    await this.setGone(
      scan.root,
      gone.filter((v) => v.sourceGoneAtMs === null).map((v) => v.sessionKey),
      Date.now(),
    );
    return gone.map((v) => this.entryOf(scan.root, v));
  }

  /** Drops removed versions from the cache of current ones. */
  forget(versions: ArchivedVersion[]): void {
    for (const v of versions) {
      const current = this.known.get(v.root);
      if (current?.get(v.sessionKey)?.version === v.version) current.delete(v.sessionKey);
    }
  }

  /** The entry a gone session is read through (SessionFile opens its archived copy). */
  entryOf(root: string, v: ArchivedVersion): SessionEntry {
    return {
      path: join(root, ...v.sessionKey.split('/')),
      sessionKey: v.sessionKey,
      username: sessionGroup(basename(root), v.sessionKey),
      sizeBytes: v.rawBytes,
      mtimeMs: v.sourceMtimeMs,
      archived: copyOf(this.folder, v),
    };
  }

  private async setGone(root: string, keys: string[], atMs: number | null): Promise<void> {
    if (keys.length === 0) return;
    await this.manifest.markGone(root, keys, atMs);
    const current = await this.current(root);
    for (const key of keys) {
      const v = current.get(key);
      if (v) current.set(key, { ...v, sourceGoneAtMs: atMs });
    }
  }

  private async copyAll(
    root: string,
    todo: SessionEntry[],
    current: Map<string, ArchivedVersion>,
    nowMs: number,
    lastVersions?: Map<string, number>,
    signal?: AbortSignal,
  ): Promise<ArchiveCopies> {
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
      for (const v of batch) if (v.supersededAtMs === null) current.set(v.sessionKey, v);
    };
    const worker = async () => {
      // A cancelled run stops taking sessions: those not copied yet are copied by the next run.
      while (next < todo.length && stopped === null && !signal?.aborted) {
        const entry = todo[next++];
        const known = current.get(entry.sessionKey);
        try {
          const copied = await copySession(
            {
              folder: this.folder,
              root,
              sessionKey: entry.sessionKey,
              path: entry.path,
              current: known,
              lastVersion: lastVersions?.get(entry.sessionKey) ?? known?.version ?? 0,
              nowMs,
            },
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
