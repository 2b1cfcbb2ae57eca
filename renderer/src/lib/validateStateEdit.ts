// Validation of a state-table edit in the UI, before anything is sent (main validates again and may refuse).

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** items_extracted is stored as an INTEGER. */
const MAX_ITEMS = 2_147_483_647;
/** A processed_at later than now (beyond clock skew) would hide content changes from the runner. */
const FUTURE_SLACK_MS = 5 * 60_000;

export function checkItemsExtracted(text: string): Checked<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, reason: 'items extracted must be a whole number of 0 or more (digits only)' };
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value > MAX_ITEMS) return { ok: false, reason: `items extracted must be at most ${MAX_ITEMS}` };
  return { ok: true, value };
}

/**
 * processed_at: an ISO-8601 date-time with a time zone (2025-09-01T10:00:00Z or +02:00), not in the future.
 * Returns it normalised to UTC with milliseconds.
 */
export function checkProcessedAt(text: string, now = Date.now()): Checked<string> {
  const trimmed = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
  if (!iso.test(trimmed)) return { ok: false, reason: 'processed at must be an ISO-8601 time with a zone, e.g. 2025-09-01T10:00:00Z' };
  const ms = Date.parse(trimmed.replace(' ', 'T'));
  if (Number.isNaN(ms)) return { ok: false, reason: `processed at: "${trimmed}" is not a real date` };
  // Date.parse rolls 2025-02-30 over to March: refuse dates that do not exist rather than guess.
  const [y, m, d] = trimmed.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d)
    return { ok: false, reason: `processed at: ${trimmed.slice(0, 10)} is not a real date` };
  if (ms > now + FUTURE_SLACK_MS) return { ok: false, reason: 'processed at cannot be in the future' };
  return { ok: true, value: new Date(ms).toISOString() };
}
