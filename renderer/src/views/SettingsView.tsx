import { useApp } from '../StoreContext.js';

export function SettingsView() {
  const info = useApp((s) => s.info);
  const setChoosingFolder = useApp((s) => s.setChoosingFolder);
  if (!info) return null;
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <dl className="facts">
        <dt>Session folder</dt>
        <dd>{info.sessionRoot ?? 'not chosen'} <button type="button" onClick={() => setChoosingFolder(true)}>Change…</button></dd>
        <dt>State store</dt>
        <dd>
          {info.stateStore.backend === 'postgres' ? 'team PostgreSQL ' : 'DuckDB file '}
          <code>{info.stateStore.location}</code>
        </dd>
        <dt>Mode</dt>
        <dd>{info.mode === 'electron' ? 'desktop app' : 'browser (session-inspector serve)'}</dd>
        <dt>Version</dt>
        <dd>{info.version}</dd>
      </dl>
      <p className="muted">The theme follows the OS unless you pick one in the header; it and the last view are remembered on this computer.</p>
    </section>
  );
}
