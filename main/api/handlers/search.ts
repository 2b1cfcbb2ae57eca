import { UsageError } from '../../core/errors.js';
import { listSecretSpans } from '../../core/findings.js';
import { maskHitSecrets } from '../../core/search/hitSecrets.js';
import type { SearchRole as CoreSearchRole } from '../../core/search/searchText.js';
import type * as C from '../contract.js';
import type { ApiContext, DomainHandlers } from './context.js';

// The contract spells the roles out for the renderer; the compiler holds them equal to core's.
const sameRoles: [C.SearchRole] extends [CoreSearchRole] ? ([CoreSearchRole] extends [C.SearchRole] ? true : never) : never = true;
void sameRoles;

/** The app's search runs at most this long (ms): a slow pattern is stopped, never a hung window. */
const TIME_LIMIT_MS = 5_000;

/** Full-text search over the session folder (core/search/): answered from the index, which catches up in the background. */
export function searchHandlers(ctx: ApiContext): DomainHandlers<'search'> {
  return {
    'search/query': async (args) => {
      const root = ctx.engine.options.sessions;
      if (!root) throw new UsageError('no session folder chosen yet: pick one, then search');
      const page = await ctx.search.search(root, () => ctx.engine.scanWithArchive(), {
        text: args.text,
        ...(args.regex ? { regex: true } : {}),
        ...(args.roles ? { roles: args.roles } : {}),
        ...(args.project ? { project: args.project } : {}),
        ...(args.since ? { sinceMs: Date.parse(args.since) } : {}),
        offset: args.offset ?? 0,
        limit: args.limit ?? 50,
        timeLimitMs: TIME_LIMIT_MS,
      });
      const keys = [...new Set(page.hits.map((h) => h.sessionKey))];
      const spans = keys.length === 0 ? [] : await listSecretSpans(ctx.engine.store.db, keys);
      return { ...page, hits: await maskHitSecrets(page.hits, spans, (key) => ctx.engine.sessionEntry(key)) };
    },
  };
}
