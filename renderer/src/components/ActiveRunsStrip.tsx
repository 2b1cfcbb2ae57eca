// The header's summary of runs in progress (details and cancel buttons are in ActiveRuns).
import { useApp, useAppShallow } from '../StoreContext.js';

export function ActiveRunsStrip() {
  const runs = useAppShallow((s) => Object.values(s.runs.active));
  const setView = useApp((s) => s.setView);
  if (runs.length === 0) return null;
  const done = runs.reduce((n, r) => n + r.done, 0);
  const total = runs.reduce((n, r) => n + r.total, 0);
  return (
    <button type="button" className="link-button running-strip" onClick={() => setView('runs')} aria-label="Runs in progress">
      <span className="spinner" aria-hidden="true" /> {runs.length === 1 ? runs[0].processor : `${runs.length} runs`}: {done}/{total}
    </button>
  );
}
