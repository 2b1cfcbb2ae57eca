// The sessions list: paged in DuckDB by 'sessions/list' (offset/limit ≤ 500), held here only as the pages
// around what is on screen, so 100,000 sessions cost a few hundred rows of memory.
import type { ProcessorStatus, SessionFilter, SessionPage, SessionRow, SessionSortKey } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

/** Rows per 'sessions/list' call (the contract allows at most 500). */
export const SESSION_PAGE_SIZE = 200;
/** Pages kept in memory; the ones farthest from the last requested range are dropped first. */
export const MAX_CACHED_PAGES = 12;

export interface SessionSort {
  by: SessionSortKey;
  dir: 'asc' | 'desc';
}

export interface SessionsData {
  filter: SessionFilter;
  sort: SessionSort;
  /** Bumped on every filter/sort change: answers to an older generation are dropped. */
  generation: number;
  /** null until the first page of this generation arrives. */
  total: number | null;
  pages: Record<number, SessionRow[]>;
  groups: string[];
  counts: SessionPage['counts'];
  /** Selected session keys (kept across pages and refreshes, cleared when the filter changes). */
  selection: string[];
  /** The last row clicked or moved to without shift: the start of a shift range. */
  anchor: number | null;
  /** Keyboard focus in the list (row index). */
  cursor: number;
  error: string | null;
}

export type SelectMode = 'only' | 'toggle' | 'range';

export interface SessionsSliceState {
  sessions: SessionsData;
  setSessionFilter(patch: Partial<SessionFilter>): void;
  setSessionSort(sort: SessionSort): void;
  /** Makes sure rows [start, end] (indexes, inclusive) are loaded or loading. */
  ensureSessionRows(start: number, end: number): void;
  /** Re-reads the loaded pages (after an event), keeping the rows on screen until the answers arrive. */
  refreshSessions(): Promise<void>;
  selectSession(index: number, mode: SelectMode): void;
  setSessionSelection(keys: string[]): void;
  setSessionCursor(index: number): void;
}

export function sessionAt(data: SessionsData, index: number): SessionRow | undefined {
  return data.pages[Math.floor(index / SESSION_PAGE_SIZE)]?.[index % SESSION_PAGE_SIZE];
}

function cleanFilter(filter: SessionFilter): SessionFilter {
  const out: SessionFilter = {};
  if (filter.status && filter.status.length > 0) out.status = [...filter.status] as ProcessorStatus[];
  if (filter.processor) out.processor = filter.processor;
  if (filter.group) out.group = filter.group;
  if (filter.text && filter.text.trim()) out.text = filter.text.trim();
  return out;
}

export const createSessionsSlice: SliceCreator<SessionsSliceState> = (set, get, { api }) => {
  /** Page loads in flight, by `${generation}:${page}`. */
  const inFlight = new Set<string>();
  /** The centre of the last requested range, to decide which pages to drop. */
  let focusPage = 0;

  async function loadPage(page: number, generation: number): Promise<void> {
    const id = `${generation}:${page}`;
    if (inFlight.has(id)) return;
    inFlight.add(id);
    const { filter, sort } = get().sessions;
    try {
      const result = await api.call('sessions/list', { ...cleanFilter(filter), sort, offset: page * SESSION_PAGE_SIZE, limit: SESSION_PAGE_SIZE });
      const current = get().sessions;
      if (current.generation !== generation) return;
      const pages: Record<number, SessionRow[]> = { ...current.pages, [page]: result.rows };
      // A shrunk list (sessions deleted, rows processed out of a status filter) drops pages past its end.
      const lastPage = Math.max(0, Math.ceil(result.total / SESSION_PAGE_SIZE) - 1);
      for (const key of Object.keys(pages).map(Number)) if (key > lastPage) delete pages[key];
      evict(pages);
      set({ sessions: { ...current, pages, total: result.total, groups: result.groups, counts: result.counts, error: null } });
    } catch (error) {
      const current = get().sessions;
      if (current.generation === generation) set({ sessions: { ...current, error: errorMessage(error) } });
    } finally {
      inFlight.delete(id);
    }
  }

  function evict(pages: Record<number, SessionRow[]>): void {
    const keys = Object.keys(pages).map(Number);
    if (keys.length <= MAX_CACHED_PAGES) return;
    keys.sort((a, b) => Math.abs(b - focusPage) - Math.abs(a - focusPage));
    for (const key of keys.slice(0, keys.length - MAX_CACHED_PAGES)) delete pages[key];
  }

  function restart(patch: Partial<SessionsData>): void {
    const current = get().sessions;
    const generation = current.generation + 1;
    set({ sessions: { ...current, ...patch, generation, total: null, pages: {}, selection: [], anchor: null, cursor: 0, error: null } });
    focusPage = 0;
    void loadPage(0, generation);
  }

  return {
    sessions: {
      filter: {},
      sort: { by: 'modified', dir: 'desc' },
      generation: 0,
      total: null,
      pages: {},
      groups: [],
      counts: {},
      selection: [],
      anchor: null,
      cursor: 0,
      error: null,
    },

    setSessionFilter(patch) {
      restart({ filter: { ...get().sessions.filter, ...patch } });
    },

    setSessionSort(sort) {
      restart({ sort });
    },

    ensureSessionRows(start, end) {
      const { generation, pages, total } = get().sessions;
      const last = total === null ? end : Math.min(end, total - 1);
      const first = Math.max(0, start);
      focusPage = Math.floor((first + Math.max(first, last)) / 2 / SESSION_PAGE_SIZE);
      for (let page = Math.floor(first / SESSION_PAGE_SIZE); page <= Math.floor(Math.max(first, last) / SESSION_PAGE_SIZE); page++) {
        if (!pages[page]) void loadPage(page, generation);
      }
    },

    async refreshSessions() {
      const { generation, pages } = get().sessions;
      const loaded = Object.keys(pages).map(Number);
      await Promise.all((loaded.length > 0 ? loaded : [0]).map((page) => loadPage(page, generation)));
    },

    selectSession(index, mode) {
      const data = get().sessions;
      const row = sessionAt(data, index);
      if (!row) return;
      let selection: string[];
      let anchor = data.anchor;
      if (mode === 'only') {
        selection = [row.sessionKey];
        anchor = index;
      } else if (mode === 'toggle') {
        selection = data.selection.includes(row.sessionKey) ? data.selection.filter((k) => k !== row.sessionKey) : [...data.selection, row.sessionKey];
        anchor = index;
      } else {
        const start = anchor ?? data.cursor;
        const from = Math.min(start, index);
        const to = Math.max(start, index);
        const keys = new Set(data.selection);
        // Only loaded rows can join a range (the list is never loaded whole); ranges are as long as the screen.
        for (let i = from; i <= to; i++) {
          const r = sessionAt(data, i);
          if (r) keys.add(r.sessionKey);
        }
        selection = [...keys];
      }
      set({ sessions: { ...data, selection, anchor, cursor: index } });
    },

    setSessionSelection(keys) {
      set({ sessions: { ...get().sessions, selection: [...new Set(keys)] } });
    },

    setSessionCursor(index) {
      const data = get().sessions;
      const max = data.total === null ? 0 : Math.max(0, data.total - 1);
      const cursor = Math.max(0, Math.min(max, index));
      // Moving without shift also moves the anchor: the next shift-move selects from here (as in list boxes).
      set({ sessions: { ...data, cursor, anchor: cursor } });
    },
  };
};
