import { auditEntry, listAudit, statePage, undoChange, updateState } from '../../core/store/stateEdits.js';
import * as rows from '../rows.js';
import { refuseWhileRunning, targetKeys, type ApiContext, type DomainHandlers } from './context.js';

/** The state editor: rows listed, reset, marked processed or edited, every change audited and undoable. */
export function stateHandlers(ctx: ApiContext): DomainHandlers<'state'> {
  const changed = (processor: string) => ctx.emit({ type: 'state-changed', processors: [processor] });
  return {
    'state/list': async (query) => {
      const page = await statePage(ctx.engine.store.db, query);
      return { total: page.total, rows: page.rows.map(rows.state) };
    },
    'state/reset': async ({ processor, target }) => {
      refuseWhileRunning(ctx, processor);
      const count = await ctx.engine.store.resetState(processor, await targetKeys(ctx, target));
      changed(processor);
      return { changed: count };
    },
    'state/markProcessed': async ({ processor, target }) => {
      refuseWhileRunning(ctx, processor);
      const count = await ctx.engine.markProcessed(processor, await targetKeys(ctx, target));
      changed(processor);
      return { changed: count };
    },
    'state/update': async ({ processor, sessionKey, changes, expected }) => {
      refuseWhileRunning(ctx, processor);
      const row = await updateState(ctx.engine.store.db, processor, sessionKey, changes, expected);
      changed(processor);
      return rows.state(row);
    },
    'state/history': async ({ limit }) => (await listAudit(ctx.engine.store.db, limit ?? 200)).map(rows.audit),
    'state/undo': async ({ auditId }) => {
      const original = await auditEntry(ctx.engine.store.db, auditId);
      if (original) refuseWhileRunning(ctx, String(original.processor_name));
      const undoId = await undoChange(ctx.engine.store.db, auditId);
      // Written by undoChange's committed transaction just now, and audit entries are never deleted.
      const entry = (await auditEntry(ctx.engine.store.db, undoId))!;
      changed(String(entry.processor_name));
      return rows.audit(entry);
    },
  };
}
