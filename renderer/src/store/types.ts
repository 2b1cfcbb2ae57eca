// The store's shape: one zustand store made of typed slices, each slice's actions beside its state.
import type { StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../api/client.js';
import type { AppSliceState } from './appSlice.js';
import type { SessionsSliceState } from './sessionsSlice.js';
import type { DetailSliceState } from './detailSlice.js';
import type { RunsSliceState } from './runsSlice.js';
import type { StateTableSliceState } from './stateTableSlice.js';
import type { PluginsSliceState } from './pluginsSlice.js';
import type { QuerySliceState } from './querySlice.js';
import type { UsageSliceState } from './usageSlice.js';
import type { HealthSliceState } from './healthSlice.js';
import type { FindingsSliceState } from './findingsSlice.js';
import type { SearchSliceState } from './searchSlice.js';

export type Store = AppSliceState &
  SessionsSliceState &
  DetailSliceState &
  RunsSliceState &
  StateTableSliceState &
  PluginsSliceState &
  QuerySliceState &
  UsageSliceState &
  HealthSliceState &
  FindingsSliceState &
  SearchSliceState;

/** localStorage in the page; a Map-backed fake in unit tests. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface StoreDeps {
  api: ApiClient;
  storage: KeyValueStorage;
}

export type SetStore = StoreApi<Store>['setState'];
export type GetStore = () => Store;
export type SliceCreator<T> = (set: SetStore, get: GetStore, deps: StoreDeps) => T;
