// The session_processor_state editor with its audit history.
import { useEffect, useState } from 'react';
import { AuditHistory } from '../components/AuditHistory.js';
import { StateTable } from '../components/StateTable.js';
import { useApp } from '../StoreContext.js';

export function StateView() {
  const processor = useApp((s) => s.stateTable.processor);
  const filterText = useApp((s) => s.stateTable.text);
  const processors = useApp((s) => s.runs.processors);
  const setFilter = useApp((s) => s.setStateFilter);
  const loadRows = useApp((s) => s.loadStateRows);
  const loadHistory = useApp((s) => s.loadAuditHistory);
  const [text, setText] = useState(filterText);

  useEffect(() => {
    void loadRows();
    void loadHistory();
  }, [loadRows, loadHistory]);
  useEffect(() => {
    if (text === filterText) return;
    const t = setTimeout(() => setFilter({ text }), 250);
    return () => clearTimeout(t);
  }, [text, filterText, setFilter]);

  return (
    <section className="state-view" aria-labelledby="state-title">
      <div className="row">
        <h2 id="state-title">State table</h2>
        <select aria-label="State processor" value={processor} onChange={(e) => setFilter({ processor: e.target.value })}>
          <option value="">All processors</option>
          {processors.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Filter state rows by session"
          placeholder="Filter by session path…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
      </div>
      <div className="split">
        <StateTable />
        <AuditHistory />
      </div>
    </section>
  );
}
