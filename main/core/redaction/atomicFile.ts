// Replacing a file atomically: the new content is written beside it, flushed to disk, given the old
// file's mode, and renamed over it. A crash at any point leaves either the old file or the new one whole,
// never a mix; a failure before the rename removes what was written.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';

/** What identifies one version of a file: an append or a replacement changes one of these. */
export interface FileVersion {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export function versionOf(stats: Stats): FileVersion {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * The temp file's name: hidden, and not ending in `.jsonl`, so no scan takes it for a session. The random
 * part keeps two redactions of one file (two processes) apart.
 */
const TEMP = (name: string) => `.${name}.redact-`;

/** Temp files an earlier, killed redaction of `path` left behind (SIGKILL and power cuts skip every cleanup). */
export function removeLeftovers(path: string): void {
  const prefix = TEMP(basename(path));
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    try {
      unlinkSync(join(dirname(path), name));
    } catch {
      // another process's redaction in flight, or already gone: not ours to insist on
    }
  }
}

/** A new version of a file, written beside it and not yet in its place. */
export class PendingFile {
  private fd: number | null;
  private done = false;
  readonly tempPath: string;

  /** `write` writes each buffer whole (a test may fail it, to prove the original survives). */
  constructor(
    readonly path: string,
    private readonly write: (fd: number, buffer: Buffer) => void = writeAll,
  ) {
    this.tempPath = join(dirname(path), `${TEMP(basename(path))}${randomBytes(6).toString('hex')}.tmp`);
    // 0600 until done: only its owner reads it while it is incomplete.
    this.fd = openSync(this.tempPath, 'wx', 0o600);
  }

  append(buffer: Buffer): void {
    if (this.fd === null) throw new Error(`${this.tempPath} is closed`);
    try {
      this.write(this.fd, buffer);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /**
   * Puts the new version in place of `path` when `path` is still the version that was read (an append
   * since would be lost: refused, naming the file), with `path`'s mode and, where allowed, owner. Returns
   * the new file's version. On any failure the temp file is removed and `path` is left as it was.
   */
  commit(expected: FileVersion): FileVersion {
    if (this.fd === null) throw new Error(`${this.tempPath} is closed`);
    const fd = this.fd;
    try {
      const current = statSync(this.path);
      fchmodSync(fd, current.mode & 0o7777);
      if (current.uid !== fstatSync(fd).uid || current.gid !== fstatSync(fd).gid) {
        try {
          fchownSync(fd, current.uid, current.gid);
        } catch {
          // Only root may give a file away: the redacted file then belongs to whoever redacted it.
        }
      }
      fsyncSync(fd);
      const written = versionOf(fstatSync(fd));
      closeSync(fd);
      this.fd = null;
      if (!sameVersion(versionOf(statSync(this.path)), expected)) {
        throw new ChangedWhileRedacting(`${this.path} changed while it was being redacted (appended to?): nothing was changed; try again`);
      }
      renameSync(this.tempPath, this.path);
      this.done = true;
      syncFolder(dirname(this.path));
      return written;
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Removes the temp file (nothing happens to `path`); harmless after commit or a second time. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed by a failed write: the unlink below is what matters
      }
      this.fd = null;
    }
    if (this.done) return;
    this.done = true;
    try {
      unlinkSync(this.tempPath);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
}

export class ChangedWhileRedacting extends Error {}

function writeAll(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length;) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Makes a rename in `folder` durable; folders cannot be opened for syncing on every platform (Windows). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // the rename is done; only its durability across a power cut is up to the file system now
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
