// Actions on the selection: rerun failed, run now, reset or mark processed (for one processor).
import { useState } from 'react';
import type { SessionTarget } from '../../../main/api/contract.js';
import { formatCount } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

export function SessionBulkBar() {
  const selection = useApp((s) => s.sessions.selection);
  const filter = useApp((s) => s.sessions.filter);
  const total = useApp((s) => s.sessions.total);
  const processors = useApp((s) => s.runs.processors);
  const startRun = useApp((s) => s.startRun);
  const resetState = useApp((s) => s.resetState);
  const markProcessed = useApp((s) => s.markStateProcessed);
  const setSelection = useApp((s) => s.setSessionSelection);
  const notify = useApp((s) => s.notify);
  const [processor, setProcessor] = useState('');
  const [allMatching, setAllMatching] = useState(false);

  const target: SessionTarget = allMatching ? { filter } : { sessions: selection };
  const size = allMatching ? (total ?? 0) : selection.length;
  if (selection.length === 0 && !allMatching) {
    return (
      <div className="bulk-bar muted">
        Click a row to select it (Ctrl/⌘ to add, Shift for a range), Enter to open.{' '}
        <button type="button" className="link-button" onClick={() => setAllMatching(true)}>
          Act on all {formatCount(total)} matching sessions…
        </button>
      </div>
    );
  }
  const chosen = processor || filter.processor || '';
  const runProcessors = chosen ? [chosen] : undefined;
  const runTarget = allMatching ? { filter } : { sessions: selection };

  async function stateEdit(kind: 'reset' | 'mark') {
    if (!chosen) {
      notify('error', 'Choose the processor whose state rows to change.');
      return;
    }
    const changed = kind === 'reset' ? await resetState(chosen, target) : await markProcessed(chosen, target);
    if (changed !== null) notify('info', `${kind === 'reset' ? 'Reset' : 'Marked processed'}: ${changed} state row(s) of ${chosen}.`);
  }

  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected sessions">
      <strong data-testid="selection-size">
        {formatCount(size)} {allMatching ? 'matching' : 'selected'}
      </strong>
      <select aria-label="Processor for bulk actions" value={chosen} onChange={(e) => setProcessor(e.target.value)}>
        <option value="">{allMatching ? 'Choose a processor' : 'All processors'}</option>
        {processors.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => void startRun({ ...runTarget, failedOnly: true, processors: runProcessors })}>
        Rerun failed
      </button>
      <button type="button" onClick={() => void startRun({ ...runTarget, processors: runProcessors })}>
        Run now
      </button>
      <button type="button" onClick={() => void stateEdit('reset')} title="Delete the state rows: the next run processes these sessions again">
        Reset state
      </button>
      <button type="button" onClick={() => void stateEdit('mark')}>
        Mark processed
      </button>
      <button
        type="button"
        onClick={() => {
          setSelection([]);
          setAllMatching(false);
        }}
      >
        Clear
      </button>
    </div>
  );
}
