import { archiveStatus } from '../../core/archive/archiveMaintenance.js';
import { BLOCK_BYTES } from '../../core/archive/archivePacks.js';
import { UsageError } from '../../core/errors.js';
import type { ApiContext, DomainHandlers } from './context.js';

/** The app: what it shows of itself, its session folder and its state store. */
export function appHandlers(ctx: ApiContext): DomainHandlers<'app'> {
  return {
    'app/info': async () => ctx.info(),
    'app/setStateStore': async ({ target }) => {
      await ctx.switchStore(target);
      return ctx.infoChanged();
    },
    'app/setSessionRoot': async ({ path }) => {
      await ctx.useRoot(path);
      return ctx.infoChanged();
    },
    'app/setArchive': async ({ folder }) => {
      await ctx.setArchive(folder);
      return ctx.infoChanged();
    },
    'app/archiveStatus': async () => {
      const archive = await ctx.engine.archive();
      ctx.infoChanged(); // the attempt may have found (or cleared) a problem
      if (!archive) return null;
      const status = await archiveStatus(archive);
      return {
        sessions: status.sessions,
        sourceGone: status.sourceGone,
        rawBytes: status.rawBytes,
        packedBytes: status.packedBytes,
        unpackedSettledBytes: status.unpackedSettledBytes,
        packsFromBytes: BLOCK_BYTES,
        oldest: status.oldestMs === null ? null : new Date(status.oldestMs).toISOString(),
      };
    },
    'app/pickFolder': async () => {
      if (!ctx.face.pickFolder) throw new UsageError('no folder dialog in browser mode: type or paste the folder path');
      return { path: await ctx.face.pickFolder() };
    },
  };
}
