// The window: header, navigation, the current view, the session drawer, notices and plugin drops.
import { useLayoutEffect } from 'react';
import { useApp } from '../StoreContext.js';
import { FolderPicker } from './FolderPicker.js';
import { Header } from './Header.js';
import { NavBar } from './NavBar.js';
import { Notices } from './Notices.js';
import { PluginDropTarget } from './PluginDropTarget.js';
import { SessionDetail } from './SessionDetail.js';
import { TrustPrompt } from './TrustPrompt.js';
import { SessionsView } from '../views/SessionsView.js';
import { FindingsView } from '../views/FindingsView.js';
import { StateView } from '../views/StateView.js';
import { RunsView } from '../views/RunsView.js';
import { UsageView } from '../views/UsageView.js';
import { PluginsView } from '../views/PluginsView.js';
import { QueryView } from '../views/QueryView.js';
import { SettingsView } from '../views/SettingsView.js';

function useThemeAttribute(): void {
  const theme = useApp((s) => s.theme);
  // A layout effect runs before every component's effects: charts that read the theme's colours in theirs
  // already see the new theme.
  useLayoutEffect(() => {
    // 'system' leaves the attribute off: the stylesheet follows prefers-color-scheme.
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
  }, [theme]);
}

function CurrentView() {
  const view = useApp((s) => s.view);
  switch (view) {
    case 'sessions':
      return <SessionsView />;
    case 'findings':
      return <FindingsView />;
    case 'state':
      return <StateView />;
    case 'runs':
      return <RunsView />;
    case 'usage':
      return <UsageView />;
    case 'plugins':
      return <PluginsView />;
    case 'query':
      return <QueryView />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  useThemeAttribute();
  const info = useApp((s) => s.info);
  const infoError = useApp((s) => s.infoError);
  const choosingFolder = useApp((s) => s.choosingFolder);

  let body;
  if (!info) {
    body = infoError ? (
      <div className="centered error-text" role="alert">
        Cannot reach Session Inspector: {infoError}
      </div>
    ) : (
      <div className="centered muted">Loading…</div>
    );
  } else if (choosingFolder) {
    body = <FolderPicker />;
  } else {
    body = (
      <div className="layout">
        <NavBar />
        <main className="view" id="main-view">
          <CurrentView />
        </main>
        <SessionDetail />
      </div>
    );
  }

  return (
    <div className="app">
      <Header />
      {body}
      <Notices />
      <TrustPrompt />
      <PluginDropTarget />
    </div>
  );
}
