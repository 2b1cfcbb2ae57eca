// The open session: its per-processor detail and a readable transcript, read in pages, from the start or
// (opened at a finding) from just before one line, which the transcript view scrolls to and highlights.
import type { SessionDetail, SessionRow, TranscriptEntry } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

/** Transcript entries per 'sessions/transcript' call. */
export const TRANSCRIPT_PAGE = 300;
/**
 * Lines read before the line a session is opened at: enough to show what led to it (the tool call before
 * its failed result) without reading the file from line 1 when the line is far down.
 */
export const CONTEXT_LINES = 10;

export interface DetailData {
  key: string | null;
  data: SessionDetail | null;
  entries: TranscriptEntry[];
  nextLine: number | null;
  malformedLines: number;
  /** The session file is gone: the transcript shown is the archive's copy. */
  sourceDeleted: boolean;
  loadingTranscript: boolean;
  error: string | null;
  /** The line the session was opened at (a finding's), shown highlighted; null when opened from the start. */
  highlightLine: number | null;
  /** The finding it was opened for: a secret's masked span on that line is marked as the one. */
  highlightFinding: string | null;
  /** The text a search found on that line, marked where it appears in the line's entries. */
  highlightText: string | null;
  /** The first line read: lines before it are not shown (1 when the transcript was read from the start). */
  firstLine: number;
  /** The session's subagent transcripts (read when it has any). */
  subagents: SessionRow[];
}

export interface DetailSliceState {
  detail: DetailData;
  /** `at.line`: read from a few lines before that line, and highlight it (and the finding's secret, `at.finding`). */
  openSession(sessionKey: string, at?: { line: number; finding?: string; text?: string }): Promise<void>;
  closeSession(): void;
  refreshDetail(): Promise<void>;
  loadMoreTranscript(): Promise<void>;
  /** Reads the transcript again from line 1 (opened at a line, the lines before were skipped); the highlight stays. */
  readTranscriptFromStart(): Promise<void>;
  /** Reads the detail and the transcript again from where it was read (the file changed: a redaction). */
  reloadSession(): Promise<void>;
}

const EMPTY: DetailData = {
  key: null,
  data: null,
  entries: [],
  nextLine: null,
  malformedLines: 0,
  sourceDeleted: false,
  loadingTranscript: false,
  error: null,
  highlightLine: null,
  highlightFinding: null,
  highlightText: null,
  firstLine: 1,
  subagents: [],
};

export const createDetailSlice: SliceCreator<DetailSliceState> = (set, get, { api }) => {
  /** Reads a page from `fromLine`: appended to what is shown, or replacing it (a fresh read). */
  async function loadTranscript(sessionKey: string, fromLine: number, append: boolean): Promise<void> {
    set({ detail: { ...get().detail, loadingTranscript: true } });
    try {
      const page = await api.call('sessions/transcript', { sessionKey, ...(fromLine > 1 ? { fromLine } : {}), limit: TRANSCRIPT_PAGE });
      const current = get().detail;
      if (current.key !== sessionKey) return;
      set({
        detail: {
          ...current,
          entries: append ? [...current.entries, ...page.entries] : page.entries,
          nextLine: page.nextLine,
          malformedLines: (append ? current.malformedLines : 0) + page.malformedLines,
          sourceDeleted: page.sourceDeleted,
          loadingTranscript: false,
          ...(append ? {} : { firstLine: fromLine }),
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
      const subagents =
        data.session.subagents > 0
          ? (await api.call('sessions/list', { parent: sessionKey, offset: 0, limit: 500, sort: { by: 'started', dir: 'asc' } })).rows
          : [];
      if (get().detail.key === sessionKey) set({ detail: { ...get().detail, data, subagents, error: null } });
    } catch (error) {
      if (get().detail.key === sessionKey) set({ detail: { ...get().detail, error: errorMessage(error) } });
    }
  }

  return {
    detail: EMPTY,

    async openSession(sessionKey, at) {
      const highlightLine = at ? at.line : null;
      const fromLine = at ? Math.max(1, at.line - CONTEXT_LINES) : 1;
      const highlightText = at?.text || null;
      set({ detail: { ...EMPTY, key: sessionKey, highlightLine, highlightFinding: at?.finding ?? null, highlightText, firstLine: fromLine } });
      await Promise.all([loadDetail(sessionKey), loadTranscript(sessionKey, fromLine, false)]);
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
      if (key && nextLine !== null && !loadingTranscript) await loadTranscript(key, nextLine, true);
    },

    async readTranscriptFromStart() {
      const { key, loadingTranscript } = get().detail;
      if (key && !loadingTranscript) await loadTranscript(key, 1, false);
    },

    async reloadSession() {
      const { key, firstLine } = get().detail;
      if (key) await Promise.all([loadDetail(key), loadTranscript(key, firstLine, false)]);
    },
  };
};
