// What a user does with the archive by hand: look at it, check it, copy it out, and prune it (never automatic).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, utimesSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from '../errors.js';
import { ArchivedSource, type ArchivedCopy } from './archivedSource.js';
import { copyOf, type ArchivedVersion } from './archiveManifest.js';
import type { SessionArchive } from './sessionArchive.js';

export interface ArchiveStatus {
  folder: string;
  /** Sessions archived (each counted once, whatever its versions). */
  sessions: number;
  versions: number;
  /** Sessions whose source is gone: readable only from here. */
  sourceGone: number;
  rawBytes: number;
  packedBytes: number;
  /** packed / raw (0 when empty). */
  ratio: number;
  /** Pack files (sessions compressed together, archivePacks.ts). */
  packs: number;
  /** Bytes of settled sessions not packed yet: what `archive compact` would pack. */
  unpackedSettledBytes: number;
  /** When the oldest archived session was last modified at its source (ms), null when empty. */
  oldestMs: number | null;
  roots: string[];
}

export async function archiveStatus(archive: SessionArchive): Promise<ArchiveStatus> {
  const [row] = await archive.manifest.db.all(`SELECT count(DISTINCT (root, session_key)) AS sessions, count(*) AS versions,
      count(*) FILTER (WHERE superseded_at_ms IS NULL AND source_gone_at_ms IS NOT NULL) AS gone,
      coalesce(sum(raw_bytes), 0) AS raw, coalesce(sum(packed_bytes), 0) AS own, min(source_mtime_ms) AS oldest,
      list(DISTINCT root ORDER BY root) AS roots,
      (SELECT coalesce(sum(packed_bytes), 0) FROM archive_packs) AS in_packs, (SELECT count(*) FROM archive_packs) AS packs
    FROM archived_sessions`);
  const raw = Number(row.raw);
  const packed = Number(row.own) + Number(row.in_packs);
  return {
    folder: archive.folder,
    sessions: Number(row.sessions),
    versions: Number(row.versions),
    sourceGone: Number(row.gone),
    rawBytes: raw,
    packedBytes: packed,
    ratio: raw === 0 ? 0 : packed / raw,
    packs: Number(row.packs),
    unpackedSettledBytes: await archive.unpackedSettledBytes(),
    oldestMs: row.oldest === null ? null : Number(row.oldest),
    roots: ((row.roots as string[] | null) ?? []).map(String),
  };
}

export interface ArchiveDamage {
  sessionKey: string;
  version: number;
  dataFile: string;
  problem: string;
}

/**
 * Reads every archived version back: each member must decompress to its recorded size and MD5, and the
 * whole to the version's MD5. Returns what is damaged (empty: all of it is intact). Versions are read in
 * the order of their first pack block, so each block is decompressed about once.
 */
export async function verifyArchive(archive: SessionArchive, onProgress?: (done: number, total: number) => void): Promise<ArchiveDamage[]> {
  const versions = (await archive.manifest.versions()).sort(byFirstBlock);
  const damage: ArchiveDamage[] = [];
  for (const [i, v] of versions.entries()) {
    const problem = checkVersion(copyOf(archive.folder, v), v);
    if (problem) damage.push({ sessionKey: v.sessionKey, version: v.version, dataFile: v.dataFile, problem });
    onProgress?.(i + 1, versions.length);
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return damage;
}

function byFirstBlock(a: ArchivedVersion, b: ArchivedVersion): number {
  const [pa, pb] = [a.members.find((m) => m.pack), b.members.find((m) => m.pack)];
  const ka = pa ? `${pa.pack}\0${String(pa.packedOffset).padStart(16, '0')}` : '';
  const kb = pb ? `${pb.pack}\0${String(pb.packedOffset).padStart(16, '0')}` : '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function checkVersion(copy: ArchivedCopy, v: ArchivedVersion): string | null {
  let source: ArchivedSource;
  try {
    source = ArchivedSource.open(copy);
  } catch (error) {
    return `data file missing or unreadable: ${errorMessage(error)}`;
  }
  try {
    const whole = createHash('md5');
    for (const [index, m] of copy.members.entries()) {
      const where = `member ${index + 1} (bytes ${m.rawOffset}-${m.rawOffset + m.rawBytes} of the session${m.pack ? `, in ${basename(m.pack)}` : ''})`;
      const raw = Buffer.alloc(m.rawBytes);
      try {
        source.read(raw, 0, m.rawBytes, m.rawOffset);
      } catch (error) {
        return `${where} cannot be read back: ${errorMessage(error)}`;
      }
      if (createHash('md5').update(raw).digest('hex') !== m.md5) return `${where} is not what was archived (size or MD5 differs)`;
      whole.update(raw);
    }
    if (whole.digest('hex') !== v.md5) return 'the members do not add up to the archived MD5';
    return null;
  } finally {
    source.close();
  }
}

export interface ExportReport {
  written: number;
  /** Files already there with the same content. */
  alreadyThere: number;
  /** Files already there with other content: left as they are. */
  conflicts: string[];
}

/**
 * Writes the current version of every session archived from `root` into `target` as plain .jsonl files in
 * their original layout, with their source's mtime. A file already there is never overwritten.
 */
export async function exportArchive(archive: SessionArchive, root: string, target: string): Promise<ExportReport> {
  const report: ExportReport = { written: 0, alreadyThere: 0, conflicts: [] };
  for (const v of (await archive.current(root)).values()) {
    const destination = join(target, ...v.sessionKey.split('/'));
    const entry = archive.entryOf(root, v);
    if (existsSync(destination)) {
      if (md5OfFile(destination) === v.md5) report.alreadyThere++;
      else report.conflicts.push(destination);
      continue;
    }
    mkdirSync(dirname(destination), { recursive: true });
    const temporary = `${destination}.si-export`;
    const source = ArchivedSource.open(entry.archived!);
    const out = openSync(temporary, 'w');
    try {
      const buffer = Buffer.allocUnsafe(1 << 20);
      for (let position = 0; position < source.size;) {
        const n = source.read(buffer, 0, buffer.length, position);
        writeSync(out, buffer, 0, n);
        position += n;
      }
      fsyncSync(out);
    } finally {
      closeSync(out);
      source.close();
    }
    renameSync(temporary, destination);
    // Seconds with their fraction: a Date would drop the sub-millisecond part the archive compares.
    utimesSync(destination, v.sourceMtimeMs / 1000, v.sourceMtimeMs / 1000);
    report.written++;
  }
  return report;
}

function md5OfFile(path: string): string {
  const hash = createHash('md5');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export interface PruneReport {
  versions: ArchivedVersion[];
  /** Bytes freed on disk: their own data files, and their share of the packs they were in (at the pack's ratio). */
  packedBytes: number;
  applied: boolean;
}

/**
 * The versions no live source still needs that last changed before `beforeMs`: those of sessions whose
 * source is gone, and those a later version replaced. Removed (files and rows, audited) only with `apply`.
 */
export async function pruneArchive(archive: SessionArchive, beforeMs: number, apply: boolean): Promise<PruneReport> {
  const versions = await archive.manifest.versions('(source_gone_at_ms IS NOT NULL OR superseded_at_ms IS NOT NULL) AND source_mtime_ms < $before', {
    before: beforeMs,
  });
  const ratios = new Map((await archive.manifest.packs()).map((p) => [p.file, p.rawBytes === 0 ? 0 : p.packedBytes / p.rawBytes]));
  const inPacks = (v: ArchivedVersion) => v.members.reduce((sum, m) => sum + (m.pack === undefined ? 0 : m.rawBytes * (ratios.get(m.pack) ?? 0)), 0);
  const packedBytes = Math.round(versions.reduce((sum, v) => sum + v.packedBytes + inPacks(v), 0));
  if (apply && versions.length > 0) {
    await archive.removeVersions(versions, {
      action: 'prune',
      detail: { before: new Date(beforeMs).toISOString(), versions: versions.map((v) => ({ root: v.root, session: v.sessionKey, version: v.version })) },
    });
  }
  return { versions, packedBytes, applied: apply };
}
