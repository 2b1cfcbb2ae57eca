import type { UsageBucket } from './usageBuckets.js';
import { UsageTally } from './usageTally.js';

/** Claude's usage limits reset over 5-hour windows; ccusage calls one window of activity a block. */
export const BLOCK_MS = 5 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface UsageBlock {
  /** Start of the block: its first message's time floored to the hour (UTC), or a gap's start. */
  startMs: number;
  /** startMs + 5 h for a block; the next message's time for a gap. */
  endMs: number;
  isGap: boolean;
  /** Buckets of the block's messages; none for a gap. */
  tally: UsageTally;
}

/**
 * Splits time into 5-hour blocks the way ccusage does: a block starts at its first message's time floored
 * to the UTC hour, and a message starts a new block when it comes more than 5 hours after the block's
 * start or after the previous message. When messages are more than 5 hours apart, the quiet time from 5
 * hours after the last message to the next message is a gap block.
 *
 * Buckets stand for their messages exactly: a block's 5 hours end on a quarter-hour q, and a message
 * exactly at q still belongs to it, so those messages have buckets of their own (onBoundary); the others of
 * a quarter-hour all lie after q or all before the next one, and are under 15 minutes apart.
 */
export function usageBlocks(buckets: UsageBucket[]): UsageBlock[] {
  // Messages exactly on a quarter-hour come before the rest of it.
  const slots = new Map<number, UsageBucket[]>();
  for (const b of buckets) {
    const key = b.bucketMs * 2 + (b.onBoundary ? 0 : 1);
    const slot = slots.get(key);
    if (slot) slot.push(b);
    else slots.set(key, [b]);
  }
  const blocks: UsageBlock[] = [];
  let current: UsageBlock | undefined;
  let lastMs = -Infinity;
  for (const start of [...slots.keys()].sort((a, b) => a - b)) {
    const slot = slots.get(start)!;
    const firstMs = Math.min(...slot.map((b) => b.firstMs));
    if (!current || firstMs - current.startMs > BLOCK_MS || firstMs - lastMs > BLOCK_MS) {
      if (current && firstMs - lastMs > BLOCK_MS) {
        blocks.push({ startMs: lastMs + BLOCK_MS, endMs: firstMs, isGap: true, tally: new UsageTally() });
      }
      const blockStart = Math.floor(firstMs / HOUR_MS) * HOUR_MS;
      current = { startMs: blockStart, endMs: blockStart + BLOCK_MS, isGap: false, tally: new UsageTally() };
      blocks.push(current);
    }
    // Models in the order of their first message, as ccusage lists a block's models.
    for (const b of slot) current.tally.add(b, String(b.firstMs).padStart(16, '0'));
    lastMs = Math.max(lastMs, ...slot.map((b) => b.lastMs));
  }
  return blocks;
}
