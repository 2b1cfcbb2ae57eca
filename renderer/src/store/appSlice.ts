// App-wide state: the AppInfo (session folder, mode), the current view, the theme and the notice line.
import type { AppInfo, ArchiveStatus } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import type { GetStore, SetStore, SliceCreator, StoreDeps } from './types.js';

export const VIEWS = ['sessions', 'findings', 'state', 'runs', 'usage', 'plugins', 'query', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export const VIEW_STORAGE_KEY = 'session-inspector.view';
export const THEME_STORAGE_KEY = 'session-inspector.theme';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface AppSliceState {
  info: AppInfo | null;
  infoError: string | null;
  /** The folder form is shown (first run, or the user asked to change folders). */
  choosingFolder: boolean;
  view: ViewName;
  theme: ThemeChoice;
  notices: Notice[];
  loadInfo(): Promise<void>;
  /** main says the folder or the store changed (the desktop menu, another window). */
  applyInfo(info: AppInfo): void;
  setSessionRoot(path: string): Promise<boolean>;
  /** A DuckDB file or a postgres:// URL; false (with a notice) when main kept the current store. */
  setStateStore(target: string): Promise<boolean>;
  /** What the archive holds (Settings); null while unknown, off, or not openable (info.archive.problem). */
  archiveStatus: ArchiveStatus | null;
  loadArchiveStatus(): Promise<void>;
  /** Archive into this folder, or (null) stop archiving; false (with a notice) when main refused. */
  setArchive(folder: string | null): Promise<boolean>;
  pickFolder(): Promise<string | null>;
  setChoosingFolder(open: boolean): void;
  setView(view: ViewName): void;
  setTheme(theme: ThemeChoice): void;
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(id: number): void;
}

let nextNoticeId = 1;
/** Notices kept on screen at once; older ones drop off. */
const MAX_NOTICES = 4;

function readChoice<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

type StoreLocationActions = Pick<AppSliceState, 'setSessionRoot' | 'setStateStore' | 'archiveStatus' | 'loadArchiveStatus' | 'setArchive' | 'pickFolder'>;

/** Where sessions are read from, where state and the archive are kept, and the folder picker. */
function createStoreLocationActions(set: SetStore, get: GetStore, api: StoreDeps['api']): StoreLocationActions {
  return {
    async setSessionRoot(path) {
      const trimmed = path.trim();
      if (!trimmed) {
        get().notify('error', 'Type the path of a folder of Claude Code sessions first.');
        return false;
      }
      try {
        const info = await api.call('app/setSessionRoot', { path: trimmed });
        // A folder main accepted but cannot read (missing, unreadable) keeps the form open with the reason.
        const usable = info.sessionRoot !== null && info.sessionRootError === null;
        // Earlier refusals were about the folder: once one is usable they no longer apply.
        set(usable ? { info, choosingFolder: false, notices: [] } : { info, choosingFolder: true });
        if (usable) get().setSessionFilter({}); // a new folder: a new list generation, selection cleared
        return usable;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return false;
      }
    },

    archiveStatus: null,

    async loadArchiveStatus() {
      try {
        set({ archiveStatus: await api.call('app/archiveStatus', {}) });
      } catch (error) {
        get().notify('error', errorMessage(error));
      }
    },

    async setArchive(folder) {
      try {
        const info = await api.call('app/setArchive', { folder });
        set({ info, archiveStatus: null });
        if (info.archive.problem) get().notify('error', info.archive.problem);
        else get().notify('info', folder === null ? 'Archiving is off.' : `Archiving into ${folder}.`);
        await get().loadArchiveStatus();
        return true;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return false;
      }
    },

    async setStateStore(target) {
      try {
        const info = await api.call('app/setStateStore', { target: target.trim() });
        set({ info });
        get().notify('info', `Now using ${info.stateStore.location}.`);
        get().setSessionFilter({}); // other state: a new list generation
        return true;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return false;
      }
    },

    async pickFolder() {
      try {
        const { path } = await api.call('app/pickFolder', {});
        return path;
      } catch (error) {
        get().notify('error', errorMessage(error));
        return null;
      }
    },
  };
}

export const createAppSlice: SliceCreator<AppSliceState> = (set, get, { api, storage }) => ({
  info: null,
  infoError: null,
  choosingFolder: false,
  view: readChoice(storage.getItem(VIEW_STORAGE_KEY), VIEWS, 'sessions'),
  theme: readChoice(storage.getItem(THEME_STORAGE_KEY), THEMES, 'system'),
  notices: [],

  async loadInfo() {
    try {
      const info = await api.call('app/info', {});
      set({ info, infoError: null, choosingFolder: info.sessionRoot === null || get().choosingFolder });
    } catch (error) {
      set({ infoError: errorMessage(error) });
    }
  },

  applyInfo(info) {
    if (JSON.stringify(info) === JSON.stringify(get().info)) return;
    const folderChanged = info.sessionRoot !== get().info?.sessionRoot || info.stateStore.location !== get().info?.stateStore.location;
    set({ info, infoError: null });
    if (folderChanged && info.sessionRoot !== null && info.sessionRootError === null) set({ choosingFolder: false });
  },

  ...createStoreLocationActions(set, get, api),

  setChoosingFolder(open) {
    set({ choosingFolder: open || get().info?.sessionRoot === null });
  },

  setView(view) {
    storage.setItem(VIEW_STORAGE_KEY, view);
    set({ view });
  },

  setTheme(theme) {
    storage.setItem(THEME_STORAGE_KEY, theme);
    set({ theme });
  },

  notify(kind, text) {
    const notice = { id: nextNoticeId++, kind, text };
    set({ notices: [...get().notices, notice].slice(-MAX_NOTICES) });
  },

  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
});
