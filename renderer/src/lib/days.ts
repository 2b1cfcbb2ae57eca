// Day axes for the charts: every day between the first and the last (a day without runs is a zero, not a
// gap), and at least a week, so one day of data does not stretch a time axis over years.

const DAY_MS = 86_400_000;
/** Longest axis drawn, in days (the API's windows are shorter). */
const MAX_DAYS = 1000;

/** Sorted, continuous 'YYYY-MM-DD' days covering `days`, padded backwards to at least `minDays`. */
export function fillDays(days: Iterable<string>, minDays = 7): string[] {
  const times = [...new Set(days)].map((d) => Date.parse(`${d}T00:00:00Z`)).filter((t) => Number.isFinite(t));
  if (times.length === 0) return [];
  const last = Math.max(...times);
  const first = Math.max(Math.min(Math.min(...times), last - (minDays - 1) * DAY_MS), last - (MAX_DAYS - 1) * DAY_MS);
  const out: string[] = [];
  for (let t = first; t <= last; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
