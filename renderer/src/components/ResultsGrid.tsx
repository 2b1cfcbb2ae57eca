// Query results, virtualised (a result may hold thousands of rows). Cell values are rendered as text.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { formatCell } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

const ROW = 28;
/** Characters of a cell shown in the grid (the tooltip holds the rest). */
const CELL_CLIP = 300;

export function ResultsGrid() {
  const result = useApp((s) => s.query.result);
  const ref = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: result?.rows.length ?? 0, getScrollElement: () => ref.current, estimateSize: () => ROW, overscan: 10 });
  if (!result) return <p className="muted">Run a query to see its rows.</p>;
  const template = `repeat(${Math.max(1, result.columns.length)}, minmax(8rem, 1fr))`;
  return (
    <div className="results">
      <p className="muted" data-testid="query-summary">
        {result.rows.length} row(s){result.truncated ? ' (truncated: export for all rows)' : ''} in {result.elapsedMs} ms
      </p>
      <div className="grid-scroll" ref={ref} tabIndex={0} role="grid" aria-label="Query results" aria-rowcount={result.rows.length + 1}>
        <div className="grid-row grid-head" role="row" style={{ gridTemplateColumns: template }}>
          {result.columns.map((c) => (
            <span key={c.name} role="columnheader" title={c.type}>
              {c.name}
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div key={item.key} className="grid-row" role="row" style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)` }}>
              {result.rows[item.index].map((value, i) => {
                const text = formatCell(value);
                return (
                  <span key={i} role="gridcell" title={text.length > CELL_CLIP ? text.slice(0, 2000) : undefined}>
                    {text.slice(0, CELL_CLIP)}
                  </span>
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
