// Packs: settled sessions compressed together. A session alone packs poorly (Brotli finds little to reuse in
// a few hundred KB of one transcript), while many sessions of a project share tool outputs, file contents
// and phrasing; Brotli 4 over 32 MiB blocks of sessions in key order packs corpus A to 13.0%, where each
// session alone at quality 1 reaches 24.4% (docs/performance.md). Packing costs four times the CPU
// of the first copy, so runs copy each session alone and packing happens once a session has settled.
import { closeSync, existsSync, fdatasync, openSync, readdirSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants } from 'node:zlib';
import { errorMessage } from '../errors.js';
import { ArchivedSource, type ArchivedMember } from './archivedSource.js';
import { copyOf, type ArchiveManifest, type ArchivePack, type ArchivedVersion } from './archiveManifest.js';
import { ensureFolder, packFolderOf, rootFolderOf, syncFolder, writeAll } from './archiveFiles.js';

/** Raw bytes per Brotli block: the unit a read decompresses (about 0.1 s), and the reach of its window. */
export const BLOCK_BYTES = 32 << 20;
/** A pack is closed at the first session boundary past this: the unit a removal rewrites, and one commit. */
const PACK_BYTES = 128 << 20;
/** Quality 4 is the first to use Brotli's larger hash chains: 13-14% where quality 3 stays at 19-20%. */
const QUALITY = 4;
/** 16 MiB, Brotli's largest standard window. */
const WINDOW_BITS = 24;
/** Blocks compressed at once in the thread pool while the next is filled. */
const BLOCKS_IN_FLIGHT = 2;
const PACK_SUFFIX = '.pack';

const compress = promisify(brotliCompress);
const datasync = promisify(fdatasync);

export interface PackingReport {
  /** Versions whose members moved into packs. */
  versions: number;
  packs: number;
  /** Session bytes packed, and the packs' size. */
  rawBytes: number;
  packedBytes: number;
  /** Data files removed once their bytes were packed (or left by a killed packing). */
  filesRemoved: number;
  /** Versions left as they were because their copy did not read back as archived. */
  warnings: string[];
}

/** One version to pack: the members chosen move into packs, the others stay where they are. */
export interface PackJob {
  version: ArchivedVersion;
  moves: (member: ArchivedMember) => boolean;
}

export function emptyReport(): PackingReport {
  return { versions: 0, packs: 0, rawBytes: 0, packedBytes: 0, filesRemoved: 0, warnings: [] };
}

/**
 * Writes the chosen members of the jobs (all of one root, in key order) into new packs. Each pack is
 * written and synced, then one transaction points its versions at it; only then are the data files no row
 * needs any more removed. A kill at any moment leaves every version readable from where its row says.
 */
export async function packMembers(
  folder: string,
  manifest: ArchiveManifest,
  root: string,
  jobs: PackJob[],
  report: PackingReport,
  signal?: AbortSignal,
): Promise<void> {
  let pack: PackWriter | undefined;
  let packed: { job: PackJob; members: ArchivedMember[] }[] = [];
  const commit = async () => {
    if (!pack) return;
    const written = await pack.close();
    const pieces = pack.membersByJob();
    const versions = packed.map(({ job, members }) => withMembers(job.version, members, pieces.get(job) ?? []));
    await manifest.repack({ save: versions, remove: [], addPacks: [written], dropPacks: [] });
    report.packs++;
    report.rawBytes += written.rawBytes;
    report.packedBytes += written.packedBytes;
    report.versions += versions.length;
    for (const [i, v] of versions.entries()) {
      if (v.packedBytes === 0 && packed[i].job.version.packedBytes > 0) report.filesRemoved += removeFile(join(folder, v.dataFile));
    }
    pack = undefined;
    packed = [];
  };
  for (const job of jobs) {
    if (signal?.aborted) break;
    const moving = job.version.members.filter(job.moves);
    if (moving.length === 0) continue;
    pack ??= await PackWriter.create(folder, root);
    const problem = await copyMembers(folder, job, moving, pack);
    if (problem) report.warnings.push(`${job.version.sessionKey} (version ${job.version.version}) not packed: ${problem}`);
    else packed.push({ job, members: moving });
    if (pack.rawBytes >= PACK_BYTES) await commit();
  }
  await commit();
}

/** Reads the moving members of a version back (each checked against its MD5) into the pack; a problem, or null. */
async function copyMembers(folder: string, job: PackJob, moving: ArchivedMember[], pack: PackWriter): Promise<string | null> {
  let source: ArchivedSource;
  try {
    source = ArchivedSource.open(copyOf(folder, job.version));
  } catch (error) {
    return errorMessage(error);
  }
  try {
    for (const m of moving) {
      const hash = createHash('md5');
      const pieces = await pack.append(job, m.rawOffset, m.rawBytes, (buffer, offset, length, position) => {
        const n = source.read(buffer, offset, length, position);
        hash.update(buffer.subarray(offset, offset + n));
        return n;
      });
      const read = pieces.reduce((sum, p) => sum + p.rawBytes, 0);
      if (read !== m.rawBytes || hash.digest('hex') !== m.md5) {
        return `bytes ${m.rawOffset}-${m.rawOffset + m.rawBytes} are not what was archived: run \`archive verify\``;
      }
      // A member in one piece (most: blocks are eight times a member) is hashed once, not twice.
      if (pieces.length === 1) pieces[0].md5 = m.md5;
    }
    return null;
  } catch (error) {
    return errorMessage(error);
  } finally {
    source.close();
  }
}

/** The version with its moved members replaced by their pieces in packs; no own bytes left when all moved. */
function withMembers(v: ArchivedVersion, moved: ArchivedMember[], pieces: ArchivedMember[]): ArchivedVersion {
  const gone = new Set(moved);
  const members = [...v.members.filter((m) => !gone.has(m)), ...pieces].sort((a, b) => a.rawOffset - b.rawOffset);
  const ownBytes = members.some((m) => m.pack === undefined) ? v.packedBytes : 0;
  return { ...v, members, packedBytes: ownBytes };
}

/** Reads like fs.readSync: up to `length` bytes from `position` into `buffer` at `offset`; 0 at the end. */
type ByteRead = (buffer: Buffer, offset: number, length: number, position: number) => number;

/** A piece of a version in the block being filled. */
interface Piece {
  job: PackJob;
  rawOffset: number;
  rawBytes: number;
  offsetInBlock: number;
  md5: string;
  /** The block's number in its pack. */
  block: number;
}

/** One pack being written: blocks filled in order, compressed in the thread pool, written in order. */
class PackWriter {
  rawBytes = 0;
  private packedBytes = 0;
  /** Block buffers compressed and written, for the next blocks to fill (each is 32 MiB). */
  private readonly spare: Buffer[] = [];
  private block: Buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;
  private pieces: Piece[] = [];
  /** Blocks sealed so far; the pieces in them; where each block landed in the file once written. */
  private blocks = 0;
  private readonly sealed: Piece[] = [];
  private readonly placed: { packedOffset: number; packedBytes: number }[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly root: string,
    private readonly file: string,
    private readonly fd: number,
    private readonly path: string,
  ) {}

  static async create(folder: string, root: string): Promise<PackWriter> {
    const packFolder = packFolderOf(rootFolderOf(root));
    const created = ensureFolder(join(folder, packFolder));
    if (created) syncFolder(join(folder, rootFolderOf(root)));
    const file = `${packFolder}/${Date.now()}-${randomBytes(6).toString('hex')}${PACK_SUFFIX}`;
    const path = join(folder, file);
    return new PackWriter(root, file, openSync(path, 'wx'), path);
  }

  /**
   * Reads `length` bytes of a version from `rawOffset` straight into the blocks through `read` (shaped like
   * fs.readSync), a piece per block it spans; returns the pieces (fewer bytes: the source ended). The MD5
   * of a piece that is all of `length` is left to the caller, who hashes the whole anyway.
   */
  async append(job: PackJob, rawOffset: number, length: number, read: ByteRead): Promise<Piece[]> {
    const pieces: Piece[] = [];
    let done = 0;
    while (done < length) {
      const count = Math.min(length - done, BLOCK_BYTES - this.used);
      const n = read(this.block, this.used, count, rawOffset + done);
      if (n === 0) break;
      const whole = done === 0 && n === length;
      const md5 = whole
        ? ''
        : createHash('md5')
            .update(this.block.subarray(this.used, this.used + n))
            .digest('hex');
      const piece: Piece = { job, rawOffset: rawOffset + done, rawBytes: n, offsetInBlock: this.used, md5, block: this.blocks };
      pieces.push(piece);
      this.pieces.push(piece);
      this.used += n;
      this.rawBytes += n;
      done += n;
      if (this.used === BLOCK_BYTES) await this.seal();
    }
    return pieces;
  }

  /** Each job's pieces as members, in order, once the pack is closed. */
  membersByJob(): Map<PackJob, ArchivedMember[]> {
    const byJob = new Map<PackJob, ArchivedMember[]>();
    for (const p of this.sealed) {
      const { packedOffset, packedBytes } = this.placed[p.block];
      const member = { rawOffset: p.rawOffset, rawBytes: p.rawBytes, packedOffset, packedBytes, md5: p.md5, pack: this.file, offsetInBlock: p.offsetInBlock };
      const list = byJob.get(p.job);
      if (list) list.push(member);
      else byJob.set(p.job, [member]);
    }
    return byJob;
  }

  /** Writes the last block, syncs the file and its folder; the pack's row, for the manifest. */
  async close(): Promise<ArchivePack> {
    try {
      await this.seal();
      await Promise.all(this.inFlight);
      await this.writing;
      await datasync(this.fd);
    } catch (error) {
      closeSync(this.fd);
      rmSync(this.path, { force: true }); // no row names it: a full disk gets its room back
      throw error;
    }
    closeSync(this.fd);
    syncFolder(join(this.path, '..'));
    return { file: this.file, root: this.root, rawBytes: this.rawBytes, packedBytes: this.packedBytes, createdAtMs: Date.now() };
  }

  private async seal(): Promise<void> {
    if (this.used === 0) return;
    const raw = this.block.subarray(0, this.used);
    const pieces = this.pieces;
    const filled = this.block;
    while (this.inFlight.length >= BLOCKS_IN_FLIGHT) await this.inFlight.shift();
    this.block = this.spare.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES);
    this.used = 0;
    this.pieces = [];
    const packing = compress(raw, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: QUALITY,
        [zlibConstants.BROTLI_PARAM_LGWIN]: WINDOW_BITS,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    // Written in the order sealed, whichever compression ends first.
    const block = this.blocks++;
    this.sealed.push(...pieces);
    this.writing = Promise.all([this.writing, packing]).then(([, packed]) => {
      writeAll(this.fd, packed, this.packedBytes);
      this.placed[block] = { packedOffset: this.packedBytes, packedBytes: packed.length };
      this.packedBytes += packed.length;
      this.spare.push(filled);
    });
    this.writing.catch(() => undefined); // awaited by close
    this.inFlight.push(this.writing);
  }
}

/**
 * Removes what a killed packing or removal left behind: pack files no row lists (written, never committed;
 * or dropped, never deleted), and own data files of versions that now live wholly in packs. Runs under the
 * archive's lock, so nothing being written is mistaken for a leftover.
 */
export async function sweepLeftovers(folder: string, manifest: ArchiveManifest): Promise<number> {
  const listed = new Set((await manifest.packs()).map((p) => p.file));
  let removed = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const packFolder = packFolderOf(entry.name);
    let names: string[];
    try {
      names = readdirSync(join(folder, packFolder));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!listed.has(`${packFolder}/${name}`)) removed += removeFile(join(folder, packFolder, name));
    }
  }
  const rows = await manifest.db.all('SELECT data_file FROM archived_sessions WHERE packed_bytes = 0 AND raw_bytes > 0');
  for (const row of rows) {
    const path = join(folder, String(row.data_file));
    if (existsSync(path)) removed += removeFile(path);
  }
  return removed;
}

function removeFile(path: string): number {
  try {
    rmSync(path);
    return 1;
  } catch {
    return 0; // already gone
  }
}

/** Versions grouped by root, each group in the manifest's order (by session, then version), as packs are filled. */
function byRoot(versions: ArchivedVersion[]): Map<string, ArchivedVersion[]> {
  const roots = new Map<string, ArchivedVersion[]>();
  for (const v of versions) {
    const list = roots.get(v.root);
    if (list) list.push(v);
    else roots.set(v.root, [v]);
  }
  return roots;
}

/** Packs the own members of these versions (settled ones: archive compaction), root by root. */
export async function packVersions(folder: string, manifest: ArchiveManifest, versions: ArchivedVersion[], signal?: AbortSignal): Promise<PackingReport> {
  const report = emptyReport();
  report.filesRemoved += await sweepLeftovers(folder, manifest);
  for (const [root, list] of byRoot(versions)) {
    await packMembers(
      folder,
      manifest,
      root,
      list.map((version) => ({ version, moves: (m) => m.pack === undefined })),
      report,
      signal,
    );
  }
  return report;
}

/**
 * Removes versions for good (prune, redaction), audited: the packs holding any of their bytes are written
 * anew without them first (the other versions' bytes in those packs move to new packs), then one
 * transaction forgets the versions and the old packs, and only then are their files deleted. A removed
 * session's bytes are then in no file of the archive, unless a pack also holds a version that could not be
 * read back (said in the warnings; that pack is kept).
 */
export async function removeVersions(
  folder: string,
  manifest: ArchiveManifest,
  remove: ArchivedVersion[],
  audit: { action: string; detail: unknown },
): Promise<PackingReport> {
  const report = emptyReport();
  const keyOf = (v: ArchivedVersion) => `${v.root}\0${v.sessionKey}\0${v.version}`;
  const removing = new Set(remove.map(keyOf));
  const packs = [...new Set(remove.flatMap((v) => v.members.flatMap((m) => (m.pack === undefined ? [] : [m.pack]))))];
  const others = packs.length === 0 ? [] : (await versionsInPacks(manifest, packs)).filter((v) => !removing.has(keyOf(v)));
  const dropping = new Set(packs);
  for (const [root, list] of byRoot(others)) {
    await packMembers(
      folder,
      manifest,
      root,
      list.map((version) => ({ version, moves: (m) => m.pack !== undefined && dropping.has(m.pack) })),
      report,
    );
  }
  // A pack still named by a version that could not be moved is kept.
  const stillNamed = new Set((await versionsInPacks(manifest, packs)).filter((v) => !removing.has(keyOf(v))).flatMap((v) => v.members.map((m) => m.pack)));
  const dropPacks = packs.filter((p) => !stillNamed.has(p));
  await manifest.repack({ save: [], remove, addPacks: [], dropPacks, audit });
  for (const v of remove) report.filesRemoved += removeFile(join(folder, v.dataFile));
  for (const p of dropPacks) report.filesRemoved += removeFile(join(folder, p));
  return report;
}

/** Every version with a member in one of these packs. */
function versionsInPacks(manifest: ArchiveManifest, packs: string[]): Promise<ArchivedVersion[]> {
  if (packs.length === 0) return Promise.resolve([]);
  return manifest.versions(`list_has_any(json_extract_string(members, '$[*][5]'), $packs)`, { packs });
}
