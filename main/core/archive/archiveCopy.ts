// Copying one session into the archive: the first time whole, then only what was appended (Claude Code
// only appends), or whole again as a new version when its earlier bytes changed.
import { closeSync, constants, fdatasync, fstatSync, ftruncateSync, openSync, readSync, rmSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants } from 'node:zlib';
import type { ArchivedMember } from './archivedSource.js';
import type { ArchivedVersion } from './archiveManifest.js';
import { dataFileOf, ensureFolder, writeAll } from './archiveFiles.js';

/** Raw bytes per compressed member: the unit of random access (a read decompresses one member at a time). */
export const MEMBER_BYTES = 4 << 20;
/**
 * Brotli quality 1: on real transcripts it packs to about 11% (gzip -6: 12%) at several times gzip -6's
 * speed. Archiving runs beside every cold run, so speed comes first: quality 3 gained a point or two of
 * ratio for 40% more time over the copy of corpus A.
 */
const QUALITY = 1;
/** Bytes hashed per read while checking that an archived prefix is unchanged. */
const HASH_CHUNK = 1 << 20;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

const compress = promisify(brotliCompress);
/** MD5 of no bytes (an empty session has no member). */
const EMPTY_MD5 = createHash('md5').digest('hex');
const datasync = promisify(fdatasync);

export type CopyKind = 'new' | 'extended' | 'new-version' | 'touched';

export interface CopyResult {
  kind: CopyKind;
  /** The rows to save: the session's current version, and the one it superseded (new-version). */
  versions: ArchivedVersion[];
  /** Source bytes read (hashing a prefix included). */
  bytesRead: number;
  /** Compressed bytes written. */
  bytesWritten: number;
  /** A folder created for the data file (its entry must be made durable with the manifest). */
  createdFolder: string | null;
}

export interface CopyRequest {
  folder: string;
  root: string;
  sessionKey: string;
  /** Absolute path of the source. */
  path: string;
  current: ArchivedVersion | undefined;
  /** The highest version ever stored for the session (0 if none): a new version takes the next number. */
  lastVersion: number;
  nowMs: number;
}

/**
 * Archives one session. The source is read up to its size when opened (a line being appended is archived
 * when complete, next time). Data is written and synced before the caller saves the manifest row, so a
 * kill at any moment leaves the manifest describing bytes that are on disk.
 */
export async function copySession(request: CopyRequest, rootFolder: string): Promise<CopyResult> {
  const source = openSync(request.path, OPEN_FLAGS);
  try {
    const stat = fstatSync(source);
    if (!stat.isFile()) throw new Error(`${request.path} is not a regular file`);
    const size = stat.size;
    const { current } = request;
    let bytesRead = 0;
    if (current && size >= current.rawBytes) {
      const hash = createHash('md5');
      bytesRead += hashRange(source, hash, 0, current.rawBytes);
      if (hash.copy().digest('hex') === current.md5) {
        if (size === current.rawBytes) {
          const touched = { ...current, sourceMtimeMs: stat.mtimeMs, updatedAtMs: request.nowMs, sourceGoneAtMs: null };
          return { kind: 'touched', versions: [touched], bytesRead, bytesWritten: 0, createdFolder: null };
        }
        const extended = await extend(request, current, source, size, hash).catch((error: unknown) => (isMissing(error) ? null : Promise.reject(error)));
        if (extended) return { ...extended, bytesRead: bytesRead + extended.bytesRead };
      }
    }
    const version = request.lastVersion + 1;
    const dataFile = dataFileOf(rootFolder, request.sessionKey, version);
    const target = join(request.folder, dataFile);
    const createdFolder = ensureFolder(dirname(target));
    const out = openSync(target, 'w');
    try {
      // A session of one member (most are) has the member's MD5: the bytes are hashed once, not twice.
      const hash = size > MEMBER_BYTES ? createHash('md5') : null;
      const { members, read, written } = await packRange(source, out, hash, 0, size, 0).catch((error: unknown) => {
        // No manifest row names this file yet: removed, so a full disk gets back the room the manifest needs.
        rmSync(target, { force: true });
        throw error;
      });
      await datasync(out);
      const fresh: ArchivedVersion = {
        root: request.root,
        sessionKey: request.sessionKey,
        version,
        dataFile,
        rawBytes: read,
        packedBytes: written,
        md5: hash ? hash.digest('hex') : (members[0]?.md5 ?? EMPTY_MD5),
        members,
        sourceMtimeMs: stat.mtimeMs,
        archivedAtMs: request.nowMs,
        updatedAtMs: request.nowMs,
        supersededAtMs: null,
        sourceGoneAtMs: null,
      };
      const versions = current ? [fresh, { ...current, supersededAtMs: request.nowMs }] : [fresh];
      return { kind: current ? 'new-version' : 'new', versions, bytesRead: bytesRead + read, bytesWritten: written, createdFolder };
    } finally {
      closeSync(out);
    }
  } finally {
    closeSync(source);
  }
}

/**
 * Appends the bytes after the archived prefix to the current version's own data file (made anew when all of
 * the version sits in packs); null when a file that should be there is gone.
 */
async function extend(request: CopyRequest, current: ArchivedVersion, source: number, size: number, hash: Hash): Promise<CopyResult | null> {
  const path = join(request.folder, current.dataFile);
  const ownBytes = current.packedBytes > 0;
  const createdFolder = ownBytes ? null : ensureFolder(dirname(path));
  const out = openSync(path, ownBytes ? 'r+' : 'w');
  try {
    // Bytes past the manifest's end are a member a killed run wrote but never recorded: dropped.
    ftruncateSync(out, current.packedBytes);
    const { members, read, written } = await packRange(source, out, hash, current.rawBytes, size, current.packedBytes).catch((error: unknown) => {
      ftruncateSync(out, current.packedBytes); // what a failed write (a full disk) left past the manifest's end
      throw error;
    });
    await datasync(out);
    const extended: ArchivedVersion = {
      ...current,
      rawBytes: current.rawBytes + read,
      packedBytes: current.packedBytes + written,
      md5: hash.digest('hex'),
      members: [...current.members, ...members],
      sourceMtimeMs: fstatSync(source).mtimeMs,
      updatedAtMs: request.nowMs,
      sourceGoneAtMs: null,
    };
    return { kind: 'extended', versions: [extended], bytesRead: read, bytesWritten: written, createdFolder };
  } finally {
    closeSync(out);
  }
}

/**
 * Compresses source bytes [from, to) into members appended to `out` from `packedAt`, hashing them into
 * `hash` on the way. The next member is read while the last one is compressed in the thread pool.
 */
async function packRange(
  source: number,
  out: number,
  hash: Hash | null,
  from: number,
  to: number,
  packedAt: number,
): Promise<{ members: ArchivedMember[]; read: number; written: number }> {
  const members: ArchivedMember[] = [];
  let position = from;
  let packed = packedAt;
  let pending: { raw: Buffer; rawOffset: number; packing: Promise<Buffer> } | undefined;
  const flush = async () => {
    if (!pending) return;
    const bytes = await pending.packing;
    writeAll(out, bytes, packed);
    members.push({
      rawOffset: pending.rawOffset,
      rawBytes: pending.raw.length,
      packedOffset: packed,
      packedBytes: bytes.length,
      md5: createHash('md5').update(pending.raw).digest('hex'),
    });
    packed += bytes.length;
    pending = undefined;
  };
  while (position < to) {
    const raw = Buffer.allocUnsafe(Math.min(MEMBER_BYTES, to - position));
    const n = readFull(source, raw, position);
    if (n === 0) break; // truncated since it was opened: archive what is there
    const chunk = n === raw.length ? raw : raw.subarray(0, n);
    hash?.update(chunk);
    const packing = compress(chunk, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: chunk.length },
    });
    packing.catch(() => undefined); // awaited by flush
    await flush();
    pending = { raw: chunk, rawOffset: position, packing };
    position += n;
  }
  await flush();
  return { members, read: position - from, written: packed - packedAt };
}

function hashRange(fd: number, hash: Hash, from: number, to: number): number {
  const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, Math.max(to - from, 1)));
  let position = from;
  while (position < to) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, to - position), position);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    position += n;
  }
  return position - from;
}

function readFull(fd: number, buffer: Buffer, position: number): number {
  let got = 0;
  while (got < buffer.length) {
    const n = readSync(fd, buffer, got, buffer.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
