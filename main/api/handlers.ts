import { BusyError, UsageError, errorMessage } from '../core/errors.js';
import { ConflictError, NotFoundError } from '../core/store/stateEdits.js';
import type { ApiError, ApiHandlers } from './contract.js';
import { appHandlers } from './handlers/app.js';
import type { ApiContext } from './handlers/context.js';
import { findingsHandlers } from './handlers/findings.js';
import { healthHandlers } from './handlers/health.js';
import { pluginsHandlers } from './handlers/plugins.js';
import { queryHandlers } from './handlers/query.js';
import { runsHandlers } from './handlers/runs.js';
import { searchHandlers } from './handlers/search.js';
import { sessionsHandlers } from './handlers/sessions.js';
import { stateHandlers } from './handlers/state.js';
import { usageHandlers } from './handlers/usage.js';

/**
 * Every method of the contract, each domain's from its module in handlers/: the compiler refuses a method
 * left out, and each module holds exactly its domains' methods (DomainHandlers), so none is given twice.
 */
export function apiHandlers(ctx: ApiContext): ApiHandlers {
  return {
    ...appHandlers(ctx),
    ...sessionsHandlers(ctx),
    ...runsHandlers(ctx),
    ...stateHandlers(ctx),
    ...pluginsHandlers(ctx),
    ...queryHandlers(ctx),
    ...findingsHandlers(ctx),
    ...healthHandlers(ctx),
    ...usageHandlers(ctx),
    ...searchHandlers(ctx),
  };
}

/** A handler's failure as the renderer gets it: the engine's errors by kind, anything else logged and reported as internal. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof UsageError) return { code: 'invalid', message: error.message };
  if (error instanceof BusyError) return { code: 'busy', message: error.message };
  if (error instanceof NotFoundError) return { code: 'not-found', message: error.message };
  if (error instanceof ConflictError) return { code: 'conflict', message: error.message };
  process.stderr.write(`session-inspector: unexpected error in the API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return { code: 'internal', message: `unexpected error: ${errorMessage(error)}` };
}
