// Chart series from a period report: tokens and cost per model, stacked. Pure.
import type { UsageModelBreakdown, UsagePeriodRow } from '../../../main/api/contract.js';

export interface ModelSeries {
  label: string;
  /** One value per row, in the rows' order. */
  values: number[];
  /** Palette slot: a model keeps its colour in both charts. */
  colour: number;
}

export interface UsageSeries {
  tokens: ModelSeries[];
  cost: ModelSeries[];
  /** Models with no price in any row: in the token chart, not in the cost chart (no bar is drawn as $0). */
  unpricedModels: string[];
}

const tokensOf = (m: UsageModelBreakdown) => m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens;

/**
 * Series per model, the model with the most tokens first (the bottom of the stack). Past `maxSeries - 1`
 * models the rest are summed into "other", so the legend stays readable.
 */
export function usageSeries(rows: UsagePeriodRow[], maxSeries = 8): UsageSeries {
  const tokenTotals = new Map<string, number>();
  const priced = new Set<string>();
  for (const r of rows) {
    for (const m of r.modelBreakdowns) {
      tokenTotals.set(m.modelName, (tokenTotals.get(m.modelName) ?? 0) + tokensOf(m));
      if (m.cost !== null) priced.add(m.modelName);
    }
  }
  const ranked = [...tokenTotals.keys()].sort((a, b) => tokenTotals.get(b)! - tokenTotals.get(a)! || a.localeCompare(b));
  const shown = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const labelOf = (model: string) => (shown.includes(model) ? model : 'other');
  const labels = ranked.length > shown.length ? [...shown, 'other'] : shown;

  const build = (value: (m: UsageModelBreakdown) => number, include: (label: string) => boolean): ModelSeries[] => {
    const series = labels.filter(include).map((label) => ({ label, values: rows.map(() => 0), colour: labels.indexOf(label) }));
    const byLabel = new Map(series.map((s) => [s.label, s]));
    rows.forEach((r, i) => {
      for (const m of r.modelBreakdowns) {
        const s = byLabel.get(labelOf(m.modelName));
        if (s) s.values[i] += value(m);
      }
    });
    return series;
  };
  const unpricedModels = ranked.filter((m) => !priced.has(m));
  const pricedLabel = (label: string) => (label === 'other' ? ranked.some((m) => labelOf(m) === 'other' && priced.has(m)) : priced.has(label));
  return { tokens: build(tokensOf, () => true), cost: build((m) => m.cost ?? 0, pricedLabel), unpricedModels };
}

/** A period's start as unix seconds (a day, a week's first day, or a month as YYYY-MM), for the time axis. */
export function periodSeconds(period: string): number {
  return Date.parse(`${period.length === 7 ? `${period}-01` : period}T00:00:00Z`) / 1000;
}
