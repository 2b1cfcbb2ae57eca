import { resolve } from 'node:path';
import { UsageError, errorMessage } from '../../core/errors.js';
import { pluginContentHash } from '../../core/plugins/contentHash.js';
import { ManifestError, readManifest } from '../../core/plugins/manifest.js';
import * as rows from '../rows.js';
import type { ApiContext, DomainHandlers } from './context.js';

/** Plugins: listed, inspected before install (none of their code runs), installed, approved, enabled, reloaded. */
export function pluginsHandlers(ctx: ApiContext): DomainHandlers<'plugins'> {
  return {
    'plugins/list': async () => (await ctx.engine.plugins()).plugins.map(rows.plugin),
    'plugins/inspect': async ({ path }) => {
      const folder = resolve(path);
      try {
        const { name, version, declaredProcessors } = await readManifest(folder);
        return { path: folder, name, version, processors: declaredProcessors, contentHash: await pluginContentHash(folder), problems: [] };
      } catch (error) {
        if (!(error instanceof ManifestError)) throw new UsageError(`cannot read plugin folder ${folder}: ${errorMessage(error)}`);
        return { path: folder, name: null, version: null, processors: [], contentHash: null, problems: error.problems };
      }
    },
    'plugins/install': async ({ path, approve }) => {
      const { plugin } = await ctx.engine.installPlugin(path, approve);
      await ctx.pluginsChanged();
      return rows.plugin(plugin);
    },
    'plugins/approve': async ({ name }) => {
      const plugin = await ctx.engine.approvePlugin(name);
      await ctx.pluginsChanged();
      return rows.plugin(plugin);
    },
    'plugins/setEnabled': async ({ name, enabled }) => {
      const plugin = await ctx.engine.setPluginEnabled(name, enabled);
      await ctx.pluginsChanged();
      return rows.plugin(plugin);
    },
    'plugins/reload': async () => {
      const set = await ctx.engine.reloadPlugins();
      await ctx.pluginsChanged();
      return set.plugins.map(rows.plugin);
    },
  };
}
