// Loaded processors: version, cadence, last run; "Run now", "Rerun failed" and cancel per processor.
import { formatCount, formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

export function ProcessorsTable() {
  const processors = useApp((s) => s.runs.processors);
  const active = useApp((s) => s.runs.active);
  const finished = useApp((s) => s.runs.finished);
  const counts = useApp((s) => s.sessions.counts);
  const startRun = useApp((s) => s.startRun);
  const cancel = useApp((s) => s.cancelRun);

  return (
    <table className="table" aria-label="Processors">
      <thead>
        <tr>
          <th>Processor</th>
          <th>Version</th>
          <th>Plugin</th>
          <th>Cadence</th>
          <th>Last run</th>
          <th>Failed</th>
          <th>Last result</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {processors.length === 0 && (
          <tr>
            <td colSpan={8} className="muted">
              No processors are loaded.
            </td>
          </tr>
        )}
        {processors.map((p) => {
          const running = Boolean(active[p.name]) || p.running;
          const failed = (counts[p.name]?.failed ?? 0) + (counts[p.name]?.quarantined ?? 0);
          const last = finished[p.name];
          return (
            <tr key={p.name} data-processor={p.name}>
              <td>
                <strong>{p.name}</strong>
                {p.view && <div className="muted">view {p.view}</div>}
              </td>
              <td>{p.version}</td>
              <td className="muted">{p.plugin}</td>
              <td>every {p.cadenceMinutes} min</td>
              <td>{formatTime(p.lastRunAt)}</td>
              <td className={failed > 0 ? 'error-text' : ''}>{formatCount(failed)}</td>
              <td className="muted">{last ? `${last.processed} processed, ${last.errors} errors${last.cancelled ? ', cancelled' : ''}` : ''}</td>
              <td className="actions">
                {running ? (
                  <button type="button" onClick={() => void cancel(p.name)}>
                    Cancel
                  </button>
                ) : (
                  <>
                    <button type="button" onClick={() => void startRun({ processors: [p.name] })}>
                      Run now
                    </button>
                    <button type="button" onClick={() => void startRun({ processors: [p.name], failedOnly: true })}>
                      Rerun failed
                    </button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
