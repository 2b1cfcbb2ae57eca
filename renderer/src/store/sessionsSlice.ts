// The sessions list: paged in DuckDB by 'sessions/list' (offset/limit ≤ 500), held here only as the pages
// around what is on screen, so 100,000 sessions cost a few hundred rows of memory.
import type {
  ProcessorStatus,
  SessionColumnId,
  SessionColumnInfo,
  SessionFilter,
  SessionPage,
  SessionProject,
  SessionRow,
  SessionSortKey,
} from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import { DEFAULT_SESSION_COLUMNS } from '../lib/sessionCells.js';
import type { GetStore, KeyValueStorage, SetStore, SliceCreator, StoreDeps } from './types.js';

/** Rows per 'sessions/list' call (the contract allows at most 500). */
export const SESSION_PAGE_SIZE = 200;
/** Pages kept in memory; the ones farthest from the last requested range are dropped first. */
export const MAX_CACHED_PAGES = 12;

export interface SessionSort {
  by: SessionSortKey;
  dir: 'asc' | 'desc';
}

/** A session whose subagent transcripts are shown under it: `at` is its index among the top-level rows. */
export interface Expansion {
  parent: string;
  at: number;
  /** null while loading. */
  rows: SessionRow[] | null;
}

export interface SessionsData {
  filter: SessionFilter;
  sort: SessionSort;
  /** Every column main offers, and the ones shown, in the user's order (remembered). */
  columns: SessionColumnInfo[];
  shownColumns: SessionColumnId[];
  projects: SessionProject[];
  /** Sorted by `at`. Cleared when the filter or the sort changes. */
  expansions: Expansion[];
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
  /** Keyboard focus in the list (index among the visible rows, subagents included). */
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
  /** Shows or hides the subagent transcripts of the session at visible index `index`. */
  toggleSubagents(index: number): Promise<void>;
  /** Which columns are shown, in order (remembered across starts). */
  setShownColumns(columns: SessionColumnId[]): void;
}

/** The top-level row at `index` (among sessions, not counting the subagent rows shown under some). */
export function sessionAt(data: SessionsData, index: number): SessionRow | undefined {
  return data.pages[Math.floor(index / SESSION_PAGE_SIZE)]?.[index % SESSION_PAGE_SIZE];
}

/** How many rows the list shows: the sessions plus the subagent transcripts expanded under some. */
export function visibleCount(data: SessionsData): number {
  return (data.total ?? 0) + data.expansions.reduce((n, e) => n + (e.rows?.length ?? 0), 0);
}

/** The row at visible index `index`: a session (depth 0) or one of its subagents (depth 1); `top` is the session's index. */
export function visibleAt(data: SessionsData, index: number): { row: SessionRow | undefined; depth: 0 | 1; top: number } {
  let before = 0;
  for (const e of data.expansions) {
    const parentIndex = e.at + before;
    if (index <= parentIndex) break;
    const n = e.rows?.length ?? 0;
    if (index <= parentIndex + n) return { row: e.rows![index - parentIndex - 1], depth: 1, top: e.at };
    before += n;
  }
  return { row: sessionAt(data, index - before), depth: 0, top: index - before };
}

const COLUMNS_STORAGE_KEY = 'session-inspector.sessionColumns';

function readShownColumns(storage: KeyValueStorage): SessionColumnId[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(COLUMNS_STORAGE_KEY) ?? 'null');
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as SessionColumnId[];
  } catch {
    // a damaged preference falls back to the default
  }
  return DEFAULT_SESSION_COLUMNS;
}

function cleanFilter(filter: SessionFilter): SessionFilter {
  const out: SessionFilter = {};
  if (filter.status && filter.status.length > 0) out.status = [...filter.status] as ProcessorStatus[];
  if (filter.processor) out.processor = filter.processor;
  if (filter.group) out.group = filter.group;
  if (filter.text && filter.text.trim()) out.text = filter.text.trim();
  if (filter.project) out.project = filter.project;
  if (filter.startedFrom) out.startedFrom = filter.startedFrom;
  if (filter.startedTo) out.startedTo = filter.startedTo;
  if (filter.has && filter.has.length > 0) out.has = [...filter.has];
  return out;
}

/** Drops the pages farthest from `focusPage` once more than MAX_CACHED_PAGES are held. */
function evictPages(pages: Record<number, SessionRow[]>, focusPage: number): void {
  const keys = Object.keys(pages).map(Number);
  if (keys.length <= MAX_CACHED_PAGES) return;
  keys.sort((a, b) => Math.abs(b - focusPage) - Math.abs(a - focusPage));
  for (const key of keys.slice(0, keys.length - MAX_CACHED_PAGES)) delete pages[key];
}

function initialSessions(storage: KeyValueStorage): SessionsData {
  return {
    filter: {},
    sort: { by: 'started', dir: 'desc' },
    columns: [],
    shownColumns: readShownColumns(storage),
    projects: [],
    expansions: [],
    generation: 0,
    total: null,
    pages: {},
    groups: [],
    counts: {},
    selection: [],
    anchor: null,
    cursor: 0,
    error: null,
  };
}

interface SessionLoader {
  loadPage(page: number, generation: number): Promise<void>;
  /** Reads the subagents of an expanded session (again, after a refresh); drops the expansion if the session moved. */
  loadExpansion(parent: string, generation: number): Promise<void>;
  /** Starts a new generation with `patch` applied and loads its first page. */
  restart(patch: Partial<SessionsData>): void;
  /** The centre of the last requested range, to decide which pages to drop. */
  setFocusPage(page: number): void;
}

/** The paging side of the slice: page and subagent loads, answers of older generations dropped. */
function createSessionLoader(set: SetStore, get: GetStore, api: StoreDeps['api']): SessionLoader {
  /** Page loads in flight, by `${generation}:${page}`. */
  const inFlight = new Set<string>();
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
      evictPages(pages, focusPage);
      const { total, columns, groups, projects, counts } = result;
      set({ sessions: { ...current, pages, total, columns, groups, projects, counts, error: null } });
    } catch (error) {
      const current = get().sessions;
      if (current.generation === generation) set({ sessions: { ...current, error: errorMessage(error) } });
    } finally {
      inFlight.delete(id);
    }
  }

  async function loadExpansion(parent: string, generation: number): Promise<void> {
    const { sort } = get().sessions;
    try {
      const result = await api.call('sessions/list', { parent, sort, offset: 0, limit: 500 });
      const current = get().sessions;
      if (current.generation !== generation) return;
      const expansions = current.expansions
        .filter((e) => e.parent !== parent || [parent, undefined].includes(sessionAt(current, e.at)?.sessionKey))
        .map((e) => (e.parent === parent ? { ...e, rows: result.rows } : e));
      set({ sessions: { ...current, expansions } });
    } catch (error) {
      const current = get().sessions;
      if (current.generation === generation)
        set({ sessions: { ...current, expansions: current.expansions.filter((e) => e.parent !== parent), error: errorMessage(error) } });
    }
  }

  function restart(patch: Partial<SessionsData>): void {
    const current = get().sessions;
    const generation = current.generation + 1;
    set({ sessions: { ...current, ...patch, generation, total: null, pages: {}, expansions: [], selection: [], anchor: null, cursor: 0, error: null } });
    focusPage = 0;
    void loadPage(0, generation);
  }

  return {
    loadPage,
    loadExpansion,
    restart,
    setFocusPage: (page) => {
      focusPage = page;
    },
  };
}

/** The keys of the loaded rows between visible indexes `start` and `index`, added to the selection. */
function rangeSelection(data: SessionsData, start: number, index: number): string[] {
  const from = Math.min(start, index);
  const to = Math.max(start, index);
  const keys = new Set(data.selection);
  // Only loaded rows can join a range (the list is never loaded whole); ranges are as long as the screen.
  for (let i = from; i <= to; i++) {
    const r = visibleAt(data, i).row;
    if (r) keys.add(r.sessionKey);
  }
  return [...keys];
}

type SelectionActions = Pick<SessionsSliceState, 'selectSession' | 'setSessionSelection' | 'setSessionCursor'>;

function createSelectionActions(set: SetStore, get: GetStore): SelectionActions {
  return {
    selectSession(index, mode) {
      const data = get().sessions;
      const row = visibleAt(data, index).row;
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
        selection = rangeSelection(data, anchor ?? data.cursor, index);
      }
      set({ sessions: { ...data, selection, anchor, cursor: index } });
    },

    setSessionSelection(keys) {
      set({ sessions: { ...get().sessions, selection: [...new Set(keys)] } });
    },

    setSessionCursor(index) {
      const data = get().sessions;
      const max = Math.max(0, visibleCount(data) - 1);
      const cursor = Math.max(0, Math.min(max, index));
      // Moving without shift also moves the anchor: the next shift-move selects from here (as in list boxes).
      set({ sessions: { ...data, cursor, anchor: cursor } });
    },
  };
}

export const createSessionsSlice: SliceCreator<SessionsSliceState> = (set, get, { api, storage }) => {
  const { loadPage, loadExpansion, restart, setFocusPage } = createSessionLoader(set, get, api);

  return {
    sessions: initialSessions(storage),

    setSessionFilter(patch) {
      restart({ filter: { ...get().sessions.filter, ...patch } });
    },

    setSessionSort(sort) {
      restart({ sort });
    },

    ensureSessionRows(start, end) {
      const data = get().sessions;
      const { generation, pages, total } = data;
      // Visible indexes to session indexes: the subagent rows shown in between are not paged.
      const first = Math.max(0, visibleAt(data, Math.max(0, start)).top);
      const last = total === null ? end : Math.min(visibleAt(data, end).top, total - 1);
      setFocusPage(Math.floor((first + Math.max(first, last)) / 2 / SESSION_PAGE_SIZE));
      for (let page = Math.floor(first / SESSION_PAGE_SIZE); page <= Math.floor(Math.max(first, last) / SESSION_PAGE_SIZE); page++) {
        if (!pages[page]) void loadPage(page, generation);
      }
    },

    async refreshSessions() {
      const { generation, pages, expansions } = get().sessions;
      const loaded = Object.keys(pages).map(Number);
      await Promise.all([
        ...(loaded.length > 0 ? loaded : [0]).map((page) => loadPage(page, generation)),
        ...expansions.map((e) => loadExpansion(e.parent, generation)),
      ]);
    },

    ...createSelectionActions(set, get),

    async toggleSubagents(index) {
      const data = get().sessions;
      const { row, depth, top } = visibleAt(data, index);
      if (!row || depth !== 0 || row.subagents === 0) return;
      if (data.expansions.some((e) => e.parent === row.sessionKey)) {
        set({ sessions: { ...data, expansions: data.expansions.filter((e) => e.parent !== row.sessionKey) } });
        return;
      }
      const expansions = [...data.expansions, { parent: row.sessionKey, at: top, rows: null }].sort((a, b) => a.at - b.at);
      set({ sessions: { ...data, expansions } });
      await loadExpansion(row.sessionKey, data.generation);
    },

    setShownColumns(columns) {
      storage.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(columns));
      set({ sessions: { ...get().sessions, shownColumns: [...columns] } });
    },
  };
};
