// The session_processor_state editor: paged rows, named edits (reset, mark processed, update), the audit
// history and undo. Every change goes through a named API operation; main validates and audits it.
import type { AuditEntry, SessionTarget, StateRow } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import { checkItemsExtracted, checkProcessedAt } from '../lib/validateStateEdit.js';
import type { GetStore, SliceCreator, StoreDeps } from './types.js';

export const STATE_PAGE_SIZE = 100;
export const AUDIT_LIMIT = 100;

export interface StateTableData {
  processor: string;
  text: string;
  offset: number;
  total: number;
  rows: StateRow[];
  /** Selected rows as `processor\u0000sessionKey`. */
  selection: string[];
  history: AuditEntry[];
  error: string | null;
}

export interface StateEdit {
  itemsExtracted?: string;
  processedAt?: string;
}

export interface StateTableSliceState {
  stateTable: StateTableData;
  loadStateRows(): Promise<void>;
  setStateFilter(patch: { processor?: string; text?: string }): void;
  setStateOffset(offset: number): void;
  toggleStateRow(row: StateRow): void;
  setStateSelection(ids: string[]): void;
  /** Validates, then asks main; returns null when saved, else the reason (nothing was written). */
  updateStateRow(row: StateRow, edit: StateEdit): Promise<string | null>;
  resetState(processor: string, target: SessionTarget): Promise<number | null>;
  markStateProcessed(processor: string, target: SessionTarget): Promise<number | null>;
  loadAuditHistory(): Promise<void>;
  undoAudit(auditId: number): Promise<void>;
}

export const rowId = (row: Pick<StateRow, 'processor' | 'sessionKey'>) => `${row.processor}\u0000${row.sessionKey}`;

/** The validated changes of an edit, or why it cannot be saved. */
function checkStateEdit(edit: StateEdit): { itemsExtracted?: number; processedAt?: string } | string {
  const changes: { itemsExtracted?: number; processedAt?: string } = {};
  if (edit.itemsExtracted !== undefined) {
    const checked = checkItemsExtracted(edit.itemsExtracted);
    if (!checked.ok) return checked.reason;
    changes.itemsExtracted = checked.value;
  }
  if (edit.processedAt !== undefined) {
    const checked = checkProcessedAt(edit.processedAt);
    if (!checked.ok) return checked.reason;
    changes.processedAt = checked.value;
  }
  if (Object.keys(changes).length === 0) return 'nothing changed';
  return changes;
}

type StateEditActions = Pick<StateTableSliceState, 'updateStateRow' | 'resetState' | 'markStateProcessed' | 'undoAudit'>;

/** The named edits: each reloads the rows and the audit history once main has applied it. */
function createStateEditActions(get: GetStore, api: StoreDeps['api'], patch: (p: Partial<StateTableData>) => void): StateEditActions {
  async function afterChange(): Promise<void> {
    await Promise.all([get().loadStateRows(), get().loadAuditHistory()]);
  }

  /** A named bulk edit on a selection or a filter: the number of rows changed, or null (the error is shown). */
  async function bulkEdit(method: 'state/reset' | 'state/markProcessed', processor: string, target: SessionTarget): Promise<number | null> {
    try {
      const { changed } = await api.call(method, { processor, target });
      patch({ selection: [] });
      await afterChange();
      return changed;
    } catch (error) {
      get().notify('error', errorMessage(error));
      return null;
    }
  }

  return {
    async updateStateRow(row, edit) {
      const changes = checkStateEdit(edit);
      if (typeof changes === 'string') return changes;
      try {
        await api.call('state/update', {
          processor: row.processor,
          sessionKey: row.sessionKey,
          changes,
          expected: { itemsExtracted: row.itemsExtracted, processedAt: row.processedAt },
        });
      } catch (error) {
        void get().loadStateRows(); // A conflict means the row changed: show its current value.
        return errorMessage(error);
      }
      await afterChange();
      return null;
    },

    resetState: (processor, target) => bulkEdit('state/reset', processor, target),

    markStateProcessed: (processor, target) => bulkEdit('state/markProcessed', processor, target),

    async undoAudit(auditId) {
      try {
        await api.call('state/undo', { auditId });
        await afterChange();
      } catch (error) {
        get().notify('error', errorMessage(error));
      }
    },
  };
}

export const createStateTableSlice: SliceCreator<StateTableSliceState> = (set, get, { api }) => {
  const patch = (p: Partial<StateTableData>) => set({ stateTable: { ...get().stateTable, ...p } });
  /** Answers to an older request are dropped (typing in the filter sends one per keystroke). */
  let request = 0;

  return {
    stateTable: { processor: '', text: '', offset: 0, total: 0, rows: [], selection: [], history: [], error: null },

    async loadStateRows() {
      const id = ++request;
      const { processor, text, offset } = get().stateTable;
      try {
        const result = await api.call('state/list', {
          ...(processor ? { processor } : {}),
          ...(text.trim() ? { text: text.trim() } : {}),
          offset,
          limit: STATE_PAGE_SIZE,
        });
        if (id === request) patch({ rows: result.rows, total: result.total, error: null });
      } catch (error) {
        if (id === request) patch({ error: errorMessage(error) });
      }
    },

    setStateFilter(p) {
      patch({ ...p, offset: 0, selection: [] });
      void get().loadStateRows();
    },

    setStateOffset(offset) {
      patch({ offset: Math.max(0, offset) });
      void get().loadStateRows();
    },

    toggleStateRow(row) {
      const id = rowId(row);
      const { selection } = get().stateTable;
      patch({ selection: selection.includes(id) ? selection.filter((s) => s !== id) : [...selection, id] });
    },

    setStateSelection(ids) {
      patch({ selection: ids });
    },

    ...createStateEditActions(get, api, patch),

    async loadAuditHistory() {
      try {
        patch({ history: await api.call('state/history', { limit: AUDIT_LIMIT }) });
      } catch (error) {
        patch({ error: errorMessage(error) });
      }
    },
  };
};
