import type { ApiContext, DomainHandlers } from './context.js';

/** The header's badge: overdue, failing or stuck processors, quarantined sessions, stopped runners. */
export function healthHandlers(ctx: ApiContext): DomainHandlers<'health'> {
  return {
    'health/get': async () => ctx.engine.health(),
  };
}
