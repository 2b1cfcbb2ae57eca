import { THEMES, type ThemeChoice } from '../store/appSlice.js';
import { useApp } from '../StoreContext.js';
import { ActiveRunsStrip } from './ActiveRunsStrip.js';
import { HealthBadge } from './HealthBadge.js';
import { SearchBox } from './SearchBox.js';

export function Header() {
  const info = useApp((s) => s.info);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  const setChoosingFolder = useApp((s) => s.setChoosingFolder);
  const setView = useApp((s) => s.setView);
  return (
    <header className="header">
      <h1 className="brand">Session Inspector</h1>
      {info?.sessionRoot && (
        <button type="button" className="link-button folder" title="Change the session folder" onClick={() => setChoosingFolder(true)}>
          {info.sessionRoot}
        </button>
      )}
      {info?.sessionRootError && (
        <span className="error-text" role="alert">
          {info.sessionRootError}
        </span>
      )}
      {info?.archive.problem && (
        <button type="button" className="link-button warn-text" title={info.archive.problem} onClick={() => setView('settings')}>
          Archive unavailable
        </button>
      )}
      <span className="spacer" />
      <SearchBox />
      <ActiveRunsStrip />
      <HealthBadge />
      <label className="theme-switch">
        Theme{' '}
        <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
          {THEMES.map((t) => (
            <option key={t} value={t}>
              {t === 'system' ? 'follow the OS' : t}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}
