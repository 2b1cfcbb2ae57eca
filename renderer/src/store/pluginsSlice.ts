// Plugins: the loaded list, and the install flow (inspect -> trust prompt -> install with approval).
import type { InstallPreview, PluginInfo } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { SliceCreator } from './types.js';

export interface PluginsData {
  list: PluginInfo[];
  /** The trust prompt's content, while it is open. */
  preview: InstallPreview | null;
  busy: boolean;
  error: string | null;
}

export interface PluginsSliceState {
  plugins: PluginsData;
  loadPlugins(): Promise<void>;
  setPluginList(list: PluginInfo[]): void;
  /** Opens the trust prompt for a folder (dropped or typed). Nothing is copied or run yet. */
  inspectPlugin(path: string): Promise<void>;
  /** The user approved the prompt: install (and trust) exactly what was inspected. */
  confirmInstall(): Promise<PluginInfo | null>;
  cancelInstall(): void;
  setPluginEnabled(name: string, enabled: boolean): Promise<void>;
  approvePlugin(name: string): Promise<void>;
  reloadPlugins(): Promise<void>;
}

export const createPluginsSlice: SliceCreator<PluginsSliceState> = (set, get, { api }) => {
  const patch = (p: Partial<PluginsData>) => set({ plugins: { ...get().plugins, ...p } });

  async function guarded<T>(work: () => Promise<T>): Promise<T | null> {
    patch({ busy: true });
    try {
      const value = await work();
      patch({ busy: false, error: null });
      return value;
    } catch (error) {
      patch({ busy: false });
      get().notify('error', errorMessage(error));
      return null;
    }
  }

  return {
    plugins: { list: [], preview: null, busy: false, error: null },

    async loadPlugins() {
      try {
        patch({ list: await api.call('plugins/list', {}), error: null });
      } catch (error) {
        patch({ error: errorMessage(error) });
      }
    },

    setPluginList(list) {
      patch({ list });
    },

    async inspectPlugin(path) {
      const trimmed = path.trim();
      if (!trimmed) {
        get().notify('error', 'Type the path of a plugin folder (one with a package.json) first.');
        return;
      }
      const preview = await guarded(() => api.call('plugins/inspect', { path: trimmed }));
      if (preview) patch({ preview });
    },

    async confirmInstall() {
      const preview = get().plugins.preview;
      if (!preview) return null;
      const info = await guarded(() => api.call('plugins/install', { path: preview.path, approve: true }));
      if (info) {
        patch({ preview: null });
        get().notify('info', `Installed ${info.name ?? info.folder}${info.version ? ` ${info.version}` : ''}.`);
        await Promise.all([get().loadPlugins(), get().loadProcessors()]);
      }
      return info;
    },

    cancelInstall() {
      patch({ preview: null });
    },

    async setPluginEnabled(name, enabled) {
      if (await guarded(() => api.call('plugins/setEnabled', { name, enabled }))) await Promise.all([get().loadPlugins(), get().loadProcessors()]);
    },

    async approvePlugin(name) {
      if (await guarded(() => api.call('plugins/approve', { name }))) await Promise.all([get().loadPlugins(), get().loadProcessors()]);
    },

    async reloadPlugins() {
      const list = await guarded(() => api.call('plugins/reload', {}));
      if (list) {
        patch({ list });
        await get().loadProcessors();
      }
    },
  };
};
