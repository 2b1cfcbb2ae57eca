import type { KeyboardEvent } from 'react';
import { VIEWS, type ViewName } from '../store/appSlice.js';
import { useApp } from '../StoreContext.js';

const LABELS: Record<ViewName, string> = {
  sessions: 'Sessions',
  findings: 'Findings',
  state: 'State table',
  runs: 'Runs',
  usage: 'Usage',
  plugins: 'Plugins',
  query: 'SQL',
  settings: 'Settings',
};

export function NavBar() {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);

  // Arrow keys move between views (the nav is one tab stop's worth of buttons in order).
  function onKeyDown(e: KeyboardEvent<HTMLElement>) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = VIEWS.indexOf(view);
    const next = VIEWS[(i + (e.key === 'ArrowDown' ? 1 : VIEWS.length - 1)) % VIEWS.length];
    setView(next);
    document.getElementById(`nav-${next}`)?.focus();
  }

  return (
    <nav className="nav" aria-label="Views" onKeyDown={onKeyDown}>
      {VIEWS.map((v) => (
        <button
          key={v}
          id={`nav-${v}`}
          type="button"
          className={v === view ? 'nav-item active' : 'nav-item'}
          aria-current={v === view ? 'page' : undefined}
          onClick={() => setView(v)}
        >
          {LABELS[v]}
        </button>
      ))}
    </nav>
  );
}
