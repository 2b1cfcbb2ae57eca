// The usage table: one row per day, week or month, the report's totals at the foot.
import type { UsagePeriodRow, UsageTotals } from '../../../main/api/contract.js';
import { formatCount } from '../lib/format.js';
import { costText, periodOf, sessionsText } from '../lib/usageFormat.js';

const AMOUNTS: [string, string, (r: UsageTotals) => number][] = [
  ['input', 'Input', (r) => r.inputTokens],
  ['output', 'Output', (r) => r.outputTokens],
  ['cache-create', 'Cache create', (r) => r.cacheCreationTokens],
  ['cache-read', 'Cache read', (r) => r.cacheReadTokens],
  ['total', 'Total tokens', (r) => r.totalTokens],
];

export function UsageTable({ periodLabel, rows, totals }: { periodLabel: string; rows: UsagePeriodRow[]; totals: UsageTotals }) {
  return (
    <div className="table-scroll usage-table-scroll">
      <table className="table usage-table" data-testid="usage-table" aria-label={`Usage per ${periodLabel.toLowerCase()}`}>
        <thead>
          <tr>
            <th>{periodLabel}</th>
            <th>Models</th>
            {AMOUNTS.map(([key, label]) => (
              <th key={key} className="num">
                {label}
              </th>
            ))}
            <th className="num">Cost (USD)</th>
            <th className="num" title="Sessions with messages in the period; those whose transcript file was deleted are still counted">
              Sessions
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={periodOf(r)} data-period={periodOf(r)}>
              <td data-col="period">{periodOf(r)}</td>
              <td data-col="models" className="models">
                {r.modelsUsed.join(', ')}
              </td>
              {AMOUNTS.map(([key, , pick]) => (
                <td key={key} data-col={key} className="num">
                  {formatCount(pick(r))}
                </td>
              ))}
              <td data-col="cost" className={r.unpricedMessages > 0 ? 'num unpriced' : 'num'}>
                {costText(r.totalCost, r.unpricedMessages, r.messages)}
              </td>
              <td
                data-col="sessions"
                className="num"
                title={
                  r.deletedSessions > 0 ? `${r.deletedSessions} of these sessions' transcript files were deleted; their usage is still counted` : undefined
                }
              >
                {sessionsText(r.sessions, r.deletedSessions)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-period="total">
            <th scope="row">Total</th>
            <td />
            {AMOUNTS.map(([key, , pick]) => (
              <td key={key} data-col={key} className="num">
                {formatCount(pick(totals))}
              </td>
            ))}
            <td data-col="cost" className="num">
              {costText(totals.totalCost, totals.unpricedMessages, totals.messages)}
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
