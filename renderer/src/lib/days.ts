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

/** The instant a local day ('YYYY-MM-DD' from a date input) starts, plus `addDays`, as ISO-8601; undefined for ''. */
export function startOfDay(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

const localDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The local day an instant falls on, for a date input; '' for none. */
export function dayOf(iso: string | undefined): string {
  return iso ? localDay(new Date(iso)) : '';
}

/** The local day before an instant (an exclusive end shown as the last day included); '' for none. */
export function dayBefore(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return localDay(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1));
}
