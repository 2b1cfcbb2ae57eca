// First run (and "change folder"): the native dialog when there is one, a path field always, the default
// folder when it exists, and the recent folders.
import { useState, type FormEvent } from 'react';
import { useApp } from '../StoreContext.js';

interface FolderPathFormProps {
  placeholder: string;
  path: string;
  setPath(path: string): void;
  busy: boolean;
  onSubmit(e: FormEvent): void;
}

function FolderPathForm({ placeholder, path, setPath, busy, onSubmit }: FolderPathFormProps) {
  return (
    <form className="row" onSubmit={onSubmit}>
      <label htmlFor="folder-path">Folder path</label>
      <input
        id="folder-path"
        type="text"
        className="grow"
        placeholder={placeholder}
        value={path}
        onChange={(e) => setPath(e.target.value)}
        spellCheck={false}
        autoFocus
      />
      <button type="submit" disabled={busy}>
        Open
      </button>
    </form>
  );
}

function RecentFolders({ recent, busy, choose }: { recent: string[]; busy: boolean; choose(path: string): Promise<void> }) {
  if (recent.length === 0) return null;
  return (
    <>
      <h3>Recent folders</h3>
      <ul className="plain-list">
        {recent.map((r) => (
          <li key={r}>
            <button type="button" className="link-button" disabled={busy} onClick={() => void choose(r)}>
              {r}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

export function FolderPicker() {
  const info = useApp((s) => s.info);
  const setSessionRoot = useApp((s) => s.setSessionRoot);
  const pickFolder = useApp((s) => s.pickFolder);
  const setChoosingFolder = useApp((s) => s.setChoosingFolder);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  if (!info) return null;

  async function choose(p: string) {
    setBusy(true);
    await setSessionRoot(p);
    setBusy(false);
  }

  async function onPick() {
    const picked = await pickFolder();
    if (picked) await choose(picked);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void choose(path);
  }

  const recent = info.recentRoots.filter((r) => r !== info.sessionRoot);
  return (
    <section className="folder-picker" aria-labelledby="folder-title">
      <h2 id="folder-title">Choose a folder of Claude Code sessions</h2>
      <p className="muted">
        Every <code>*.jsonl</code> below it is a session; its first folder is the project or user. Nothing leaves this computer.
      </p>
      {info.sessionRootError && (
        <p className="error-text" role="alert">
          {info.sessionRootError}
        </p>
      )}
      {info.defaultRootExists && (
        <p>
          <button type="button" className="primary" disabled={busy} onClick={() => void choose(info.defaultSessionRoot)}>
            Use {info.defaultSessionRoot}
          </button>
        </p>
      )}
      {info.canPickFolder && (
        <p>
          <button type="button" disabled={busy} onClick={() => void onPick()}>
            Choose a folder…
          </button>
        </p>
      )}
      <FolderPathForm placeholder={info.defaultSessionRoot} path={path} setPath={setPath} busy={busy} onSubmit={onSubmit} />
      <RecentFolders recent={recent} busy={busy} choose={choose} />
      {info.sessionRoot && (
        <p>
          <button type="button" onClick={() => setChoosingFolder(false)}>
            Keep {info.sessionRoot}
          </button>
        </p>
      )}
    </section>
  );
}
