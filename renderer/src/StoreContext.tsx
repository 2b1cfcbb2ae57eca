// The store reaches components through context (one per window; unit tests make their own).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { AppStore } from './store/createAppStore.js';
import type { Store } from './store/types.js';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore: no StoreProvider above this component');
  return store;
}

/** A narrow selector: the component re-renders only when what it selects changes. */
export function useApp<T>(selector: (state: Store) => T): T {
  return useStore(useAppStore(), selector);
}

/** For selectors that build an object or array of picked values (compared shallowly). */
export function useAppShallow<T>(selector: (state: Store) => T): T {
  return useStore(useAppStore(), useShallow(selector));
}
