import { memo } from 'react';
import type { Finding } from '../../../main/api/contract.js';
import { formatTime } from '../lib/format.js';
import { CATEGORY_SINGULAR, STATUS_LABEL } from '../lib/findingLabels.js';
import { projectOf } from '../lib/findingsFilter.js';

interface Props {
  index: number;
  top: number;
  finding: Finding | undefined;
  sessionRoot: string | null;
  active: boolean;
  onSelect(index: number): void;
  onOpen(index: number): void;
}

/** One line of a summary (a tool error's text can be many): the detail beside the list shows it whole. */
function firstLine(text: string | null): string {
  if (!text) return '';
  const end = text.indexOf('\n');
  return end === -1 ? text : `${text.slice(0, end)} …`;
}

export const FindingListRow = memo(function FindingListRow({ index, top, finding, sessionRoot, active, onSelect, onOpen }: Props) {
  if (!finding) return null;
  const f = finding;
  // The option's name, read by a screen reader in place of the cells.
  const name = `${CATEGORY_SINGULAR[f.category]} ${f.kind}, ${f.session_file} line ${f.line_no}, ${STATUS_LABEL[f.status]}`;
  return (
    <div
      className={`list-row finding-row${active ? ' selected active' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      id={`finding-row-${index}`}
      role="option"
      aria-selected={active}
      aria-label={name}
      data-index={index}
      data-finding={f.id}
      data-category={f.category}
      onClick={() => onSelect(index)}
      onDoubleClick={() => onOpen(index)}
    >
      <span className="col-fstatus">
        <span className={`chip finding-status-${f.status}`}>{STATUS_LABEL[f.status]}</span>
      </span>
      <span className="col-kind" title={`${CATEGORY_SINGULAR[f.category]}: ${f.kind}`}>
        {f.kind}
      </span>
      <span className="col-summary" title={f.summary ?? ''}>
        {firstLine(f.summary)}
      </span>
      <span className="col-session" title={`${f.session_file} (project ${projectOf(f.session_file, sessionRoot)})`}>
        {f.session_file}
      </span>
      <span className="col-line">{f.line_no}</span>
      <span className="col-time col-when">{formatTime(f.occurred_at)}</span>
    </div>
  );
});
