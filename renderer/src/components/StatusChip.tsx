import type { ProcessorStatus, StatusCell } from '../../../main/api/contract.js';

const SYMBOL: Record<ProcessorStatus, string> = {
  processed: '✓',
  stale: '↻',
  pending: '○',
  running: '◔',
  failed: '✗',
  quarantined: '⛔',
};

/**
 * One processor's status for one session: symbol and colour by status, the processor's name, attempts for
 * failures; the tooltip (and the accessible name) spell out the status and the last error.
 */
export function StatusChip({ cell }: { cell: StatusCell }) {
  const attempts = cell.attempts ? ` ×${cell.attempts}` : '';
  const label = `${cell.processor}: ${cell.status}${attempts}`;
  const title = [label, cell.lastError].filter(Boolean).join('\n');
  return (
    <span className={`chip chip-${cell.status}`} title={title} aria-label={label} data-processor={cell.processor} data-status={cell.status}>
      <span className="chip-status" aria-hidden="true">
        {SYMBOL[cell.status]}
      </span>
      <span className="chip-name" aria-hidden="true">
        {cell.processor}
        {attempts}
      </span>
    </span>
  );
}
