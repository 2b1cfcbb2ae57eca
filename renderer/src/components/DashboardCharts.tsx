// Charts from the built-in processors' data, shown when those processors are present.
import { useMemo } from 'react';
import { fillDays } from '../lib/days.js';
import { useApp } from '../StoreContext.js';
import { Chart, pivot } from './Chart.js';

export function DashboardCharts() {
  const dashboard = useApp((s) => s.runs.dashboard);
  const charts = useMemo(() => {
    if (!dashboard) return null;
    const t = dashboard.tokensByDay;
    const tokenDays = fillDays(t.map((r) => r.day));
    const at = new Map(tokenDays.map((d, i) => [d, i]));
    const sum = (pick: (r: (typeof t)[number]) => number) => {
      const values = tokenDays.map(() => 0);
      for (const r of t) {
        const i = at.get(r.day);
        if (i !== undefined) values[i] += pick(r);
      }
      return values;
    };
    return {
      tools: pivot(dashboard.toolsByDay, (r) => r.day, (r) => r.tool, (r) => r.calls),
      toolErrors: pivot(dashboard.toolsByDay, (r) => r.day, (r) => r.tool, (r) => r.errors),
      tokens: {
        days: tokenDays,
        series: [
          { label: 'input', values: sum((r) => r.inputTokens) },
          { label: 'output', values: sum((r) => r.outputTokens) },
          { label: 'cache creation', values: sum((r) => r.cacheCreationTokens) },
          { label: 'cache read', values: sum((r) => r.cacheReadTokens) },
        ],
      },
      tokensByModel: pivot(t, (r) => r.day, (r) => r.model, (r) => r.inputTokens + r.outputTokens + r.cacheCreationTokens + r.cacheReadTokens),
      cost: pivot(t.filter((r) => r.costUsd !== null), (r) => r.day, (r) => r.model, (r) => r.costUsd ?? 0),
    };
  }, [dashboard]);

  if (!dashboard || !charts) return null;
  if (!dashboard.usage && !dashboard.tokens) return <p className="muted">Dashboard charts appear once the built-in usage and tokens processors have data.</p>;
  return (
    <div className="dashboard">
      {dashboard.usage && (
        <>
          <h3>Tool usage</h3>
          <Chart title="Tool calls per day" days={charts.tools.days} series={charts.tools.series} />
          <Chart title="Tool errors per day" days={charts.toolErrors.days} series={charts.toolErrors.series} />
        </>
      )}
      {dashboard.tokens && (
        <>
          <h3>Tokens and cost</h3>
          <Chart title="Tokens per day" days={charts.tokens.days} series={charts.tokens.series} />
          <Chart title="Tokens per day by model" days={charts.tokensByModel.days} series={charts.tokensByModel.series} />
          <Chart title="Cost per day by model (USD)" days={charts.cost.days} series={charts.cost.series} />
        </>
      )}
    </div>
  );
}
