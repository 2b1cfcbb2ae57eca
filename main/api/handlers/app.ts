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
    'app/pickFolder': async () => {
      if (!ctx.face.pickFolder) throw new UsageError('no folder dialog in browser mode: type or paste the folder path');
      return { path: await ctx.face.pickFolder() };
    },
  };
}
