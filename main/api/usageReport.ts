import { reportOptions } from '../core/reports/reportOptions.js';
import { readUsageReport } from '../core/reports/usageReport.js';
import type { Database } from '../core/store/database.js';
import type { ArgsOf, UsageReport } from './contract.js';

/**
 * `usage/report`: the report module the CLI's `report` prints, so the app's charts and tables and the CLI
 * cannot disagree. Bad input is refused naming the API's field (`timezone`, `weekStart`), not a CLI flag.
 * The store is read as it is: the scheduler keeps `tokens` up to date in the background.
 */
export async function usageReport(db: Database, { kind, ...request }: ArgsOf<'usage/report'>): Promise<UsageReport> {
  return readUsageReport(db, kind, reportOptions(request, Date.now(), (field) => field));
}
