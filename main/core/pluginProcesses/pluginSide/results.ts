import type { ProcessLog } from '../../../sdk/processor.js';

export class ProcessorFailure extends Error {}

/** A processor ran past its time limit (a failure even when its run was cancelled meanwhile). */
export class ProcessorTimeout extends ProcessorFailure {}

export interface NormalizedResult {
  itemsCount: number;
  itemsJson: string[];
}

/**
 * `{ items?, itemsCount? }` → stored form, done in the plugin process so only strings cross to the host.
 * `emitted` items (ctx.emit) came before: returned items are numbered after them, and the default count
 * includes them. A result that is not an object counts as zero returned items (still processed) with a
 * warning; an item that cannot be stored as JSON fails the session, naming the item's index.
 */
export function normalizeResult(result: unknown, log: ProcessLog, emitted = 0): NormalizedResult {
  if (result === undefined) return { itemsCount: emitted, itemsJson: [] };
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    log.warn(`processSession returned ${describe(result)} instead of { items, itemsCount }: counted as 0 items`);
    return { itemsCount: emitted, itemsJson: [] };
  }
  const { items, itemsCount } = result as { items?: unknown; itemsCount?: unknown };
  let itemsJson: string[] = [];
  if (items !== undefined) {
    if (!Array.isArray(items)) log.warn(`result.items is ${describe(items)}, not an array: ignored`);
    else itemsJson = items.map((item, index) => serializeItem(item, emitted + index));
  }
  let count = emitted + itemsJson.length;
  if (itemsCount !== undefined) {
    if (typeof itemsCount === 'number' && Number.isSafeInteger(itemsCount) && itemsCount >= 0 && itemsCount <= 2_147_483_647) count = itemsCount;
    else log.warn(`result.itemsCount is ${describe(itemsCount)}, not a non-negative integer: using the number of items (${count})`);
  }
  return { itemsCount: count, itemsJson };
}

/** An item as stored (JSON text); `index` is its place among the session's items, for the error message. */
export function serializeItem(item: unknown, index: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(item, (_key, value: unknown) => {
      if (typeof value === 'bigint') throw new Error('contains a BigInt');
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`contains the number ${value}`);
      return value;
    });
  } catch (error) {
    throw new ProcessorFailure(`item ${index} cannot be stored as JSON: ${(error as Error).message}`);
  }
  if (json === undefined) throw new ProcessorFailure(`item ${index} cannot be stored as JSON: it is ${describe(item)}`);
  return json;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
