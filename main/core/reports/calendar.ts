import { UsageError } from '../errors.js';

/** The system's IANA time zone (the default of every report). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** An IANA zone name Intl knows, as the user spelled it (ICU would rename Asia/Kolkata to Asia/Calcutta). */
export function checkTimeZone(zone: string, flag = '--timezone'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new UsageError(`${flag}: "${zone}" is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Kolkata)`);
  }
}

/** A calendar date given as YYYY-MM-DD or YYYYMMDD, returned as YYYY-MM-DD; an impossible date is refused. */
export function parseDay(value: string, flag: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  const day = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  const time = Date.parse(`${day}T00:00:00Z`);
  if (!m || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`${flag}: "${value}" is not a date (YYYY-MM-DD or YYYYMMDD)`);
  }
  return day;
}

/**
 * Local calendar days of instants in one zone. Instants are looked up per quarter-hour of UTC (the grain
 * of every offset and daylight-saving change), so a report over a million buckets formats a few thousand.
 */
export class ZoneCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly days = new Map<number, string>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** The local date (YYYY-MM-DD) of an instant given in ms since the epoch. */
  day(ms: number): string {
    const quarter = Math.floor(ms / 900_000);
    let day = this.days.get(quarter);
    if (day === undefined) {
      const parts = this.format.formatToParts(quarter * 900_000);
      const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      day = `${part('year')}-${part('month')}-${part('day')}`;
      this.days.set(quarter, day);
    }
    return day;
  }

  /**
   * The first instant of a local day (ms since the epoch). Every offset and daylight-saving change is a whole
   * number of quarter-hours, so a day starts on one: the first quarter-hour, within 15 hours of UTC
   * midnight, whose local date is `day` (dates only grow with time, so a binary search finds it).
   */
  startOf(day: string): number {
    let low = Math.floor((Date.parse(`${day}T00:00:00Z`) - 15 * 3_600_000) / 900_000);
    let high = low + (30 * 3_600_000) / 900_000;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (this.day(middle * 900_000) < day) low = middle + 1;
      else high = middle;
    }
    return low * 900_000;
  }
}

/** The month of a YYYY-MM-DD day, as YYYY-MM. */
export const monthOf = (day: string): string => day.slice(0, 7);

export type WeekStart = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export const WEEK_STARTS: WeekStart[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The first day (YYYY-MM-DD) of the week holding `day`, weeks starting on `start`. */
export function weekOf(day: string, start: WeekStart): string {
  const time = Date.parse(`${day}T00:00:00Z`);
  const back = (new Date(time).getUTCDay() - WEEK_STARTS.indexOf(start) + 7) % 7;
  return new Date(time - back * 86_400_000).toISOString().slice(0, 10);
}
