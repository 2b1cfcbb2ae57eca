// Drop a plugin folder anywhere on the window: Electron knows its path and opens the trust prompt; a browser
// gives no path for a dropped folder, so it points to the path field in the Plugins view instead.
import { useEffect, useState } from 'react';
import { droppedPath } from '../api/pickTransport.js';
import { useAppStore } from '../StoreContext.js';

export function PluginDropTarget() {
  const store = useAppStore();
  const [over, setOver] = useState(false);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onOver = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault(); // Never let the browser navigate to a dropped file.
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      const s = store.getState();
      const path = file ? droppedPath(file) : null;
      if (path) {
        void s.inspectPlugin(path);
      } else {
        s.setView('plugins');
        s.notify('info', `A browser does not tell the app where "${file?.name ?? 'the folder'}" is: type its path in "Install from a folder" to install it.`);
      }
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [store]);

  return over ? (
    <div className="drop-overlay" aria-hidden="true">
      Drop a plugin folder to install it
    </div>
  ) : null;
}
