// One store of typed slices (zustand/vanilla: no React here, so it runs under node:test too).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createAppSlice } from './appSlice.js';
import { createDetailSlice } from './detailSlice.js';
import { createFindingsSlice } from './findingsSlice.js';
import { createHealthSlice } from './healthSlice.js';
import { createPluginsSlice } from './pluginsSlice.js';
import { createQuerySlice } from './querySlice.js';
import { createRunsSlice } from './runsSlice.js';
import { createSearchSlice } from './searchSlice.js';
import { createSessionsSlice } from './sessionsSlice.js';
import { createStateTableSlice } from './stateTableSlice.js';
import type { Store, StoreDeps } from './types.js';
import { createUsageSlice } from './usageSlice.js';

export type AppStore = StoreApi<Store>;

export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<Store>()((set, get) => ({
    ...createAppSlice(set, get, deps),
    ...createSessionsSlice(set, get, deps),
    ...createDetailSlice(set, get, deps),
    ...createRunsSlice(set, get, deps),
    ...createStateTableSlice(set, get, deps),
    ...createPluginsSlice(set, get, deps),
    ...createQuerySlice(set, get, deps),
    ...createUsageSlice(set, get, deps),
    ...createHealthSlice(set, get, deps),
    ...createFindingsSlice(set, get, deps),
    ...createSearchSlice(set, get, deps),
  }));
}
