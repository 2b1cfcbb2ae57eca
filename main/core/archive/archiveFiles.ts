// Where the archive keeps its files inside its folder, and the writes that make them durable.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

/** Each root's sessions sit in a folder of their own: its name, and a hash of its path to tell two `projects` apart. */
export function rootFolderOf(root: string): string {
  const name = basename(root).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return `${name}-${createHash('sha256').update(root).digest('hex').slice(0, 10)}`;
}

/** The own data file of a version, relative to the archive folder. */
export function dataFileOf(rootFolder: string, sessionKey: string, version: number): string {
  return `${rootFolder}/${sessionKey}.${version}.br`;
}

/** The folder of a root's packs, relative to the archive folder. */
export function packFolderOf(rootFolder: string): string {
  return `${rootFolder}/packs`;
}

export function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Creates the folder when missing; returns the topmost folder it created (null: it existed). */
export function ensureFolder(folder: string): string | null {
  return mkdirSync(folder, { recursive: true }) ?? null;
}

/** Makes new entries of a folder durable (the data files in it are synced by their writers). */
export function syncFolder(folder: string): void {
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
