// Which columns the sessions list shows and in what order: a checkbox and two move buttons per column,
// all reachable by keyboard; the choice is remembered (sessionsSlice.setShownColumns).
import { useEffect, useRef, useState } from 'react';
import type { SessionColumnId, SessionColumnInfo } from '../../../main/api/contract.js';
import { DEFAULT_SESSION_COLUMNS } from '../lib/sessionCells.js';
import { useApp } from '../StoreContext.js';

interface ColumnItemProps {
  column: SessionColumnInfo;
  /** Its place among the shown columns, or -1 when hidden. */
  index: number;
  shownCount: number;
  toggle(id: SessionColumnId): void;
  moveBy(id: SessionColumnId, by: -1 | 1): void;
}

function ColumnItem({ column: c, index, shownCount, toggle, moveBy }: ColumnItemProps) {
  return (
    <div className="columns-item" data-column={c.id}>
      <label title={c.description}>
        <input type="checkbox" checked={index >= 0} onChange={() => toggle(c.id)} /> {c.label}
      </label>
      <button type="button" className="icon-button" aria-label={`Move ${c.label} left`} disabled={index <= 0} onClick={() => moveBy(c.id, -1)}>
        ↑
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Move ${c.label} right`}
        disabled={index < 0 || index === shownCount - 1}
        onClick={() => moveBy(c.id, 1)}
      >
        ↓
      </button>
    </div>
  );
}

/** Every column, shown ones first in their order, each with its checkbox and move buttons. */
function ColumnsPopover({ close }: { close(): void }) {
  const columns = useApp((s) => s.sessions.columns);
  const shown = useApp((s) => s.sessions.shownColumns);
  const setShown = useApp((s) => s.setShownColumns);

  // Shown columns first, in their order, then the hidden ones in main's order.
  const ordered = [...shown.flatMap((id) => columns.filter((c) => c.id === id)), ...columns.filter((c) => !shown.includes(c.id))];
  const toggle = (id: SessionColumnId) => setShown(shown.includes(id) ? shown.filter((c) => c !== id) : [...shown, id]);
  const moveBy = (id: SessionColumnId, by: -1 | 1) => {
    const i = shown.indexOf(id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= shown.length) return;
    const next = [...shown];
    [next[i], next[j]] = [next[j], next[i]];
    setShown(next);
  };

  return (
    <div
      className="columns-popover"
      role="group"
      aria-label="Columns"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      {ordered.map((c) => (
        <ColumnItem key={c.id} column={c} index={shown.indexOf(c.id)} shownCount={shown.length} toggle={toggle} moveBy={moveBy} />
      ))}
      <button type="button" className="link-button" onClick={() => setShown(DEFAULT_SESSION_COLUMNS)}>
        Reset columns
      </button>
    </div>
  );
}

export function SessionColumnsMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: globalThis.MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);

  return (
    <div className="columns-menu" ref={ref}>
      <button
        type="button"
        className="icon-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label="Choose columns"
        title="Choose columns"
        onClick={() => setOpen(!open)}
      >
        ⚙
      </button>
      {open && <ColumnsPopover close={() => setOpen(false)} />}
    </div>
  );
}
