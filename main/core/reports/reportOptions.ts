import { readFileSync, statSync } from 'node:fs';
import { readPriceTable, type PriceTable } from '../../sdk/pricing.js';
import { UsageError } from '../errors.js';
import { checkTimeZone, parseDay, systemTimeZone, WEEK_STARTS, type WeekStart } from './calendar.js';
import { REPORT_KINDS, type ReportKind, type ReportOptions } from './usageReport.js';

/** A report request as a person types it (CLI flags, the app's pickers); each field is checked by name. */
export interface ReportRequest {
  timezone?: string;
  since?: string;
  until?: string;
  project?: string;
  last?: number;
  order?: string;
  weekStart?: string;
  instances?: boolean;
  /** A price table file: this project's shape or LiteLLM's. */
  prices?: string;
}

export function checkReportKind(kind: string): ReportKind {
  if (!(REPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`report "${kind}": choose one of ${REPORT_KINDS.join(', ')}`);
  return kind as ReportKind;
}

/** How a message names a field: a person fixes what they typed, a CLI flag or an API field. */
export type FieldName = (field: keyof ReportRequest) => string;

/** `weekStart` -> `--week-start`. */
export const cliFlag: FieldName = (field) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Checked options; bad input names its field as `name` spells it (the CLI's flags by default, so the CLI
 * exits 2 with `--timezone`, `--since`, ...; the app's API passes its own field names).
 */
export function reportOptions(request: ReportRequest, nowMs = Date.now(), name: FieldName = cliFlag): ReportOptions {
  const since = request.since === undefined ? undefined : parseDay(request.since, name('since'));
  const until = request.until === undefined ? undefined : parseDay(request.until, name('until'));
  if (since !== undefined && until !== undefined && since > until) throw new UsageError(`${name('since')} ${since} is after ${name('until')} ${until}`);
  const order = request.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw new UsageError(`${name('order')}: "${order}" must be asc or desc`);
  const weekStart = (request.weekStart ?? 'sunday').toLowerCase();
  if (!(WEEK_STARTS as string[]).includes(weekStart)) {
    throw new UsageError(`${name('weekStart')}: "${request.weekStart}" must be one of ${WEEK_STARTS.join(', ')}`);
  }
  if (request.last !== undefined && (!Number.isInteger(request.last) || request.last < 1)) {
    throw new UsageError(`${name('last')} must be a whole number of at least 1`);
  }
  if (request.project !== undefined && request.project.trim() === '') throw new UsageError(`${name('project')} must name a project`);
  return {
    timeZone: request.timezone === undefined ? systemTimeZone() : checkTimeZone(request.timezone, name('timezone')),
    since,
    until,
    project: request.project,
    last: request.last,
    order,
    orderGiven: request.order !== undefined,
    weekStart: weekStart as WeekStart,
    instances: request.instances === true,
    prices: request.prices === undefined ? undefined : { file: request.prices, table: loadPriceFile(request.prices) },
    nowMs,
  };
}

/** A price table file, either shape; a LiteLLM table is dated by the file's modification day. */
function loadPriceFile(file: string): PriceTable {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--prices ${file}: ${error instanceof SyntaxError ? `not JSON (${error.message})` : (error as Error).message}`);
  }
  try {
    return readPriceTable(value, new Date(statSync(file).mtimeMs).toISOString().slice(0, 10));
  } catch (error) {
    throw new UsageError(`--prices ${file}: ${(error as Error).message}`);
  }
}
