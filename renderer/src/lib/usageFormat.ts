// Usage report values for display, the table and its CSV. Pure: no DOM, so the unit tests run it under Node.
import type { UsagePeriodRow, UsageReport } from '../../../main/api/contract.js';

/** The rows of a daily, weekly or monthly report; none for the other kinds. */
export function periodRows(report: UsageReport | null): UsagePeriodRow[] {
  if (!report) return [];
  if (report.kind === 'daily') return report.daily;
  if (report.kind === 'weekly') return report.weekly;
  if (report.kind === 'monthly') return report.monthly;
  return [];
}

/** A row's period as the report names it: the day, the week's first day, or the month (YYYY-MM). */
export function periodOf(row: UsagePeriodRow): string {
  return row.date ?? row.week ?? row.month ?? '';
}

export const usd = (n: number): string => `$${n.toFixed(2)}`;

/**
 * The cost of messages of which `unpriced` have no price: those add nothing to `cost`, so a row of them
 * alone reads "no price" (never $0.00) and a mixed row says that part of it is missing.
 */
export function costText(cost: number, unpriced: number, messages: number): string {
  if (unpriced > 0 && unpriced >= messages) return 'no price';
  return unpriced > 0 ? `${usd(cost)} + no price` : usd(cost);
}

/** Sessions of a row, with how many of them come from deleted transcript files (still counted). */
export function sessionsText(sessions: number, deleted: number): string {
  return deleted > 0 ? `${sessions} (${deleted} deleted)` : String(sessions);
}

/** 1234 -> "1.2K", 4467705 -> "4.5M": chart axes, where digits would not fit. */
export function compactCount(n: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** An instant as "YYYY-MM-DD HH:MM" in an IANA zone (the report's zone, not the machine's). */
export function zonedTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** "2h 05m" from minutes. */
export function minutesText(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return m >= 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m` : `${m}m`;
}
