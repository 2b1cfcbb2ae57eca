import { reportOptions } from '../../core/reports/reportOptions.js';
import { readUsageReport } from '../../core/reports/usageReport.js';
import type { ApiContext, DomainHandlers } from './context.js';

/**
 * The report module the CLI's `report` prints, so the app's charts and tables and the CLI cannot disagree.
 * Bad input is refused naming the API's field (`timezone`, `weekStart`), not a CLI flag. The store is read
 * as it is: the scheduler keeps `tokens` up to date in the background.
 */
export function usageHandlers(ctx: ApiContext): DomainHandlers<'usage'> {
  return {
    'usage/report': async ({ kind, ...request }) =>
      readUsageReport(
        ctx.engine.store.db,
        kind,
        reportOptions(request, Date.now(), (field) => field),
      ),
  };
}
