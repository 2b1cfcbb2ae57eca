// Usage: tokens and cost per day, week or month by model, in a chosen time zone and project, with the
// current 5-hour block; the same report module as `session-inspector report`.
import { useEffect, useMemo } from 'react';
import { StackedBarChart } from '../components/StackedBarChart.js';
import { UsageBlockCard } from '../components/UsageBlockCard.js';
import { UsageControls } from '../components/UsageControls.js';
import { UsageTable } from '../components/UsageTable.js';
import { formatCount } from '../lib/format.js';
import { compactCount, periodOf, periodRows, usd } from '../lib/usageFormat.js';
import { usageCsv, usageCsvFileName } from '../lib/usageCsv.js';
import { usageSeries } from '../lib/usageSeries.js';
import { useApp } from '../StoreContext.js';

const UNIT = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
const costLegend = (n: number) => usd(n);
// Three significant digits: the ticks of a cheap project's chart are fractions of a cent.
const costAxisFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 });
const costAxis = (n: number) => costAxisFormat.format(n);

/** Saves text as a file through the browser's download (Electron asks where with its save dialog). */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function UsageView() {
  const usage = useApp((s) => s.usage);
  const loadUsage = useApp((s) => s.loadUsage);

  useEffect(() => {
    void loadUsage();
  }, [loadUsage]);

  const rows = useMemo(() => periodRows(usage.report), [usage.report]);
  const periods = useMemo(() => rows.map(periodOf), [rows]);
  const series = useMemo(() => usageSeries(rows), [rows]);
  const unit = UNIT[usage.kind];
  const periodLabel =
    usage.kind === 'daily' ? 'Date' : usage.kind === 'weekly' ? `Week (from ${usage.weekStart[0].toUpperCase()}${usage.weekStart.slice(1)})` : 'Month';
  const report = usage.report;

  return (
    <section className="usage-view" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <UsageControls canExport={rows.length > 0} onExport={() => download(usageCsvFileName(usage.kind, usage.timeZone, usage.project), usageCsv(rows))} />
      {usage.error && (
        <p className="error-text" role="alert" data-testid="usage-error">
          {usage.error}
        </p>
      )}
      <UsageBlockCard block={usage.block} timeZone={usage.timeZone} />
      {report && rows.length === 0 && (
        <p className="muted" data-testid="usage-empty">
          {usage.project
            ? `No usage stored for ${usage.project}.`
            : 'No token usage stored yet: the built-in tokens processor records it when it runs (Runs, then "Run all processors now").'}
        </p>
      )}
      {rows.length > 0 && report && (
        <>
          <div className="usage-charts">
            <StackedBarChart title={`Cost per ${unit} by model (USD)`} periods={periods} series={series.cost} format={costLegend} axisFormat={costAxis} />
            <StackedBarChart title={`Tokens per ${unit} by model`} periods={periods} series={series.tokens} format={formatCount} axisFormat={compactCount} />
          </div>
          {series.unpricedModels.length > 0 && <p className="muted">Not in the cost chart, no price: {series.unpricedModels.join(', ')}.</p>}
          <UsageTable periodLabel={periodLabel} rows={rows} totals={report.totals} />
          <p className="muted" data-testid="usage-notes">
            Days, weeks and months in {usage.timeZone}.
            {report.totals.unpricedMessages > 0 &&
              ` ${formatCount(report.totals.unpricedMessages)} message(s) of models without a price are counted in tokens, not in cost.`}
            {report.meta.undatedMessages > 0 && ` ${formatCount(report.meta.undatedMessages)} message(s) without a usable timestamp are in no period.`}
          </p>
        </>
      )}
    </section>
  );
}
