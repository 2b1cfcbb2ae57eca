import type { StatusCell } from '../../../main/api/contract.js';

/** One processor's status for one session; failures carry attempts and the last error in the tooltip. */
export function StatusChip({ cell, showName = true }: { cell: StatusCell; showName?: boolean }) {
  const attempts = cell.attempts ? ` ×${cell.attempts}` : '';
  const title = [`${cell.processor}: ${cell.status}${attempts}`, cell.lastError].filter(Boolean).join('\n');
  return (
    <span className={`chip chip-${cell.status}`} title={title} data-processor={cell.processor} data-status={cell.status}>
      {showName && <span className="chip-name">{cell.processor}</span>}
      <span className="chip-status">{cell.status}{attempts}</span>
    </span>
  );
}
