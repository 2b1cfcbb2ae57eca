import { lstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorMessage } from './errors.js';

/** What lstat said of each path, by index: kind FILE with size and mtime, GONE (or not a regular file), or FAILED. */
export interface FileStats {
  kind: Uint8Array;
  size: Float64Array;
  mtimeMs: Float64Array;
  /** Why lstat failed, for the FAILED indexes. */
  errors: Map<number, string>;
}

export const FILE = 1;
export const GONE = 0;
export const FAILED = 2;

/** Below this many files a second thread costs more to start than it saves. */
const PARALLEL_MIN = 8_000;
/** Files stat'ed between two turns of the event loop (about 10 ms of work). */
const STAT_BATCH = 2_000;

/**
 * lstat of many paths. lstatSync is a few µs a file, where a promise per lstat through libuv's thread pool
 * cost ten times that; on a large folder a worker thread takes the second half meanwhile (a no-op rerun
 * has the other core to itself: 100,000 files in about half the time). The main thread's half goes in
 * batches, so the event loop keeps turning in the app.
 */
export async function statFiles(paths: string[]): Promise<FileStats> {
  const stats: FileStats = { kind: new Uint8Array(paths.length), size: new Float64Array(paths.length), mtimeMs: new Float64Array(paths.length), errors: new Map() };
  const split = paths.length >= PARALLEL_MIN && availableParallelism() > 1 ? Math.ceil(paths.length / 2) : paths.length;
  const helper = split < paths.length ? statInWorker(paths.slice(split)) : null;
  helper?.catch(() => undefined); // awaited below
  for (let i = 0; i < split; i += STAT_BATCH) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    statRange(paths, i, Math.min(split, i + STAT_BATCH), stats, 0);
  }
  if (helper) {
    const theirs = await helper.catch(() => null);
    if (theirs) {
      stats.kind.set(theirs.kind, split);
      stats.size.set(theirs.size, split);
      stats.mtimeMs.set(theirs.mtimeMs, split);
      for (const [index, error] of theirs.errors) stats.errors.set(split + index, error);
    } else {
      statRange(paths, split, paths.length, stats, 0); // no worker here (a packaged app may not allow one): do it ourselves
    }
  }
  return stats;
}

/** lstat paths[from, to) into stats at index - offset. */
export function statRange(paths: string[], from: number, to: number, stats: FileStats, offset: number): void {
  for (let i = from; i < to; i++) {
    try {
      const info = lstatSync(paths[i], { throwIfNoEntry: false });
      if (info === undefined || !info.isFile()) continue; // GONE: deleted since listed, or not a regular file
      stats.kind[i - offset] = FILE;
      stats.size[i - offset] = info.size;
      stats.mtimeMs[i - offset] = info.mtimeMs;
    } catch (error) {
      stats.kind[i - offset] = FAILED;
      stats.errors.set(i - offset, errorMessage(error));
    }
  }
}

function statInWorker(paths: string[]): Promise<FileStats> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./statWorker.js', import.meta.url), { workerData: paths });
    worker.once('message', (stats: FileStats) => {
      resolve(stats);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`stat worker exited with code ${code}`)));
  });
}
