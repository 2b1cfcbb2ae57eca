// Every leaked secret and failed tool call across all sessions, newest first: filter, review, open in context.
import { useEffect } from 'react';
import { FindingDetail } from '../components/FindingDetail.js';
import { FindingList } from '../components/FindingList.js';
import { FindingsFilters } from '../components/FindingsFilters.js';
import { useApp } from '../StoreContext.js';

export function FindingsView() {
  const load = useApp((s) => s.loadFindings);
  // Read on opening the page (and after runs and state changes while it is open: store/events.ts).
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="findings-view" aria-labelledby="findings-title">
      <div className="row">
        <h2 id="findings-title">Findings</h2>
        <span className="muted">Leaked secrets and failed tool calls in every session, newest first.</span>
      </div>
      <FindingsFilters />
      <div className="findings-body">
        <FindingList />
        <FindingDetail />
      </div>
    </section>
  );
}
