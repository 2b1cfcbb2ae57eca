// A uPlot chart of daily series (x: days as unix seconds). Recreated when its data changes, resized with
// its container. Colours come from the theme's CSS variables.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { fillDays } from '../lib/days.js';
import { useApp } from '../StoreContext.js';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6', '--series-7', '--series-8'];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function Chart({
  title,
  days,
  series,
  height = 220,
  bars = false,
}: {
  title: string;
  days: string[];
  series: ChartSeries[];
  height?: number;
  bars?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // Colours are read from the theme's CSS variables when the chart is built: build again when it changes
  // (the attribute itself is only set after this render, so reading it here would see the old theme).
  const theme = useApp((s) => s.theme);

  useEffect(() => {
    const el = ref.current;
    if (!el || days.length === 0) return;
    const axis = {
      stroke: cssVar('--muted', '#888'),
      grid: { stroke: cssVar('--grid', 'rgba(128,128,128,0.2)') },
      ticks: { stroke: cssVar('--grid', 'rgba(128,128,128,0.2)') },
    };
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const opts: uPlot.Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      scales: { x: { time: true } },
      axes: [
        // Daily data: ticks on whole days (or weeks, months), labelled MM-DD, never hours.
        {
          ...axis,
          space: 56,
          incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 91 * 86_400],
          values: (_u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10)),
        },
        axis,
      ],
      series: [
        {},
        ...series.map((s, i) => {
          const colour = cssVar(PALETTE[i % PALETTE.length], '#4a8');
          return {
            label: s.label,
            stroke: colour,
            width: 2,
            fill: bars ? colour : undefined,
            paths: bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
            points: { show: days.length < 40 },
          };
        }),
      ],
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [title, days, series, height, bars, theme]);

  if (days.length === 0) return <div className="chart-empty muted">{title}: no data yet.</div>;
  return <div className="chart" ref={ref} aria-label={title} role="img" />;
}

/** Pivots rows of (day, key, value) into aligned series over the sorted days; missing cells are 0. */
export function pivot<T>(
  rows: T[],
  day: (r: T) => string,
  key: (r: T) => string,
  value: (r: T) => number,
  maxSeries = 8,
): { days: string[]; series: ChartSeries[] } {
  const days = fillDays(rows.map(day));
  const index = new Map(days.map((d, i) => [d, i]));
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(key(r), (totals.get(key(r)) ?? 0) + value(r));
  // The largest series by total; the rest are summed into "other" so the legend stays readable.
  const keys = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)!);
  const shown = keys.slice(0, maxSeries - 1);
  const rest = keys.length > maxSeries - 1 ? new Set(keys.slice(maxSeries - 1)) : new Set<string>();
  const series = new Map<string, number[]>(shown.map((k) => [k, days.map(() => 0)]));
  if (rest.size > 0)
    series.set(
      'other',
      days.map(() => 0),
    );
  for (const r of rows) {
    const target = series.get(rest.has(key(r)) ? 'other' : key(r));
    const at = index.get(day(r));
    if (target && at !== undefined) target[at] += value(r);
  }
  return { days, series: [...series].map(([label, values]) => ({ label, values })) };
}
