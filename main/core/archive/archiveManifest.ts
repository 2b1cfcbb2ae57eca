// What the archive holds, in a DuckDB file of its own inside the archive folder: the archive outlives any
// state store (and a team's store is shared, while an archive is one machine's copy of its folder).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDatabase } from '../store/duckdb/duckDatabase.js';
import type { ColumnSpec, Connection, SqlValue } from '../store/database.js';
import type { JsonRow } from '../store/jsonRows.js';
import type { SessionEntry } from '../sessionFile.js';
import type { ArchivedCopy, ArchivedMember } from './archivedSource.js';

export const MANIFEST_FILE = 'archive.duckdb';

/** A scan compared with the archive of its root (ArchiveManifest.compare). */
export interface ScanComparison {
  /** Scanned sessions with no copy, or one whose size or mtime differ; lastVersion 0 when none was ever stored. */
  changed: { sessionKey: string; current: ArchivedVersion | undefined; lastVersion: number }[];
  /** Sessions marked gone whose file is back, unchanged. */
  back: string[];
  /** Current versions of sessions the scan did not find. */
  gone: ArchivedVersion[];
}

const SCANNED_COLUMNS: ColumnSpec[] = [
  { name: 'session_key', type: 'VARCHAR' },
  { name: 'size_bytes', type: 'BIGINT' },
  { name: 'mtime_ms', type: 'DOUBLE' },
];

/** One archived version of a session, as the manifest stores it. */
export interface ArchivedVersion {
  /** Real path of the session root the session was found under. */
  root: string;
  sessionKey: string;
  version: number;
  /** Relative to the archive folder: members without a pack live there, and growth is appended there. */
  dataFile: string;
  rawBytes: number;
  /** Bytes of its own data file (members in packs are counted with their pack, in archive_packs). */
  packedBytes: number;
  md5: string;
  members: ArchivedMember[];
  /** The source's mtime when it was last archived: equal size and mtime, nothing to archive. */
  sourceMtimeMs: number;
  archivedAtMs: number;
  updatedAtMs: number;
  /** A later version holds the session's content now (its earlier bytes changed). */
  supersededAtMs: number | null;
  /** The scan stopped finding the source. */
  sourceGoneAtMs: number | null;
}

const COLUMNS: ColumnSpec[] = [
  { name: 'root', type: 'VARCHAR' },
  { name: 'session_key', type: 'VARCHAR' },
  { name: 'version', type: 'INTEGER' },
  { name: 'data_file', type: 'VARCHAR' },
  { name: 'raw_bytes', type: 'BIGINT' },
  { name: 'packed_bytes', type: 'BIGINT' },
  { name: 'md5', type: 'VARCHAR' },
  { name: 'members', type: 'JSON' },
  { name: 'source_mtime_ms', type: 'DOUBLE' },
  { name: 'archived_at_ms', type: 'DOUBLE' },
  { name: 'updated_at_ms', type: 'DOUBLE' },
  { name: 'superseded_at_ms', type: 'DOUBLE' },
  { name: 'source_gone_at_ms', type: 'DOUBLE' },
];

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS archived_sessions (${COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`,
  // Explicit operations (prune) leave a row here: what was removed, when, and why.
  'CREATE TABLE IF NOT EXISTS archive_audit (at_ms DOUBLE, action VARCHAR, detail JSON)',
  // Pack files (archivePacks.ts), relative to the archive folder: a file not listed here is no pack yet.
  'CREATE TABLE IF NOT EXISTS archive_packs (file VARCHAR PRIMARY KEY, root VARCHAR, raw_bytes BIGINT, packed_bytes BIGINT, created_at_ms DOUBLE)',
];

/** One pack file, as archive_packs lists it. */
export interface ArchivePack {
  /** Relative to the archive folder. */
  file: string;
  root: string;
  rawBytes: number;
  packedBytes: number;
  createdAtMs: number;
}

export class ArchiveManifest {
  private constructor(readonly db: DuckDatabase) {}

  /** Opens (creating) the manifest; rejects when the folder cannot be written or another process holds it. */
  static async open(folder: string): Promise<ArchiveManifest> {
    mkdirSync(folder, { recursive: true }); // its own error names the folder (ENOTDIR, EACCES, EROFS)
    const db = await DuckDatabase.open(join(folder, MANIFEST_FILE));
    try {
      for (const statement of SCHEMA) await db.run(statement);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new ArchiveManifest(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** The current version of every session archived from `root` (the one not superseded). */
  async current(root: string): Promise<Map<string, ArchivedVersion>> {
    const rows = await this.versions('root = $root AND superseded_at_ms IS NULL', { root });
    return new Map(rows.map((v) => [v.sessionKey, v]));
  }

  /**
   * A scan against the archive of its root, in SQL (100,000 rows read into JavaScript cost 1.4 s; the
   * comparison, a tenth of that): the scanned sessions whose copy is missing or differs in size or mtime,
   * with their current version and the last version number ever used; those whose copy matches but was
   * marked gone (their file is back); and the archived sessions the scan did not find.
   */
  async compare(root: string, scanned: SessionEntry[]): Promise<ScanComparison> {
    return this.db.exclusive(async (c) => {
      await c.run('CREATE OR REPLACE TEMP TABLE scanned (session_key VARCHAR, size_bytes BIGINT, mtime_ms DOUBLE)');
      await c.insertRows(
        'scanned',
        SCANNED_COLUMNS,
        scanned.map((s) => [s.sessionKey, s.sizeBytes, s.mtimeMs]),
      );
      const current = '(SELECT * FROM archived_sessions WHERE root = $root AND superseded_at_ms IS NULL)';
      const changed = await c.all(
        `SELECT s.session_key AS scanned_key, a.*,
           (SELECT max(version) FROM archived_sessions v WHERE v.root = $root AND v.session_key = s.session_key) AS last_version
         FROM scanned s LEFT JOIN ${current} a ON a.session_key = s.session_key
         WHERE a.session_key IS NULL OR a.raw_bytes <> s.size_bytes OR a.source_mtime_ms <> s.mtime_ms`,
        { root },
      );
      const back = await c.all(
        `SELECT a.session_key FROM scanned s JOIN ${current} a ON a.session_key = s.session_key
         WHERE a.source_gone_at_ms IS NOT NULL AND a.raw_bytes = s.size_bytes AND a.source_mtime_ms = s.mtime_ms`,
        { root },
      );
      const gone = await c.all(`SELECT a.* FROM ${current} a ANTI JOIN scanned s ON a.session_key = s.session_key ORDER BY a.session_key`, { root });
      await c.run('DROP TABLE scanned');
      return {
        changed: changed.map((r) => ({
          sessionKey: String(r.scanned_key),
          current: r.session_key === null ? undefined : versionOf(r),
          lastVersion: r.last_version === null ? 0 : Number(r.last_version),
        })),
        back: back.map((r) => String(r.session_key)),
        gone: gone.map(versionOf),
      };
    });
  }

  /** Every version matching a WHERE clause over archived_sessions (named parameters). */
  async versions(where = 'true', params: Record<string, SqlValue> = {}): Promise<ArchivedVersion[]> {
    const rows = await this.db.all(
      `SELECT ${COLUMNS.map((c) => c.name).join(', ')} FROM archived_sessions WHERE ${where} ORDER BY root, session_key, version`,
      params,
    );
    return rows.map(versionOf);
  }

  /** Writes these versions (replacing the rows of the same root, session and version) in one transaction. */
  async save(versions: ArchivedVersion[]): Promise<void> {
    if (versions.length === 0) return;
    await this.db.transaction(async (c) => {
      await deleteRows(c, versions);
      await c.insertRows('archived_sessions', COLUMNS, versions.map(rowOf));
    });
  }

  /**
   * One transaction for a packing (archivePacks.ts): the versions whose members moved into new packs are
   * saved, removed versions deleted, packs listed and unlisted, and why recorded when `audit` says.
   */
  async repack(change: {
    save: ArchivedVersion[];
    remove: ArchivedVersion[];
    addPacks: ArchivePack[];
    dropPacks: string[];
    audit?: { action: string; detail: unknown };
  }): Promise<void> {
    await this.db.transaction(async (c) => {
      if (change.remove.length + change.save.length > 0) await deleteRows(c, [...change.remove, ...change.save]);
      if (change.save.length > 0) await c.insertRows('archived_sessions', COLUMNS, change.save.map(rowOf));
      if (change.dropPacks.length > 0) await c.run('DELETE FROM archive_packs WHERE list_contains($files, file)', { files: change.dropPacks });
      for (const p of change.addPacks) {
        await c.run('INSERT INTO archive_packs VALUES ($file, $root, $raw, $packed, $at)', {
          file: p.file,
          root: p.root,
          raw: p.rawBytes,
          packed: p.packedBytes,
          at: p.createdAtMs,
        });
      }
      if (change.audit) {
        await c.run('INSERT INTO archive_audit VALUES ($at, $action, $detail)', {
          at: Date.now(),
          action: change.audit.action,
          detail: JSON.stringify(change.audit.detail),
        });
      }
    });
  }

  /** Every pack file listed. */
  async packs(): Promise<ArchivePack[]> {
    const rows = await this.db.all('SELECT * FROM archive_packs ORDER BY file');
    return rows.map((r) => ({
      file: String(r.file),
      root: String(r.root),
      rawBytes: Number(r.raw_bytes),
      packedBytes: Number(r.packed_bytes),
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  /** Marks sessions of `root` whose source the scan no longer finds (or finds again: null). */
  async markGone(root: string, sessionKeys: string[], atMs: number | null): Promise<void> {
    if (sessionKeys.length === 0) return;
    await this.db.run(
      `UPDATE archived_sessions SET source_gone_at_ms = $at
       WHERE root = $root AND superseded_at_ms IS NULL AND list_contains($keys, session_key)`,
      { at: atMs, root, keys: sessionKeys },
    );
  }
}

/** Deletes the rows of these versions (by root, session and version), inside the caller's transaction. */
async function deleteRows(c: Connection, versions: ArchivedVersion[]): Promise<void> {
  await c.run('CREATE OR REPLACE TEMP TABLE version_keys (root VARCHAR, session_key VARCHAR, version INTEGER)');
  await c.insertRows(
    'version_keys',
    COLUMNS.slice(0, 3),
    versions.map((v) => [v.root, v.sessionKey, v.version]),
  );
  await c.run('DELETE FROM archived_sessions a USING version_keys k WHERE a.root = k.root AND a.session_key = k.session_key AND a.version = k.version');
  await c.run('DROP TABLE version_keys');
}

/** A row of archived_sessions as a version. */
function versionOf(r: JsonRow): ArchivedVersion {
  return {
    root: String(r.root),
    sessionKey: String(r.session_key),
    version: Number(r.version),
    dataFile: String(r.data_file),
    rawBytes: Number(r.raw_bytes),
    packedBytes: Number(r.packed_bytes),
    md5: String(r.md5),
    members: membersFrom(r.members),
    sourceMtimeMs: Number(r.source_mtime_ms),
    archivedAtMs: Number(r.archived_at_ms),
    updatedAtMs: Number(r.updated_at_ms),
    supersededAtMs: r.superseded_at_ms === null ? null : Number(r.superseded_at_ms),
    sourceGoneAtMs: r.source_gone_at_ms === null ? null : Number(r.source_gone_at_ms),
  };
}

function rowOf(v: ArchivedVersion): SqlValue[] {
  return [
    v.root,
    v.sessionKey,
    v.version,
    v.dataFile,
    v.rawBytes,
    v.packedBytes,
    v.md5,
    JSON.stringify(v.members.map(memberRow)),
    v.sourceMtimeMs,
    v.archivedAtMs,
    v.updatedAtMs,
    v.supersededAtMs,
    v.sourceGoneAtMs,
  ];
}

/** A member as the manifest stores it: a tuple, with the pack and the offset in its block when packed. */
type MemberRow = [number, number, number, number, string] | [number, number, number, number, string, string, number];

function memberRow(m: ArchivedMember): MemberRow {
  const own: MemberRow = [m.rawOffset, m.rawBytes, m.packedOffset, m.packedBytes, m.md5];
  return m.pack === undefined ? own : [...own, m.pack, m.offsetInBlock ?? 0];
}

function membersFrom(value: unknown): ArchivedMember[] {
  const list = (typeof value === 'string' ? JSON.parse(value) : value) as MemberRow[];
  return list.map(([rawOffset, rawBytes, packedOffset, packedBytes, md5, pack, offsetInBlock]) =>
    pack === undefined ? { rawOffset, rawBytes, packedOffset, packedBytes, md5 } : { rawOffset, rawBytes, packedOffset, packedBytes, md5, pack, offsetInBlock },
  );
}

/** The copy SessionFile reads, for a version stored in the archive at `folder` (its paths made absolute). */
export function copyOf(folder: string, v: ArchivedVersion): ArchivedCopy {
  const members = v.members.map((m) => (m.pack === undefined ? m : { ...m, pack: join(folder, m.pack) }));
  return { dataFile: join(folder, v.dataFile), version: v.version, rawBytes: v.rawBytes, md5: v.md5, members };
}
