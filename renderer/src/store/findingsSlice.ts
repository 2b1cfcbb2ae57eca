// The Findings page: every leaked secret and tool error main lists (`findings/list`), filtered here, one of
// them selected for review (`findings/mark`, audited and undoable in main) and opened in its transcript.
import type { Finding, FindingStatus, RedactReport } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import { NO_FINDINGS_FILTER, filterFindings, findingChoices, type FindingCategory, type FindingCounts, type FindingsFilter } from '../lib/findingsFilter.js';
import type { GetStore, SetStore, SliceCreator, StoreDeps } from './types.js';

/**
 * Findings asked for at once: the contract's maximum. Main builds the whole list on every call (ids and
 * reviews are computed there), so asking for less would save only the transfer; past this many, the page
 * says only the newest are listed.
 */
export const FINDINGS_LIMIT = 100_000;

export interface FindingsData {
  /** null until the first answer. */
  items: Finding[] | null;
  /** Main gave FINDINGS_LIMIT findings: there may be older ones not listed. */
  truncated: boolean;
  /** False positives were asked for (`all: true`); otherwise main leaves them out. */
  showFalsePositives: boolean;
  filter: FindingsFilter;
  /** `items` under `filter`, in main's order (newest first). */
  visible: Finding[];
  counts: FindingCounts;
  choices: { projects: string[]; processors: string[]; kinds: Record<FindingCategory, string[]> };
  /** The finding under review (kept by id across reloads and filters while it is still listed). */
  selectedId: string | null;
  /** Its index in `visible`, or -1. */
  cursor: number;
  loading: boolean;
  error: string | null;
  /** The id whose review is being saved. */
  saving: string | null;
}

export interface FindingsSliceState {
  findings: FindingsData;
  loadFindings(): Promise<void>;
  setFindingsFilter(patch: Partial<FindingsFilter>): void;
  setShowFalsePositives(show: boolean): Promise<void>;
  /** Selects the finding at `index` of the visible list (clamped). */
  selectFindingAt(index: number): void;
  /** Stores a review; null when saved, else why not (also shown as a notice). */
  markFinding(id: string, status: FindingStatus, note: string): Promise<string | null>;
  /** Opens the finding's session with its transcript read from just before its line, that line highlighted. */
  openFinding(finding: Finding): Promise<void>;
  /**
   * Redacts secret findings (some by id, or all of some sessions) through `secrets/redact`: a dry run unless
   * `apply`. Applied, the findings and the open session are read again. Null when main refused (noticed).
   */
  redactSecrets(target: { findings: string[] } | { sessions: string[] }, apply: boolean, force: boolean): Promise<RedactReport | null>;
  /** A secret's value for the reveal button, read from its file now; the caller keeps it only while shown. Null when unreadable (noticed). */
  revealSecret(id: string): Promise<string | null>;
}

const EMPTY_COUNTS: FindingCounts = { byKind: {}, byCategory: {}, byStatus: {}, undatedOutside: 0 };

type ReviewActions = Pick<FindingsSliceState, 'markFinding' | 'openFinding' | 'redactSecrets' | 'revealSecret'>;
type FindingsUpdate = (patch: Partial<FindingsData>, fallbackIndex?: number) => void;

/** What is done to one finding or secret: review, open, redact, reveal. `update` is the slice's list updater. */
function createReviewActions(set: SetStore, get: GetStore, api: StoreDeps['api'], update: FindingsUpdate): ReviewActions {
  return {
    async markFinding(id, status, note) {
      set({ findings: { ...get().findings, saving: id } });
      try {
        const trimmed = note.trim();
        const marked = await api.call('findings/mark', { id, status, ...(trimmed ? { note: trimmed } : {}) });
        const data = get().findings;
        const hidden = marked.status === 'false-positive' && !data.showFalsePositives;
        const items = (data.items ?? []).flatMap((f) => (f.id !== id ? [f] : hidden ? [] : [marked]));
        update({ items, saving: null }, data.cursor);
        get().notify(
          'info',
          `${marked.kind} at ${marked.session_file} line ${marked.line_no} marked ${marked.status}` +
            `${hidden ? ' (hidden: "Show false positives" lists it)' : ''}.`,
        );
        return null;
      } catch (error) {
        set({ findings: { ...get().findings, saving: null } });
        const message = errorMessage(error);
        get().notify('error', message);
        return message;
      }
    },

    async openFinding(finding) {
      await get().openSession(finding.session_file, { line: finding.line_no, finding: finding.id });
    },

    async redactSecrets(target, apply, force) {
      try {
        const report = await api.call('secrets/redact', { ...target, apply, ...(force ? { force } : {}) });
        if (report.applied) {
          const redacted = report.rows.filter((r) => r.outcome === 'redacted');
          const refused = report.rows.filter((r) => r.outcome === 'refused').length;
          const why = refused > 0 ? `; ${refused} refused (see why in the dialog)` : '';
          get().notify(refused > 0 ? 'error' : 'info', `Redacted ${redacted.length} secret(s)${why}.`);
          await get().loadFindings();
          const open = get().detail.key;
          if (open && redacted.some((r) => r.session_file === open)) await get().reloadSession();
        }
        return report;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return null;
      }
    },

    async revealSecret(id) {
      try {
        return (await api.call('secrets/reveal', { id })).value;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return null;
      }
    },
  };
}

export const createFindingsSlice: SliceCreator<FindingsSliceState> = (set, get, { api }) => {
  // Loads overlap (a run finished while the false-positive switch was flipped): only the newest answer is shown.
  let latest = 0;

  /** Applies new items or a new filter: the visible list, its counts, and the selection kept where possible. */
  function update(patch: Partial<FindingsData>, fallbackIndex?: number): void {
    const current = { ...get().findings, ...patch };
    const root = get().info?.sessionRoot ?? null;
    const items = current.items ?? [];
    const { visible, counts } = filterFindings(items, current.filter, root);
    const choices = patch.items !== undefined ? findingChoices(items, root) : current.choices;
    let cursor = current.selectedId === null ? -1 : visible.findIndex((f) => f.id === current.selectedId);
    // A finding that left the list (marked a false positive while those are hidden) hands the selection to
    // the one now in its place, so reviewing down the list continues from the keyboard.
    if (cursor === -1 && fallbackIndex !== undefined && visible.length > 0) cursor = Math.min(fallbackIndex, visible.length - 1);
    const selectedId = cursor === -1 ? null : visible[cursor].id;
    set({ findings: { ...current, visible, counts, choices, cursor, selectedId } });
  }

  return {
    findings: {
      items: null,
      truncated: false,
      showFalsePositives: false,
      filter: NO_FINDINGS_FILTER,
      visible: [],
      counts: EMPTY_COUNTS,
      choices: { projects: [], processors: [], kinds: findingChoices([], null).kinds },
      selectedId: null,
      cursor: -1,
      loading: false,
      error: null,
      saving: null,
    },

    async loadFindings() {
      const ticket = ++latest;
      const all = get().findings.showFalsePositives;
      set({ findings: { ...get().findings, loading: true } });
      try {
        const found = await api.call('findings/list', { ...(all ? { all: true } : {}), limit: FINDINGS_LIMIT });
        if (ticket !== latest) return;
        // The contract allows no more than the limit, so a full answer may have been cut short.
        update({ items: found, truncated: found.length >= FINDINGS_LIMIT, loading: false, error: null });
      } catch (error) {
        if (ticket === latest) set({ findings: { ...get().findings, loading: false, error: errorMessage(error) } });
      }
    },

    setFindingsFilter(patch) {
      update({ filter: { ...get().findings.filter, ...patch } });
    },

    async setShowFalsePositives(show) {
      const { filter } = get().findings;
      // Hidden again, a status filter on false positives would show nothing: it goes with them.
      const statuses = show ? filter.statuses : filter.statuses.filter((s) => s !== 'false-positive');
      set({ findings: { ...get().findings, showFalsePositives: show, filter: { ...filter, statuses } } });
      await get().loadFindings();
    },

    selectFindingAt(index) {
      const { visible } = get().findings;
      if (visible.length === 0) return;
      const cursor = Math.max(0, Math.min(visible.length - 1, index));
      set({ findings: { ...get().findings, cursor, selectedId: visible[cursor].id } });
    },

    ...createReviewActions(set, get, api, update),
  };
};
