// The virtualised findings list: only the rows in view (plus a few) are in the DOM, so a store with tens of
// thousands of findings scrolls as smoothly as the sessions list. Arrow keys move the selection (the
// detail beside it follows); Enter or a double click opens the finding in its transcript.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { FINDINGS_LIMIT } from '../store/findingsSlice.js';
import { useApp, useAppStore } from '../StoreContext.js';
import { FindingListRow } from './FindingListRow.js';

/** Row height in px (fixed, as the sessions list's: measuring every row is what virtualisation avoids). */
export const FINDING_ROW_HEIGHT = 34;

export function FindingList() {
  const store = useAppStore();
  const visible = useApp((s) => s.findings.visible);
  const cursor = useApp((s) => s.findings.cursor);
  const filter = useApp((s) => s.findings.filter);
  const loaded = useApp((s) => s.findings.items !== null);
  const anyLoaded = useApp((s) => (s.findings.items?.length ?? 0) > 0);
  const truncated = useApp((s) => s.findings.truncated);
  const error = useApp((s) => s.findings.error);
  const sessionRoot = useApp((s) => s.info?.sessionRoot ?? null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const count = visible.length;
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => FINDING_ROW_HEIGHT, overscan: 8 });

  // Another filter: back to the selected finding if it is still listed, else to the top.
  useEffect(() => {
    const at = store.getState().findings.cursor;
    if (at >= 0) virtualizer.scrollToIndex(at, { align: 'auto' });
    else scrollRef.current?.scrollTo({ top: 0 });
    // Only a filter change moves the view: a reload after a run keeps where the reader is (the virtualizer is one
    // instance for the component's life, so listing it changes nothing).
  }, [filter, store, virtualizer]);

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
    switch (e.key) {
      case 'ArrowDown':
        move(cursor + 1);
        break;
      case 'ArrowUp':
        move(cursor === -1 ? 0 : cursor - 1);
        break;
      case 'PageDown':
        move(cursor + page);
        break;
      case 'PageUp':
        move(cursor - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(count - 1);
        break;
      case 'Enter':
        if (cursor >= 0) open(cursor);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  return (
    <div className="session-list finding-list">
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
        {loaded && count === 0 && (
          <div className="empty muted">
            {anyLoaded
              ? 'No findings match these filters.'
              : 'No findings: nothing has been found, or the secrets, errors and audit processors have not run yet (Runs, or session-inspector run).'}
          </div>
        )}
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
