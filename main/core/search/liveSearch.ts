import { realpathSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import type { ScanResult } from '../scan.js';
import { SearchIndex, type SearchPage, type SearchQuery } from './searchIndex.js';

/** A search starts a catch-up with the folder when the last one started longer ago than this (ms). */
const CATCH_UP_EVERY_MS = 10_000;

/**
 * Search as the app offers it: the index opens on the first search (not at start: most sessions of the app
 * never search), each search answers at once from what is indexed, and starts a catch-up with the folder
 * in the background (scan, then the sessions new or changed since they were indexed) unless one ran in
 * the last CATCH_UP_EVERY_MS. The answer says while it is catching up, so the window asks again.
 */
export class LiveSearch {
  private opening: Promise<SearchIndex> | null = null;
  private lastCatchUp = new Map<string, number>();

  constructor(private readonly home: string) {}

  async search(root: string, scan: () => Promise<ScanResult>, query: SearchQuery): Promise<SearchPage> {
    const index = await this.index();
    const key = indexRoot(root);
    const last = this.lastCatchUp.get(key) ?? 0;
    if (!index.updating && Date.now() - last >= CATCH_UP_EVERY_MS) {
      this.lastCatchUp.set(key, Date.now());
      const scanning = scan();
      // Registered before the wait below, so the update has started (index.updating) when that wait ends.
      const catchUp = scanning.then((found) => index.update(found.root, found.sessions));
      catchUp.catch((error: unknown) => process.stderr.write(`warn: the search index could not catch up with ${root}: ${errorMessage(error)}\n`));
      // The first search of a folder waits for the scan, so its answer already says the index is catching up.
      if (last === 0) await scanning.catch(() => undefined);
    }
    return index.search(key, query);
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    if (opening) await (await opening.catch(() => null))?.close();
  }

  private index(): Promise<SearchIndex> {
    this.opening ??= SearchIndex.open(this.home);
    this.opening.catch(() => (this.opening = null)); // a failed open (the file locked) is tried again next time
    return this.opening;
  }
}

/** The root as the index keys it: the scan's (link-resolved) path. */
export function indexRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}
