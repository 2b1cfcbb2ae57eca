import { join } from 'node:path';
import type { SessionEntry } from '../sessionFile.js';
import { inProject } from '../sessions/projects.js';
import { updateIndex, type IndexProgress, type IndexUpdateResult } from './indexUpdate.js';
import { SearchDb } from './searchDb.js';
import { searchHits, type SearchHit, type SearchRequest } from './searchQuery.js';

/** The index file in the per-user data folder. */
export const SEARCH_INDEX_FILE = 'search-index.duckdb';

export interface SearchQuery extends Omit<SearchRequest, 'sids'> {
  /** A project: its folder name, its full path or Claude Code's encoded folder (the rule of the sessions list). */
  project?: string;
}

/** How far the index of a root is: what a search that lists hits also says. */
export interface IndexStatus {
  /** Sessions of the root in the index (live or gone). */
  indexed: number;
  /** An update is reading sessions now: hits may still be missing. */
  updating: boolean;
  /** Of the update running (or the last one): sessions read and to read. */
  progress: IndexProgress | null;
}

export interface SearchPage {
  hits: SearchHit[];
  /** More hits follow (ask again with offset + limit). */
  more: boolean;
  index: IndexStatus;
}

/**
 * Full-text search over every session of a root, live or gone: a DuckDB file of its own in the per-user
 * data folder, whatever the state store is. `update` brings it in step with a scan (one update at a time:
 * callers arriving meanwhile share it); `search` answers from what is indexed so far, saying whether an
 * update is still reading.
 */
export class SearchIndex {
  private running: Promise<IndexUpdateResult> | null = null;
  private progress: IndexProgress | null = null;
  /** Stops an update when the index closes (what it wrote stays). */
  private readonly closing = new AbortController();

  private constructor(readonly db: SearchDb) {}

  static async open(home: string): Promise<SearchIndex> {
    return new SearchIndex(await SearchDb.open(join(home, SEARCH_INDEX_FILE)));
  }

  get updating(): boolean {
    return this.running !== null;
  }

  update(root: string, sessions: SessionEntry[], options: { onProgress?: (p: IndexProgress) => void; signal?: AbortSignal } = {}): Promise<IndexUpdateResult> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    this.running ??= updateIndex(this.db, root, sessions, {
      signal,
      onProgress: (p) => {
        this.progress = p;
        options.onProgress?.(p);
      },
    }).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async status(root: string): Promise<IndexStatus> {
    const [row] = await this.db.all('SELECT count(*) AS n FROM search_sessions WHERE root = $root', { root });
    return { indexed: Number(row.n), updating: this.updating, progress: this.progress };
  }

  async search(root: string, query: SearchQuery): Promise<SearchPage> {
    const { project, ...request } = query;
    const sids = project === undefined ? undefined : await this.projectSessions(root, project);
    const { hits, more } = sids?.length === 0 ? { hits: [], more: false } : await searchHits(this.db, root, { ...request, ...(sids ? { sids } : {}) });
    return { hits, more, index: await this.status(root) };
  }

  /** The sessions of a project, by the sessions list's own rule (projects.ts), from the index's cwd of each. */
  private async projectSessions(root: string, project: string): Promise<number[]> {
    const rows = await this.db.all('SELECT sid, session_key, cwd FROM search_sessions WHERE root = $root', { root });
    return rows.filter((r) => inProject(String(r.session_key), r.cwd === null ? null : String(r.cwd), project)).map((r) => Number(r.sid));
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.running?.catch(() => undefined);
    await this.db.close();
  }
}
