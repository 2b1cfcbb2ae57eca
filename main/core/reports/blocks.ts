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
 * to the UTC hour, and a message starts a new block when it comes 5 hours or more after the block's start
 * or after the previous message. When messages are more than 5 hours apart, the quiet time between the
 * first block's window and the next message is a gap block.
 *
 * Buckets stand for their messages exactly: every message of a quarter-hour bucket falls in one block,
 * because blocks start on whole hours, and the messages inside a bucket are under 15 minutes apart.
 */
export function usageBlocks(buckets: UsageBucket[]): UsageBlock[] {
  const slots = new Map<number, UsageBucket[]>();
  for (const b of buckets) {
    const slot = slots.get(b.bucketMs);
    if (slot) slot.push(b);
    else slots.set(b.bucketMs, [b]);
  }
  const blocks: UsageBlock[] = [];
  let current: UsageBlock | undefined;
  let lastMs = -Infinity;
  for (const start of [...slots.keys()].sort((a, b) => a - b)) {
    const slot = slots.get(start)!;
    const firstMs = Math.min(...slot.map((b) => b.firstMs));
    if (!current || firstMs - current.startMs >= BLOCK_MS || firstMs - lastMs >= BLOCK_MS) {
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
