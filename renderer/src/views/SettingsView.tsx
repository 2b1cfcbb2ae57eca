import { useState, type FormEvent } from 'react';
import { ArchiveSettings } from '../components/ArchiveSettings.js';
import { SchedulerSettings } from '../components/SchedulerSettings.js';
import { useApp } from '../StoreContext.js';

export function SettingsView() {
  const info = useApp((s) => s.info);
  const setChoosingFolder = useApp((s) => s.setChoosingFolder);
  const setStateStore = useApp((s) => s.setStateStore);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  if (!info) return null;

  async function onUseStore(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    if (await setStateStore(target)) setTarget('');
    setBusy(false);
  }
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <dl className="facts">
        <dt>Session folder</dt>
        <dd>
          {info.sessionRoot ?? 'not chosen'}{' '}
          <button type="button" onClick={() => setChoosingFolder(true)}>
            Change…
          </button>
        </dd>
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
      <h3>State store</h3>
      <form className="row" onSubmit={(e) => void onUseStore(e)}>
        <label htmlFor="state-store">DuckDB file or team PostgreSQL URL</label>
        <input
          id="state-store"
          type="text"
          className="grow"
          placeholder="postgres://analyst@db.example.org/session_inspector"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" disabled={busy || target.trim() === ''}>
          Use
        </button>
      </form>
      <p className="muted">
        A password in the URL is used for this session only and never saved: for the next start, give it in <code>PGPASSWORD</code> or a password file (
        <code>~/.pgpass</code>). Connections use TLS whenever the server offers it.
      </p>
      <ArchiveSettings />
      <SchedulerSettings />
      <p className="muted">The theme follows the OS unless you pick one in the header; it and the last view are remembered on this computer.</p>
    </section>
  );
}
