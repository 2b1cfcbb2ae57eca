// The virtualised findings list: only the rows in view (plus a few) are in the DOM, so a store with tens of
// thousands of findings scrolls as smoothly as the sessions list. Arrow keys move the selection (the
// detail beside it follows); Enter or a double click opens the finding in its transcript.
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import type { AppStore } from '../store/createAppStore.js';
import { FINDINGS_LIMIT } from '../store/findingsSlice.js';
import { useApp, useAppStore } from '../StoreContext.js';
import { FindingListRow } from './FindingListRow.js';

/** Row height in px (fixed, as the sessions list's: measuring every row is what virtualisation avoids). */
export const FINDING_ROW_HEIGHT = 34;

/** Where a key moves the cursor, 'open' for Enter, or null when the key is not the list's. */
function keyTarget(key: string, cursor: number, page: number, count: number): number | 'open' | null {
  switch (key) {
    case 'ArrowDown':
      return cursor + 1;
    case 'ArrowUp':
      return cursor === -1 ? 0 : cursor - 1;
    case 'PageDown':
      return cursor + page;
    case 'PageUp':
      return cursor - page;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'Enter':
      return 'open';
    default:
      return null;
  }
}

/** The column labels, and above the rows why the list is empty or short. */
function FindingListHead({ error, truncated }: { error: string | null; truncated: boolean }) {
  return (
    <>
      <div className="list-head" role="presentation">
        <span className="col-fstatus">Status</span>
        <span className="col-kind">Kind</span>
        <span className="col-summary">What</span>
        <span className="col-session">Session</span>
        <span className="col-line">Line</span>
        <span className="col-time col-when">When</span>
      </div>
      {error && (
        <div className="error-text" role="alert">
          Cannot read the findings: {error}
        </div>
      )}
      {truncated && (
        <div className="warn-text" role="status">
          Only the newest {FINDINGS_LIMIT.toLocaleString('en-US')} findings were read: <code>session-inspector findings list --kind KIND</code> lists older
          ones.
        </div>
      )}
    </>
  );
}

function FindingListEmpty({ anyLoaded }: { anyLoaded: boolean }) {
  return (
    <div className="empty muted">
      {anyLoaded
        ? 'No findings match these filters.'
        : 'No findings: nothing has been found, or the secrets, errors and audit processors have not run yet (Runs, or session-inspector run).'}
    </div>
  );
}

/** Another filter: back to the selected finding if it is still listed, else to the top. */
function useScrollToSelectionOnFilter(store: AppStore, virtualizer: Virtualizer<HTMLDivElement, Element>, scrollRef: RefObject<HTMLDivElement | null>) {
  const filter = useApp((s) => s.findings.filter);
  useEffect(() => {
    const at = store.getState().findings.cursor;
    if (at >= 0) virtualizer.scrollToIndex(at, { align: 'auto' });
    else scrollRef.current?.scrollTo({ top: 0 });
    // Only a filter change moves the view: a reload after a run keeps where the reader is (the virtualizer is one
    // instance for the component's life, so listing it changes nothing).
  }, [filter, store, virtualizer, scrollRef]);
}

export function FindingList() {
  const store = useAppStore();
  const visible = useApp((s) => s.findings.visible);
  const cursor = useApp((s) => s.findings.cursor);
  const loaded = useApp((s) => s.findings.items !== null);
  const anyLoaded = useApp((s) => (s.findings.items?.length ?? 0) > 0);
  const truncated = useApp((s) => s.findings.truncated);
  const error = useApp((s) => s.findings.error);
  const sessionRoot = useApp((s) => s.info?.sessionRoot ?? null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const count = visible.length;
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => FINDING_ROW_HEIGHT, overscan: 8 });

  useScrollToSelectionOnFilter(store, virtualizer, scrollRef);

  function move(index: number) {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    store.getState().selectFindingAt(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  }

  function open(index: number) {
    const finding = store.getState().findings.visible[index];
    if (finding) void store.getState().openFinding(finding);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (count === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / FINDING_ROW_HEIGHT) - 1);
    const target = keyTarget(e.key, cursor, page, count);
    if (target === null) return;
    if (target === 'open') {
      if (cursor >= 0) open(cursor);
    } else move(target);
    e.preventDefault();
  }

  return (
    <div className="session-list finding-list">
      <FindingListHead error={error} truncated={truncated} />
      <div
        ref={scrollRef}
        id="finding-list"
        className="list-scroll"
        tabIndex={0}
        role="listbox"
        aria-label="Findings"
        aria-activedescendant={cursor >= 0 ? `finding-row-${cursor}` : undefined}
        onKeyDown={onKeyDown}
        data-testid="finding-scroll"
      >
        {loaded && count === 0 && <FindingListEmpty anyLoaded={anyLoaded} />}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => (
            <FindingListRow
              key={item.key}
              index={item.index}
              top={item.start}
              finding={visible[item.index]}
              sessionRoot={sessionRoot}
              active={item.index === cursor}
              onSelect={(i) => store.getState().selectFindingAt(i)}
              onOpen={open}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
