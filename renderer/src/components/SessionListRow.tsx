import { memo, type MouseEvent } from 'react';
import type { SessionColumnInfo, SessionRow } from '../../../main/api/contract.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { cellHint, cellValue, emptyReason, fileName, formatCellValue } from '../lib/sessionCells.js';
import { StatusChip } from './StatusChip.js';

interface Props {
  index: number;
  top: number;
  row: SessionRow | undefined;
  /** 1 for a subagent transcript shown under its session. */
  depth: 0 | 1;
  columns: SessionColumnInfo[];
  expanded: boolean;
  selected: boolean;
  active: boolean;
  onClick(index: number, e: MouseEvent): void;
  onOpen(index: number): void;
  onToggle(index: number): void;
}

/** What a screen reader says for a row: what the session was, where, and when. */
function rowName(row: SessionRow): string {
  const what = row.title ?? fileName(row.sessionKey);
  const when = row.startedAt ? `started ${formatTime(row.startedAt)}` : `modified ${formatTime(row.modifiedAt)}`;
  return `${what}, ${row.project}, ${when}${row.subagents > 0 ? `, ${row.subagents} subagent transcripts` : ''}`;
}

function Cell({
  column,
  row,
  depth,
  expanded,
  index,
  onToggle,
}: {
  column: SessionColumnInfo;
  row: SessionRow;
  depth: 0 | 1;
  expanded: boolean;
  index: number;
  onToggle(index: number): void;
}) {
  const value = cellValue(column.id, row);
  const className = `col-${column.id}`;
  if (column.id === 'title') {
    // Before summary has run, the file is all the scan knows: its name, size and time, and when the title comes.
    const text =
      value === null ? (
        <span className="muted" title={`${row.sessionKey}\n${emptyReason(column, row)}`}>
          {fileName(row.sessionKey)} · {formatBytes(row.sizeBytes)} · {formatTime(row.modifiedAt)}
        </span>
      ) : (
        <span className="title-text" title={cellHint('title', row)}>
          {String(value)}
        </span>
      );
    return (
      <span className={className}>
        {depth === 1 && (
          <span className="subagent-mark" aria-hidden="true">
            ↳{' '}
          </span>
        )}
        {row.subagents > 0 && depth === 0 && (
          <button
            type="button"
            className="link-button expand-button"
            tabIndex={-1}
            aria-expanded={expanded}
            aria-label={`${expanded ? 'Hide' : 'Show'} ${row.subagents} subagent transcripts`}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(index);
            }}
          >
            {expanded ? '▾' : '▸'} {row.subagents}
          </button>
        )}
        {text}
      </span>
    );
  }
  if (value === null) {
    const reason = emptyReason(column, row);
    return (
      <span className={`${className} empty-cell`} title={reason} aria-label={`${column.label}: ${reason}`}>
        –
      </span>
    );
  }
  return (
    <span className={className} title={cellHint(column.id, row)}>
      {formatCellValue(column, value)}
    </span>
  );
}

export const SessionListRow = memo(function SessionListRow({ index, top, row, depth, columns, expanded, selected, active, onClick, onOpen, onToggle }: Props) {
  const style = { transform: `translateY(${top}px)` };
  if (!row) {
    return (
      <div className="list-row loading" style={style} id={`session-row-${index}`} role="option" aria-selected={false} data-index={index}>
        <span className="muted">Loading…</span>
      </div>
    );
  }
  return (
    <div
      className={`list-row${selected ? ' selected' : ''}${active ? ' active' : ''}${depth === 1 ? ' subagent-row' : ''}`}
      style={style}
      id={`session-row-${index}`}
      role="option"
      aria-selected={selected}
      aria-label={`${depth === 1 ? 'subagent transcript: ' : ''}${rowName(row)}`}
      data-index={index}
      data-session={row.sessionKey}
      onClick={(e) => onClick(index, e)}
      onDoubleClick={() => onOpen(index)}
    >
      <span className="col-check" aria-hidden="true">
        {selected ? '☑' : '☐'}
      </span>
      {columns.map((column) => (
        <Cell key={column.id} column={column} row={row} depth={depth} expanded={expanded} index={index} onToggle={onToggle} />
      ))}
      <span className="col-status">
        {row.statuses.map((cell) => (
          <StatusChip key={cell.processor} cell={cell} />
        ))}
        <button
          type="button"
          className="link-button open-button"
          tabIndex={-1}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(index);
          }}
        >
          Open
        </button>
      </span>
    </div>
  );
});
