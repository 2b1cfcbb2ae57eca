// Timestamps from transcripts are strings written by whatever produced the file. Views cast them to
// TIMESTAMP, where one unparsable value fails the whole query, so processors store only normalized ones.

const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;

/** The value as a UTC ISO 8601 string (`2025-06-14T11:00:00.000Z`), or null when it is not a date-time string. */
export function isoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_DATE_START.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
