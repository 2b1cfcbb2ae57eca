// The open session: its per-processor detail and a readable transcript, read in pages.
import type { SessionDetail, TranscriptEntry } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

/** Transcript entries per 'sessions/transcript' call. */
export const TRANSCRIPT_PAGE = 300;

export interface DetailData {
  key: string | null;
  data: SessionDetail | null;
  entries: TranscriptEntry[];
  nextLine: number | null;
  malformedLines: number;
  loadingTranscript: boolean;
  error: string | null;
}

export interface DetailSliceState {
  detail: DetailData;
  openSession(sessionKey: string): Promise<void>;
  closeSession(): void;
  refreshDetail(): Promise<void>;
  loadMoreTranscript(): Promise<void>;
}

const EMPTY: DetailData = { key: null, data: null, entries: [], nextLine: null, malformedLines: 0, loadingTranscript: false, error: null };

export const createDetailSlice: SliceCreator<DetailSliceState> = (set, get, { api }) => {
  async function loadTranscript(sessionKey: string, fromLine: number | undefined): Promise<void> {
    set({ detail: { ...get().detail, loadingTranscript: true } });
    try {
      const page = await api.call('sessions/transcript', { sessionKey, ...(fromLine ? { fromLine } : {}), limit: TRANSCRIPT_PAGE });
      const current = get().detail;
      if (current.key !== sessionKey) return;
      set({
        detail: {
          ...current,
          entries: fromLine ? [...current.entries, ...page.entries] : page.entries,
          nextLine: page.nextLine,
          malformedLines: current.malformedLines + page.malformedLines,
          loadingTranscript: false,
        },
      });
    } catch (error) {
      const current = get().detail;
      if (current.key === sessionKey) set({ detail: { ...current, loadingTranscript: false, error: errorMessage(error) } });
    }
  }

  async function loadDetail(sessionKey: string): Promise<void> {
    try {
      const data = await api.call('sessions/get', { sessionKey });
      if (get().detail.key === sessionKey) set({ detail: { ...get().detail, data, error: null } });
    } catch (error) {
      if (get().detail.key === sessionKey) set({ detail: { ...get().detail, error: errorMessage(error) } });
    }
  }

  return {
    detail: EMPTY,

    async openSession(sessionKey) {
      set({ detail: { ...EMPTY, key: sessionKey } });
      await Promise.all([loadDetail(sessionKey), loadTranscript(sessionKey, undefined)]);
    },

    closeSession() {
      set({ detail: EMPTY });
    },

    async refreshDetail() {
      const { key } = get().detail;
      if (key) await loadDetail(key);
    },

    async loadMoreTranscript() {
      const { key, nextLine, loadingTranscript } = get().detail;
      if (key && nextLine !== null && !loadingTranscript) await loadTranscript(key, nextLine);
    },
  };
};
