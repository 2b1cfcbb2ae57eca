// Settings' scheduler section: whether this app runs processors in the background, each processor's
// cadence as the health rules judge it, and where a cadence is set. The health badge's "overdue" links here.
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

export function SchedulerSettings() {
  const shared = useApp((s) => s.info?.stateStore.shared ?? false);
  const processors = useApp((s) => s.runs.processors);
  const report = useApp((s) => s.health.report);
  const error = useApp((s) => s.health.error);
  // Main gives a next run time only while its scheduler runs (not with --no-schedule, nor on a team store).
  const scheduled = new Map(processors.map((p) => [p.name, p.nextRunAt]));
  const background = processors.some((p) => p.nextRunAt !== null);

  let summary: string;
  if (shared) summary = 'On a team store this app runs processors only on request: the runners (session-inspector watch, or cron) run them on their cadence.';
  else if (background) summary = 'This app runs each processor in the background on its cadence, and when sessions change, while it is open.';
  else
    summary =
      'Background runs are off in this app (started with --no-schedule, or the session folder cannot be read): ' +
      'run processors from Runs, or keep session-inspector watch or a cron job running.';

  return (
    <>
      <h3 id="scheduler-title" tabIndex={-1}>
        Scheduler
      </h3>
      <p>{summary}</p>
      {error && (
        <p className="error-text" role="alert">
          Cannot read the health report: {error}
        </p>
      )}
      {report && report.processors.length > 0 && (
        <table className="table" aria-label="Processor cadences">
          <thead>
            <tr>
              <th>Processor</th>
              <th>Cadence</th>
              <th>Last run started</th>
              <th>Due</th>
              <th>Next background run</th>
              <th>Health</th>
            </tr>
          </thead>
          <tbody>
            {report.processors.map((p) => {
              const next = scheduled.get(p.processor) ?? null;
              return (
                <tr key={p.processor} data-processor={p.processor}>
                  <td>{p.processor}</td>
                  <td>every {p.cadence_minutes.toLocaleString('en-US')} min</td>
                  <td>{p.last_run_started_at ? formatTime(p.last_run_started_at) : 'never'}</td>
                  <td>{formatTime(p.next_due_at)}</td>
                  <td>{next ? formatTime(next) : 'none'}</td>
                  <td className={p.healthy ? '' : 'warn-text'}>{p.healthy ? 'healthy' : problemsOf(p)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="muted">
        A processor's cadence is <code>SESSION_INSPECTOR_CADENCE_&lt;NAME&gt;</code> (in minutes) in the environment of the process that runs it, else its entry
        in <code>schedule.json</code> in the per-user data folder, else its own. It is overdue once its latest run started more than two cadences ago (
        <code>status --check --grace-factor</code> changes that for the CLI).
      </p>
    </>
  );
}

function problemsOf(p: { overdue: boolean; failing: boolean; stuck: boolean; quarantined: number }): string {
  const words: string[] = [];
  if (p.overdue) words.push('overdue');
  if (p.failing) words.push('failing');
  if (p.stuck) words.push('stuck');
  if (p.quarantined > 0) words.push(`${p.quarantined.toLocaleString('en-US')} quarantined`);
  return words.join(', ');
}
