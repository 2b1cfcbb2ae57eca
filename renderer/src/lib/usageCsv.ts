// The usage table as CSV, built in the page from the rows it shows (no second query, so the file and the
// table cannot differ). Pure.
import type { UsagePeriodRow } from '../../../main/api/contract.js';
import { periodOf } from './usageFormat.js';

const COLUMNS = [
  'period',
  'models',
  'input_tokens',
  'output_tokens',
  'cache_creation_tokens',
  'cache_read_tokens',
  'total_tokens',
  'cost_usd',
  'messages',
  'unpriced_messages',
  'sessions',
  'deleted_sessions',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One line per row. `cost_usd` is the priced messages' cost, empty when none of the row's messages has a
 * price (an empty cell, never 0); `unpriced_messages` says how many were left out of it. Each message's
 * cost is stored in whole nano-dollars, so a sum is written to 9 decimals: the digits past them are only
 * the noise of adding doubles, which changes with the order the store returns them in.
 */
export function usageCsv(rows: UsagePeriodRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) {
    const priced = r.messages - r.unpricedMessages > 0;
    lines.push(
      [
        periodOf(r),
        r.modelsUsed.join(', '),
        r.inputTokens,
        r.outputTokens,
        r.cacheCreationTokens,
        r.cacheReadTokens,
        r.totalTokens,
        priced ? Number(r.totalCost.toFixed(9)) : '',
        r.messages,
        r.unpricedMessages,
        r.sessions,
        r.deletedSessions,
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** usage-daily-Asia-Kolkata.csv, usage-monthly-UTC-my-project.csv: what it is, readable in a folder. */
export function usageCsvFileName(kind: string, timeZone: string, project: string | null): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `usage-${[kind, timeZone, ...(project ? [project.split(/[\\/]/).filter(Boolean).pop() ?? project] : [])].map(safe).join('-')}.csv`;
}
