// Runs: what is running, the processors, the run history with each run's stats, and charts.
import { useEffect, useMemo } from 'react';
import { ActiveRuns } from '../components/ActiveRuns.js';
import { Chart, type ChartSeries } from '../components/Chart.js';
import { DashboardCharts } from '../components/DashboardCharts.js';
import { ProcessorsTable } from '../components/ProcessorsTable.js';
import { RunHistoryTable } from '../components/RunHistoryTable.js';
import { fillDays } from '../lib/days.js';
import { useApp } from '../StoreContext.js';

export function RunsView() {
  const timeline = useApp((s) => s.runs.timeline);
  const error = useApp((s) => s.runs.error);
  const loadRunHistory = useApp((s) => s.loadRunHistory);
  const loadDashboard = useApp((s) => s.loadDashboard);
  const loadActiveRuns = useApp((s) => s.loadActiveRuns);
  const startRun = useApp((s) => s.startRun);
  const processors = useApp((s) => s.runs.processors);
  const historyProcessor = useApp((s) => s.runs.historyProcessor);
  const setHistoryProcessor = useApp((s) => s.setRunHistoryProcessor);

  useEffect(() => {
    void loadRunHistory();
    void loadDashboard();
    void loadActiveRuns();
  }, [loadRunHistory, loadDashboard, loadActiveRuns]);

  const chart = useMemo(() => {
    const days = fillDays(timeline.map((p) => p.day));
    const at = new Map(days.map((d, i) => [d, i]));
    const processed = days.map(() => 0);
    const errors = days.map(() => 0);
    for (const p of timeline) {
      const i = at.get(p.day);
      if (i === undefined) continue;
      processed[i] += p.processed;
      errors[i] += p.errors;
    }
    const series: ChartSeries[] = [
      { label: 'sessions processed', values: processed },
      { label: 'errors', values: errors },
    ];
    return { days, series };
  }, [timeline]);

  return (
    <section className="runs-view" aria-labelledby="runs-title">
      <div className="row">
        <h2 id="runs-title">Runs</h2>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => void startRun({})}>
          Run all processors now
        </button>
        <button type="button" onClick={() => void startRun({ failedOnly: true })}>
          Rerun all failed
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <ActiveRuns />
      <ProcessorsTable />
      <h3>Sessions processed and errors per day</h3>
      <Chart title="Sessions processed and errors" days={chart.days} series={chart.series} bars />
      <DashboardCharts />
      <div className="row">
        {/* Focused by the health badge's "Runs of …" link (tabIndex -1: reachable by script, not by Tab). */}
        <h3 id="run-history-title" tabIndex={-1}>
          Run history
        </h3>
        <select aria-label="Run history of" value={historyProcessor} onChange={(e) => setHistoryProcessor(e.target.value)}>
          <option value="">All processors</option>
          {/* A processor no longer loaded keeps its runs: the one chosen stays selectable. */}
          {[...new Set([...processors.map((p) => p.name), ...(historyProcessor ? [historyProcessor] : [])])].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <RunHistoryTable />
    </section>
  );
}
