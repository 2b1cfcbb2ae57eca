// The 5-hour block that is running now (with its pace and where it ends at that pace), else the latest one.
import type { UsageBlockRow } from '../../../main/api/contract.js';
import { formatCount } from '../lib/format.js';
import { costText, minutesText, usd, zonedTime } from '../lib/usageFormat.js';

export function UsageBlockCard({ block, timeZone }: { block: UsageBlockRow | null; timeZone: string }) {
  if (!block) {
    return (
      <section className="card usage-block" data-testid="usage-block">
        <h3>5-hour block</h3>
        <p className="muted">No usage stored yet.</p>
      </section>
    );
  }
  const t = block.tokenCounts;
  // A block of unpriced models only has no cost to burn or project (never shown as $0).
  const unpriced = block.unpricedMessages >= block.entries;
  return (
    <section className="card usage-block" data-testid="usage-block" data-active={block.isActive}>
      <h3>
        {block.isActive ? 'Current 5-hour block' : 'Latest 5-hour block'} <span className="muted">(all projects)</span>
      </h3>
      <p>
        {zonedTime(block.startTime, timeZone)} – {zonedTime(block.endTime, timeZone)}{' '}
        {block.isActive && block.projection ? (
          <span className="chip chip-running">active, {minutesText(block.projection.remainingMinutes)} left</span>
        ) : (
          <span className="muted">ended (last message {block.actualEndTime ? zonedTime(block.actualEndTime, timeZone) : '–'})</span>
        )}
      </p>
      <dl className="facts">
        <dt>Tokens</dt>
        <dd data-testid="block-tokens">
          {formatCount(block.totalTokens)}{' '}
          <span className="muted">
            (input {formatCount(t.inputTokens)}, output {formatCount(t.outputTokens)}, cache create {formatCount(t.cacheCreationInputTokens)}, cache read{' '}
            {formatCount(t.cacheReadInputTokens)})
          </span>
        </dd>
        <dt>Cost</dt>
        <dd>{costText(block.costUSD, block.unpricedMessages, block.entries)}</dd>
        <dt>Models</dt>
        <dd>{block.models.join(', ') || '–'}</dd>
        <dt>Messages</dt>
        <dd>
          {formatCount(block.entries)} in {block.sessions} session(s){block.deletedSessions > 0 ? `, ${block.deletedSessions} from deleted files` : ''}
        </dd>
        {block.burnRate && (
          <>
            <dt>Burn rate</dt>
            <dd data-testid="block-burn-rate">
              {formatCount(Math.round(block.burnRate.tokensPerMinute))} tokens/min, {unpriced ? 'no price' : `${usd(block.burnRate.costPerHour)}/h`}
            </dd>
          </>
        )}
        {block.projection && (
          <>
            <dt>Projected at {zonedTime(block.endTime, timeZone).slice(11)}</dt>
            <dd data-testid="block-projection">
              {formatCount(block.projection.totalTokens)} tokens, {costText(block.projection.totalCost, block.unpricedMessages, block.entries)}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
