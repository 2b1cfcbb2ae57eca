// Timestamps from transcripts are strings written by whatever produced the file. Views cast them to
// TIMESTAMP, where one unparsable value fails the whole query, so processors store only normalized ones.

const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;
/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` with a day every month has (≤ 28) and times in range: such a string is a valid
 * date and its own toISOString(), so it needs no Date round trip (a large share of a full run's time).
 */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The value as a UTC ISO 8601 string (`2025-06-14T11:00:00.000Z`), or null when it is not a date-time string. */
export function isoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (CANONICAL_UTC.test(value)) return value; // already what toISOString would give back (the usual case)
  if (!ISO_DATE_START.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
