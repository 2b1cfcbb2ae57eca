// Plugins: processors, plugin folders (approval, enable/disable, load errors), install from a folder.
import { useEffect, useState, type FormEvent } from 'react';
import { ProcessorsTable } from '../components/ProcessorsTable.js';
import { PluginTable } from '../components/PluginTable.js';
import { useApp } from '../StoreContext.js';

export function PluginsView() {
  const loadPlugins = useApp((s) => s.loadPlugins);
  const loadProcessors = useApp((s) => s.loadProcessors);
  const reload = useApp((s) => s.reloadPlugins);
  const inspect = useApp((s) => s.inspectPlugin);
  const busy = useApp((s) => s.plugins.busy);
  const error = useApp((s) => s.plugins.error);
  const [path, setPath] = useState('');

  useEffect(() => {
    void loadPlugins();
    void loadProcessors();
  }, [loadPlugins, loadProcessors]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void inspect(path);
  }

  return (
    <section className="plugins-view" aria-labelledby="plugins-title">
      <div className="row">
        <h2 id="plugins-title">Plugins</h2>
        <span className="spacer" />
        <button type="button" disabled={busy} onClick={() => void reload()}>
          Reload plugins
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <h3>Processors</h3>
      <ProcessorsTable />
      <h3>Plugin folders</h3>
      <PluginTable />
      <h3>Install from a folder</h3>
      <p className="muted">Drop a plugin folder onto the window, or type its path. You will see what it is before anything is copied or run.</p>
      <form className="row" onSubmit={onSubmit}>
        <label htmlFor="plugin-path">Plugin folder</label>
        <input
          id="plugin-path"
          className="grow"
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/my-plugin"
          spellCheck={false}
        />
        <button type="submit" disabled={busy}>
          Inspect…
        </button>
      </form>
    </section>
  );
}
