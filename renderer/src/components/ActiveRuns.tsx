// Runs in progress with live progress from 'run-progress' events: done/total, current session, errors, ETA.
import { formatDuration } from '../lib/format.js';
import { useApp, useAppShallow } from '../StoreContext.js';

export function ActiveRuns({ compact = false }: { compact?: boolean }) {
  const runs = useAppShallow((s) => Object.values(s.runs.active));
  const cancel = useApp((s) => s.cancelRun);
  if (runs.length === 0) return compact ? null : <p className="muted">No run in progress.</p>;
  return (
    <div className="active-runs" aria-label="Runs in progress">
      {runs.map((run) => {
        const pct = run.total > 0 ? Math.min(100, (run.done / run.total) * 100) : 0;
        return (
          <div key={run.processor} className="active-run" data-processor={run.processor} data-testid="active-run">
            <strong>{run.processor}</strong>
            <progress max={Math.max(1, run.total)} value={run.done} aria-label={`${run.processor} progress`} />
            <span className="run-numbers">
              {run.done}/{run.total} ({pct.toFixed(0)}%)
            </span>
            <span className={run.errors > 0 ? 'error-text' : 'muted'}>{run.errors} error(s)</span>
            <span className="muted">ETA {formatDuration(run.etaMs)}</span>
            {!compact && (
              <span className="muted current" title={run.current ?? ''}>
                {run.current ?? ''}
              </span>
            )}
            <button type="button" onClick={() => void cancel(run.processor)}>
              Cancel
            </button>
          </div>
        );
      })}
    </div>
  );
}
