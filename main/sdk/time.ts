// Timestamps from transcripts are strings written by whatever produced the file. Views cast them to
// TIMESTAMP, where one unparsable value fails the whole query, so processors store only normalized ones.
// The SQL function iso_timestamp (core/sql/sqlFunctions.ts) is this rule for SQL processors, tested equal.

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` with a day every month has (≤ 28) and times in range: such a string is a valid
 * date and its own toISOString(), so it needs no Date round trip (a large share of a full run's time).
 */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
/**
 * Every other form read as a date-time: a date, optionally a time (`T` or a space, seconds and a fraction
 * optional) and an offset (`Z`, `±HH`, `±HHMM`, `±HH:MM`); without an offset it is UTC. Narrower than
 * Date.parse on purpose: that reads a time without offset in the machine's zone and rolls 2025-02-30
 * over into March, so the same file would give different items on different machines.
 */
const DATE_TIME = /^([1-9]\d{3})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Days in a month of a year from 1000 on (Date.UTC maps years 0-99 to the 1900s; DATE_TIME starts at 1000). */
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The value as a UTC ISO 8601 string (`2025-06-14T11:00:00.000Z`), or null when it is not a date-time string. */
export function isoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (CANONICAL_UTC.test(value)) return value; // already what toISOString would give back (the usual case)
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const zone = m[8] ?? 'Z';
  const offsetHours = zone === 'Z' ? 0 : Number(zone.slice(1, 3));
  const offsetMinutes = zone.length > 3 ? Number(zone.slice(-2)) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000);
  const utcYear = date.getUTCFullYear();
  return utcYear >= 1000 && utcYear <= 9999 ? date.toISOString() : null;
}
