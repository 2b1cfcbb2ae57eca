// The only bridge between the page and main: one object, `window.sessionInspector`, implementing the API
// transport (calls on one namespaced channel, events on another). Sandboxed preloads are CommonJS.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

const CALL = 'session-inspector:call';
const EVENT = 'session-inspector:event';

contextBridge.exposeInMainWorld('sessionInspector', {
  call: (method: unknown, args: unknown) => ipcRenderer.invoke(CALL, method, args),
  subscribe: (listener: (event: unknown) => void) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT, forward);
    return () => ipcRenderer.removeListener(EVENT, forward);
  },
  droppedPath: (file: unknown) => {
    try {
      return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]) || null;
    } catch {
      return null;
    }
  },
});
