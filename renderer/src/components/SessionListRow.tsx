import { memo, type MouseEvent } from 'react';
import type { SessionRow } from '../../../main/api/contract.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { StatusChip } from './StatusChip.js';

interface Props {
  index: number;
  top: number;
  row: SessionRow | undefined;
  selected: boolean;
  active: boolean;
  onClick(index: number, e: MouseEvent): void;
  onOpen(index: number): void;
}

export const SessionListRow = memo(function SessionListRow({ index, top, row, selected, active, onClick, onOpen }: Props) {
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
      className={`list-row${selected ? ' selected' : ''}${active ? ' active' : ''}`}
      style={style}
      id={`session-row-${index}`}
      role="option"
      aria-selected={selected}
      data-index={index}
      data-session={row.sessionKey}
      onClick={(e) => onClick(index, e)}
      onDoubleClick={() => onOpen(index)}
    >
      <span className="col-check" aria-hidden="true">{selected ? '☑' : '☐'}</span>
      <span className="col-key" title={row.sessionKey}>{row.sessionKey}</span>
      <span className="col-group" title={row.group}>{row.group}</span>
      <span className="col-size">{formatBytes(row.sizeBytes)}</span>
      <span className="col-time">{formatTime(row.modifiedAt)}</span>
      <span className="col-chips">
        {row.statuses.map((cell) => <StatusChip key={cell.processor} cell={cell} />)}
        <button type="button" className="link-button open-button" tabIndex={-1} onClick={(e) => { e.stopPropagation(); onOpen(index); }}>Open</button>
      </span>
    </div>
  );
});
