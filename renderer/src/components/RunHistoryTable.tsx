import type { RunStatsJson } from '../../../main/api/contract.js';
import { formatBytes, formatDuration, formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

export function RunHistoryTable() {
  const history = useApp((s) => s.runs.history);
  if (history.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table" aria-label="Run history">
        <thead>
          <tr>
            <th>Started</th>
            <th>Processor</th>
            <th>Trigger</th>
            <th>Duration</th>
            <th>Scanned</th>
            <th>Processed</th>
            <th>Skipped</th>
            <th>Errors</th>
            <th>Quarantined</th>
            <th>Items</th>
            <th>Read</th>
            <th>Note</th>
          </tr>
        </thead>
        <tbody>
          {history.map((r) => {
            const s = r.stats;
            return (
              <tr key={r.runId} data-processor={r.processor}>
                <td>{formatTime(r.startedAt)}</td>
                <td>{r.processor}</td>
                <td>{r.trigger}</td>
                <td>{r.finishedAt ? formatDuration(s?.duration_ms ?? Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : 'running'}</td>
                <td>{s?.scanned ?? '–'}</td>
                <td>{s?.processed ?? '–'}</td>
                <td>{s?.skipped ?? '–'}</td>
                <td className={s && s.errors > 0 ? 'error-text' : ''} title={s?.errors_detail.map((e) => `${e.session}: ${e.error}`).join('\n')}>
                  {s?.errors ?? '–'}
                </td>
                <td>{s?.quarantined ?? '–'}</td>
                <td>{s?.items_extracted ?? '–'}</td>
                <td>{s ? formatBytes(s.bytes_read) : '–'}</td>
                <td className="muted">{s ? note(s) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** What else a run's stats say: its error, a cancel, sessions left for later or to other runners (team store). */
function note(s: RunStatsJson): string {
  if (s.error) return s.error;
  const parts: string[] = [];
  if (s.cancelled) parts.push('cancelled');
  if (s.capped > 0) parts.push(`${s.capped} left for the next run`);
  if ((s.elsewhere ?? 0) > 0) parts.push(`${s.elsewhere} done by other runners`);
  return parts.join('; ');
}
