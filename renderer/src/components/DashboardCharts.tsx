// Tool usage charts from the built-in usage processor's data, shown once it has run. Tokens and cost are
// on the Usage page, from the same report module as the CLI's `report`.
import { useMemo } from 'react';
import { useApp } from '../StoreContext.js';
import { Chart, pivot } from './Chart.js';

export function DashboardCharts() {
  const dashboard = useApp((s) => s.runs.dashboard);
  const setView = useApp((s) => s.setView);
  const charts = useMemo(() => {
    if (!dashboard) return null;
    return {
      tools: pivot(
        dashboard.toolsByDay,
        (r) => r.day,
        (r) => r.tool,
        (r) => r.calls,
      ),
      toolErrors: pivot(
        dashboard.toolsByDay,
        (r) => r.day,
        (r) => r.tool,
        (r) => r.errors,
      ),
    };
  }, [dashboard]);

  if (!dashboard || !charts) return null;
  const toUsage = (
    <p className="muted">
      Tokens and cost are on the{' '}
      <button type="button" className="link-button" onClick={() => setView('usage')}>
        Usage
      </button>{' '}
      page.
    </p>
  );
  if (!dashboard.usage) {
    return (
      <>
        <p className="muted">Tool usage charts appear once the built-in usage processor has data.</p>
        {toUsage}
      </>
    );
  }
  return (
    <div className="dashboard">
      <h3>Tool usage</h3>
      <Chart title="Tool calls per day" days={charts.tools.days} series={charts.tools.series} />
      <Chart title="Tool errors per day" days={charts.toolErrors.days} series={charts.toolErrors.series} />
      {toUsage}
    </div>
  );
}
