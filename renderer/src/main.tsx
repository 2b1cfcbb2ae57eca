// Entry: pick the transport, build the client and the store, wire events, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { createApiClient } from './api/client.js';
import { pickTransport } from './api/pickTransport.js';
import { createAppStore } from './store/createAppStore.js';
import { bindEvents } from './store/events.js';
import { pollHealth } from './store/healthSlice.js';
import { StoreProvider } from './StoreContext.js';
import { App } from './components/App.js';

const api = createApiClient(pickTransport());
const store = createAppStore({ api, storage: window.localStorage });
const events = bindEvents(store);
api.subscribe((event) => events.apply(event));

void (async () => {
  await store.getState().loadInfo();
  const s = store.getState();
  await Promise.all([s.loadProcessors(), s.loadActiveRuns(), s.loadPlugins(), s.loadHealth()]);
})();
// The window lives as long as the page: the timer is never stopped.
pollHealth(store);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
