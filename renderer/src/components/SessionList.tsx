// The virtualised session list: only the rows in view (plus a few) are in the DOM, and only the pages around
// them are in memory; 'sessions/list' pages the rest in DuckDB.
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { SessionColumnInfo } from '../../../main/api/contract.js';
import type { AppStore } from '../store/createAppStore.js';
import { visibleAt, visibleCount } from '../store/sessionsSlice.js';
import { useApp, useAppStore } from '../StoreContext.js';
import { SessionColumnsMenu } from './SessionColumnsMenu.js';
import { SessionListRow } from './SessionListRow.js';

/** Row height in px (fixed: measuring 100,000 rows is what virtualisation avoids). */
export const ROW_HEIGHT = 34;

interface KeyContext {
  store: AppStore;
  count: number;
  cursor: number;
  /** Rows a PageUp/PageDown moves by. */
  pageRows: number;
  move(index: number, e: KeyboardEvent): void;
}

/** Acts on one key in the list; false when the key is not the list's (left to the browser). */
function handleListKey(e: KeyboardEvent<HTMLDivElement>, { store, count, cursor, pageRows, move }: KeyContext): boolean {
  const s = store.getState();
  switch (e.key) {
    case 'ArrowDown':
      move(cursor + 1, e);
      break;
    case 'ArrowUp':
      move(cursor - 1, e);
      break;
    case 'PageDown':
      move(cursor + pageRows, e);
      break;
    case 'PageUp':
      move(cursor - pageRows, e);
      break;
    case 'Home':
      move(0, e);
      break;
    case 'End':
      move(count - 1, e);
      break;
    case ' ':
      s.selectSession(cursor, 'toggle');
      break;
    case 'Enter': {
      const row = visibleAt(s.sessions, cursor).row;
      if (row) void s.openSession(row.sessionKey);
      break;
    }
    // Subagent transcripts open under their session as in a tree: right shows them, left hides them.
    case 'ArrowRight':
    case 'ArrowLeft': {
      const { row, depth, top } = visibleAt(s.sessions, cursor);
      const open = s.sessions.expansions.some((x) => x.parent === row?.sessionKey);
      if (depth === 1 && e.key === 'ArrowLeft') move(top + s.sessions.expansions.filter((x) => x.at < top).reduce((n, x) => n + (x.rows?.length ?? 0), 0), e);
      else if (row && depth === 0 && open === (e.key === 'ArrowLeft')) void s.toggleSubagents(cursor);
      else return false;
      break;
    }
    case 'Escape':
      s.setSessionSelection([]);
      break;
    default:
      return false;
  }
  return true;
}

/** The column headers: each sorts the list by its column. */
function SessionListHead({ columns }: { columns: SessionColumnInfo[] }) {
  const sort = useApp((s) => s.sessions.sort);
  const setSort = useApp((s) => s.setSessionSort);

  function sortBy(column: SessionColumnInfo) {
    // A new column starts from what people look for first: the newest, the largest, A to Z.
    const first = column.kind === 'text' ? 'asc' : 'desc';
    setSort({ by: column.id, dir: sort.by === column.id ? (sort.dir === 'asc' ? 'desc' : 'asc') : first });
  }

  return (
    <div className="list-head" role="presentation">
      <span className="col-check" />
      {columns.map((c) => (
        <button
          key={c.id}
          type="button"
          className={`col-${c.id} sort-button`}
          aria-label={`Sort by ${c.label}`}
          aria-pressed={sort.by === c.id}
          title={c.description}
          onClick={() => sortBy(c)}
        >
          {c.label}
          {sort.by === c.id ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </button>
      ))}
      <span className="col-status">Processors</span>
      <SessionColumnsMenu />
    </div>
  );
}

/** Keeps the rows in view loaded, and goes back to the top when the list starts over (a new filter or sort). */
function useSessionRowLoading(store: AppStore, count: number, first: number, last: number, scrollRef: RefObject<HTMLDivElement | null>) {
  const total = useApp((s) => s.sessions.total);
  const generation = useApp((s) => s.sessions.generation);
  const pages = useApp((s) => s.sessions.pages);
  const expansions = useApp((s) => s.sessions.expansions);
  useEffect(() => {
    if (total === null && generation === 0 && Object.keys(pages).length === 0) store.getState().ensureSessionRows(0, 0);
  }, [total, generation, pages, store]);
  useEffect(() => {
    if (count > 0) store.getState().ensureSessionRows(first, last);
  }, [first, last, count, generation, expansions, store]);
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [generation, scrollRef]);
}

/** The list's key handler: arrows, pages, Home and End move the cursor (shift selects a range on the way). */
function listKeyDown(
  store: AppStore,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  scrollRef: RefObject<HTMLDivElement | null>,
  count: number,
  cursor: number,
) {
  function move(index: number, e: KeyboardEvent) {
    const next = Math.max(0, Math.min(count - 1, index));
    const s = store.getState();
    if (e.shiftKey) s.selectSession(next, 'range');
    else s.setSessionCursor(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (count === 0) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    if (handleListKey(e, { store, count, cursor, pageRows, move })) e.preventDefault();
  }
  return onKeyDown;
}

/** What a click, a double click and the subagent toggle do to the row at a visible index. */
function rowHandlers(store: AppStore) {
  function onRowClick(index: number, e: MouseEvent) {
    const s = store.getState();
    s.selectSession(index, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
  }

  function onRowOpen(index: number) {
    const s = store.getState();
    const row = visibleAt(s.sessions, index).row;
    if (row) void s.openSession(row.sessionKey);
  }

  function onToggle(index: number) {
    void store.getState().toggleSubagents(index);
  }
  return { onRowClick, onRowOpen, onToggle };
}

export function SessionList() {
  const store = useAppStore();
  const total = useApp((s) => s.sessions.total);
  const selection = useApp((s) => s.sessions.selection);
  const cursor = useApp((s) => s.sessions.cursor);
  const error = useApp((s) => s.sessions.error);
  const allColumns = useApp((s) => s.sessions.columns);
  const shownColumns = useApp((s) => s.sessions.shownColumns);
  const expansions = useApp((s) => s.sessions.expansions);
  const scrollRef = useRef<HTMLDivElement>(null);

  const columns = shownColumns.flatMap((id) => allColumns.filter((c) => c.id === id));
  const count = total === null ? 0 : visibleCount(store.getState().sessions);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  useSessionRowLoading(store, count, items[0]?.index ?? 0, items[items.length - 1]?.index ?? 0, scrollRef);

  const selected = new Set(selection);

  const onKeyDown = listKeyDown(store, virtualizer, scrollRef, count, cursor);
  const { onRowClick, onRowOpen, onToggle } = rowHandlers(store);

  return (
    <div className="session-list">
      <SessionListHead columns={columns} />
      {error && (
        <div className="error-text" role="alert">
          {error}
        </div>
      )}
      <div
        ref={scrollRef}
        id="session-list"
        className="list-scroll"
        tabIndex={0}
        role="listbox"
        aria-label="Sessions"
        aria-multiselectable="true"
        aria-activedescendant={count > 0 ? `session-row-${cursor}` : undefined}
        onKeyDown={onKeyDown}
        data-testid="session-scroll"
      >
        {total === 0 && <div className="empty muted">No sessions match.</div>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const { row, depth } = visibleAt(store.getState().sessions, item.index);
            return (
              <SessionListRow
                key={item.key}
                index={item.index}
                top={item.start}
                row={row}
                depth={depth}
                columns={columns}
                expanded={row ? expansions.some((x) => x.parent === row.sessionKey) : false}
                selected={row ? selected.has(row.sessionKey) : false}
                active={item.index === cursor}
                onClick={onRowClick}
                onOpen={onRowOpen}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
