// Stacked bars per period (a day, a week or a month) with uPlot. uPlot has no stacking of its own: each
// series is drawn as the running sum up to it, the top of the stack first, so every bar shows through only
// above the one below it; the legend and the cursor show each series' own value, not the running sum.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { periodSeconds, type ModelSeries } from '../lib/usageSeries.js';
import { useApp } from '../StoreContext.js';

const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6', '--series-7', '--series-8'];
/** Room for one x label ("2025-09-07") in CSS pixels: labels closer than this are skipped. */
const LABEL_PX = 84;
const DAY_S = 86_400;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

interface Props {
  title: string;
  /** Period names as the report gives them, oldest first: x positions and labels. */
  periods: string[];
  /** Bottom of the stack first. */
  series: ModelSeries[];
  /** A value in the legend (own value of a series). */
  format: (n: number) => string;
  /** A value on the y axis. */
  axisFormat: (n: number) => string;
  height?: number;
}

export function StackedBarChart({ title, periods, series, format, axisFormat, height = 240 }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  // Colours are read from the theme's CSS variables when the chart is built: build again when it changes.
  const theme = useApp((s) => s.theme);

  useEffect(() => {
    const el = ref.current;
    if (!el || periods.length === 0 || series.length === 0) return;
    const xs = periods.map(periodSeconds);
    const labels = new Map(xs.map((x, i) => [x, periods[i]]));
    let running = xs.map(() => 0);
    const sums = series.map((s) => (running = running.map((v, i) => v + s.values[i])));
    // Half the closest spacing of two periods (at least half a day) either side, so edge bars are whole.
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    const pad = (gaps.length ? Math.min(...gaps) : DAY_S) / 2;
    const grid = cssVar('--grid', 'rgba(128,128,128,0.2)');
    const axis = { stroke: cssVar('--muted', '#888'), grid: { stroke: grid }, ticks: { stroke: grid } };
    const top = series.map((_, i) => i).reverse();
    const opts: uPlot.Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      // Charts of one page share a cursor: pointing at a period in one shows its values in both legends.
      cursor: { sync: { key: 'usage-periods' } },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - pad, max + pad] },
        // Bars stand on zero (uPlot would start the axis near the smallest bar).
        y: { range: (_u, _min, max) => uPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true) },
      },
      axes: [
        {
          ...axis,
          // Ticks on the periods themselves, labelled as the table names them; crowded ones are skipped.
          splits: (u) => {
            let last = -Infinity;
            return xs.filter((x) => {
              const at = u.valToPos(x, 'x');
              if (at - last < LABEL_PX) return false;
              last = at;
              return true;
            });
          },
          values: (_u, splits) => splits.map((x) => labels.get(x) ?? ''),
        },
        { ...axis, size: 60, values: (_u, splits) => splits.map(axisFormat) },
      ],
      series: [
        { label: 'Period', value: (_u, x) => (x === null ? '' : (labels.get(x) ?? '')) },
        ...top.map((i) => {
          const colour = cssVar(PALETTE[series[i].colour % PALETTE.length], '#4a8');
          return {
            label: series[i].label,
            stroke: colour,
            fill: colour,
            width: 0,
            paths: uPlot.paths.bars!({ size: [0.7, 48] }),
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) => (idx === null ? '–' : format(series[i].values[idx])),
          };
        }),
      ],
    };
    const plot = new uPlot(opts, [xs, ...top.map((i) => sums[i])] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [title, periods, series, format, axisFormat, height, theme]);

  if (periods.length === 0 || series.length === 0) return <div className="chart-empty muted">{title}: no data.</div>;
  return <div className="chart" ref={ref} aria-label={title} role="img" />;
}
