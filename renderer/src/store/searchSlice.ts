// The search box of every page: results as the user types (debounced), asked again while the index is still
// catching up with the folder; a hit opens its session's transcript at its line with the match marked.
import type { SearchHit, SearchResult } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

/** Wait after the last key before asking (ms). */
export const SEARCH_DEBOUNCE_MS = 250;
/** While the index catches up, the same search is asked again this often (ms). */
const CATCH_UP_POLL_MS = 1_000;
/** Hits per page. */
const SEARCH_PAGE = 50;

export interface SearchState {
  text: string;
  regex: boolean;
  result: SearchResult | null;
  loading: boolean;
  error: string | null;
}

export interface SearchSliceState {
  search: SearchState;
  /** Sets the text (or the regex toggle) and asks once typing pauses. */
  setSearch(change: { text?: string; regex?: boolean }): void;
  clearSearch(): void;
  openSearchHit(hit: SearchHit): Promise<void>;
}

const EMPTY: SearchState = { text: '', regex: false, result: null, loading: false, error: null };

export const createSearchSlice: SliceCreator<SearchSliceState> = (set, get, { api }) => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to an older text are dropped: only the latest request's answer is shown. */
  let asked = 0;
  const update = (patch: Partial<SearchState>) => set({ search: { ...get().search, ...patch } });

  async function ask(): Promise<void> {
    const { text, regex } = get().search;
    if (text.trim() === '') return update({ result: null, loading: false, error: null });
    const request = ++asked;
    update({ loading: true });
    try {
      const result = await api.call('search/query', { text, ...(regex ? { regex } : {}), limit: SEARCH_PAGE });
      if (request !== asked) return;
      update({ result, loading: false, error: null });
      if (result.index.updating) schedule(CATCH_UP_POLL_MS);
    } catch (error) {
      if (request === asked) update({ loading: false, error: errorMessage(error), result: null });
    }
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void ask(), ms);
  }

  return {
    search: EMPTY,
    setSearch(change) {
      update(change);
      schedule(SEARCH_DEBOUNCE_MS);
    },
    clearSearch() {
      clearTimeout(timer);
      asked++;
      set({ search: EMPTY });
    },
    async openSearchHit(hit) {
      await get().openSession(hit.sessionKey, { line: hit.lineNo, text: hit.match });
    },
  };
};
