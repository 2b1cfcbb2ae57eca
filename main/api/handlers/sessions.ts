import { join } from 'node:path';
import { listSecretSpans } from '../../core/findings.js';
import { SESSION_COLUMNS, type SessionColumnId } from '../../core/sessions/sessionColumns.js';
import { sessionResults } from '../../core/store/sessionResults.js';
import { NotFoundError } from '../../core/store/stateEdits.js';
import type * as C from '../contract.js';
import * as rows from '../rows.js';
import { readTranscript } from '../transcript.js';
import { sessionEntry, type ApiContext, type DomainHandlers } from './context.js';

// The contract spells the sessions list's column ids out for the renderer; the compiler holds them equal to core's.
const sameColumnIds: [C.SessionColumnId] extends [SessionColumnId] ? ([SessionColumnId] extends [C.SessionColumnId] ? true : never) : never = true;
void sameColumnIds;

/** Items a session's detail shows per processor (SessionProcessorDetail.items). */
const DETAIL_ITEMS = 200;

/** The sessions list (paged, filtered and sorted in the database), a session's detail and its transcript. */
export function sessionsHandlers(ctx: ApiContext): DomainHandlers<'sessions'> {
  return {
    'sessions/list': async (query) => {
      const page = await ctx.index.page(query);
      const running = ctx.runs.currentSessions();
      const counts: C.SessionPage['counts'] = {};
      for (const row of await ctx.index.counts()) {
        const processor = String(row.processor);
        counts[processor] ??= { processed: 0, stale: 0, pending: 0, running: 0, failed: 0, quarantined: 0 };
        counts[processor][row.status as C.ProcessorStatus] = Number(row.n);
      }
      const answer = {
        total: page.total,
        offset: query.offset,
        rows: page.rows.map((r) => rows.session(r, page.cells, running)),
        columns: SESSION_COLUMNS,
        groups: await ctx.index.groups(),
        projects: await ctx.index.projects(),
        counts,
      };
      ctx.listAnswered();
      return answer;
    },
    'sessions/get': async ({ sessionKey }) => {
      const { row, cells } = await ctx.index.get(sessionKey);
      if (!row) throw new NotFoundError(`no session ${sessionKey} under ${ctx.engine.options.sessions || 'the session folder'} (refresh the list?)`);
      const session = rows.session(row, cells, ctx.runs.currentSessions());
      const results = await sessionResults(
        ctx.engine.store.db,
        sessionKey,
        session.statuses.map((s) => s.processor),
        DETAIL_ITEMS,
      );
      const processors = session.statuses.map(({ processor, status }): C.SessionProcessorDetail => {
        const { state, failure, items, itemsTotal } = results.get(processor)!;
        return { processor, status, state: state ? rows.state(state) : null, failure: failure ? rows.failure(failure) : null, items, itemsTotal };
      });
      return { session, path: join(ctx.engine.options.sessions, ...sessionKey.split('/')), processors };
    },
    'sessions/transcript': async ({ sessionKey, fromLine, limit }) => {
      const entry = await sessionEntry(ctx, sessionKey);
      if (entry === null) throw new NotFoundError(`no session ${sessionKey} (refresh the list?)`);
      return readTranscript(entry, fromLine ?? 1, limit ?? 200, await listSecretSpans(ctx.engine.store.db, [sessionKey]));
    },
    'sessions/refresh': async () => ({ total: await ctx.rescan() }),
  };
}
