// Rows of session_processor_state, a page at a time, with per-row and bulk named edits.
import type { SessionTarget, StateRow } from '../../../main/api/contract.js';
import { STATE_PAGE_SIZE, rowId } from '../store/stateTableSlice.js';
import { formatCount, formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';
import { EditableCell } from './EditableCell.js';

/** Selected row ids grouped by processor (each named edit applies to one processor). */
function byProcessor(ids: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const [processor, key] = id.split('\u0000');
    out.set(processor, [...(out.get(processor) ?? []), key]);
  }
  return out;
}

/** Bulk edits of the selection or of the filter, and the page buttons. */
function StateToolbar() {
  const t = useApp((s) => s.stateTable);
  const reset = useApp((s) => s.resetState);
  const mark = useApp((s) => s.markStateProcessed);
  const setOffset = useApp((s) => s.setStateOffset);
  const notify = useApp((s) => s.notify);

  async function bulk(kind: 'reset' | 'mark') {
    let changed = 0;
    for (const [processor, sessions] of byProcessor(t.selection)) {
      const n = kind === 'reset' ? await reset(processor, { sessions }) : await mark(processor, { sessions });
      changed += n ?? 0;
    }
    notify('info', `${kind === 'reset' ? 'Reset' : 'Marked processed'}: ${changed} row(s).`);
  }

  async function bulkFilter() {
    if (!t.processor) {
      notify('error', 'Choose a processor to reset every row matching the filter.');
      return;
    }
    const changed = await reset(t.processor, { filter: { processor: t.processor, ...(t.text.trim() ? { text: t.text.trim() } : {}) } });
    if (changed !== null) notify('info', `Reset ${changed} row(s) of ${t.processor}.`);
  }

  return (
    <div className="row" role="toolbar" aria-label="State rows">
      <span className="muted">{formatCount(t.total)} rows</span>
      <button type="button" disabled={t.selection.length === 0} onClick={() => void bulk('reset')}>
        Reset selected ({t.selection.length})
      </button>
      <button type="button" disabled={t.selection.length === 0} onClick={() => void bulk('mark')}>
        Mark selected processed
      </button>
      <button
        type="button"
        disabled={!t.processor || t.total === 0}
        onClick={() => void bulkFilter()}
        title="Delete every row of this processor matching the filter: those sessions are processed again"
      >
        Reset all {formatCount(t.total)} matching
      </button>
      <span className="spacer" />
      <button type="button" disabled={t.offset === 0} onClick={() => setOffset(t.offset - STATE_PAGE_SIZE)}>
        Previous
      </button>
      <span className="muted">
        {t.total === 0 ? 0 : t.offset + 1}–{Math.min(t.total, t.offset + STATE_PAGE_SIZE)}
      </span>
      <button type="button" disabled={t.offset + STATE_PAGE_SIZE >= t.total} onClick={() => setOffset(t.offset + STATE_PAGE_SIZE)}>
        Next
      </button>
    </div>
  );
}

/** One state row: its selection box, its editable cells and its own named edits. */
function StateTableRow({ row, selected }: { row: StateRow; selected: boolean }) {
  const update = useApp((s) => s.updateStateRow);
  const reset = useApp((s) => s.resetState);
  const mark = useApp((s) => s.markStateProcessed);
  const toggle = useApp((s) => s.toggleStateRow);
  const one: SessionTarget = { sessions: [row.sessionKey] };

  return (
    <tr data-session={row.sessionKey} data-processor={row.processor}>
      <td>
        <input type="checkbox" aria-label={`Select ${row.processor} ${row.sessionKey}`} checked={selected} onChange={() => toggle(row)} />
      </td>
      <td>{row.processor}</td>
      <td className="col-key" title={row.sessionKey}>
        {row.sessionKey}
      </td>
      <td className="num" data-col="items">
        <EditableCell
          label={`items extracted of ${row.sessionKey}`}
          display={String(row.itemsExtracted)}
          initial={String(row.itemsExtracted)}
          source={row}
          onSave={(text, from) => update(from, { itemsExtracted: text })}
        />
      </td>
      <td data-col="processedAt">
        <EditableCell
          label={`processed at of ${row.sessionKey}`}
          display={formatTime(row.processedAt)}
          initial={row.processedAt ?? ''}
          source={row}
          onSave={(text, from) => update(from, { processedAt: text })}
        />
      </td>
      <td>{row.processorVersion ?? '–'}</td>
      <td>
        <code className="hash" title={row.fileHash ?? ''}>
          {row.fileHash?.slice(0, 8) ?? '–'}
        </code>
      </td>
      <td className="actions">
        <button type="button" onClick={() => void reset(row.processor, one)} title="Delete this row: the session is processed again">
          Reset
        </button>
        <button type="button" onClick={() => void mark(row.processor, one)}>
          Mark processed
        </button>
      </td>
    </tr>
  );
}

export function StateTable() {
  const t = useApp((s) => s.stateTable);
  const setSelection = useApp((s) => s.setStateSelection);
  const allOnPage = t.rows.length > 0 && t.rows.every((r) => t.selection.includes(rowId(r)));

  return (
    <div className="state-table">
      {t.error && (
        <p className="error-text" role="alert">
          {t.error}
        </p>
      )}
      <StateToolbar />
      <div className="table-scroll">
        <table className="table" aria-label="Processor state">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all rows on this page"
                  checked={allOnPage}
                  onChange={() => setSelection(allOnPage ? [] : t.rows.map(rowId))}
                />
              </th>
              <th>Processor</th>
              <th>Session</th>
              <th>Items extracted</th>
              <th>Processed at</th>
              <th>Version</th>
              <th>Hash</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {t.rows.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No state rows.
                </td>
              </tr>
            )}
            {t.rows.map((row) => (
              <StateTableRow key={rowId(row)} row={row} selected={t.selection.includes(rowId(row))} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
