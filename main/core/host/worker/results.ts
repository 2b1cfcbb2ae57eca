import type { ProcessContext, ProcessLog } from '../../sdk/processor.js';
import type { LoadedProcessor } from '../plugins/loader.js';
import type { SessionFile } from '../sessionFile.js';

export class ProcessorFailure extends Error {}

export interface Invocation {
  itemsCount: number;
  itemsJson: string[];
}

/**
 * Calls processSession with its time limit. At the limit ctx.signal aborts (a cooperative plugin stops)
 * and the call counts as failed at once; whatever it still does in the background is ignored.
 */
export async function invokeProcessor(processor: LoadedProcessor, session: SessionFile, log: ProcessLog, cancel?: AbortSignal): Promise<Invocation> {
  const controller = new AbortController();
  const onCancel = () => controller.abort(new ProcessorFailure('run cancelled'));
  cancel?.addEventListener('abort', onCancel, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new ProcessorFailure(`timeout after ${processor.timeoutMs} ms`);
      controller.abort(reason);
      reject(reason);
    }, processor.timeoutMs);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const ctx: ProcessContext = { signal: controller.signal, log };
  try {
    const result = await Promise.race([Promise.resolve().then(() => processor.processSession(session, ctx)), limit]);
    return normalizeResult(result, log);
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

/**
 * `{ items?, itemsCount? }` → stored form. A result that is not an object counts as zero items (still
 * processed) with a warning; an item that cannot be stored as JSON fails the session with its index.
 */
export function normalizeResult(result: unknown, log: ProcessLog): Invocation {
  if (result === undefined) return { itemsCount: 0, itemsJson: [] };
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    log.warn(`processSession returned ${describe(result)} instead of { items, itemsCount }: counted as 0 items`);
    return { itemsCount: 0, itemsJson: [] };
  }
  const { items, itemsCount } = result as { items?: unknown; itemsCount?: unknown };
  let itemsJson: string[] = [];
  if (items !== undefined) {
    if (!Array.isArray(items)) {
      log.warn(`result.items is ${describe(items)}, not an array: ignored`);
    } else {
      itemsJson = items.map((item, index) => serializeItem(item, index));
    }
  }
  let count = itemsJson.length;
  if (itemsCount !== undefined) {
    if (typeof itemsCount === 'number' && Number.isSafeInteger(itemsCount) && itemsCount >= 0 && itemsCount <= 2_147_483_647) count = itemsCount;
    else log.warn(`result.itemsCount is ${describe(itemsCount)}, not a non-negative integer: using items.length (${count})`);
  }
  return { itemsCount: count, itemsJson };
}

function serializeItem(item: unknown, index: number): string {
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
  if (typeof value === 'string') return `a string`;
  return `a ${typeof value}`;
}
