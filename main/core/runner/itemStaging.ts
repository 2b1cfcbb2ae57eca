import { errorMessage } from '../errors.js';
import type { StateStore } from '../store/stateStore.js';

/** What one processor of a task had staged when the task ended. */
export interface StagedItems {
  attempt: number;
  count: number;
}

interface Attempt {
  attempt: number;
  count: number;
  /** The store's inserts of this attempt, in order. */
  writes: Promise<void>;
  error: string | null;
}

/**
 * The items one task's processors emit while it runs, staged in the store as they arrive (one attempt
 * per processor and task), so the runner never holds a session's items. Once the task ends, each
 * processor's attempt is either handed to its outcome (`settle`) or discarded.
 */
export class ItemStaging {
  private readonly attempts = new Map<string, Attempt>();

  constructor(
    private readonly store: StateStore,
    private readonly processors: ReadonlySet<string>,
  ) {}

  /** One 'items' message; resolves once stored (the plugin process then sends the next). */
  stage(processor: string, itemsJson: string[]): Promise<void> {
    if (!this.processors.has(processor)) return Promise.resolve(); // not a processor of this task
    let a = this.attempts.get(processor);
    if (!a) this.attempts.set(processor, (a = { attempt: this.store.newStagingAttempt(), count: 0, writes: Promise.resolve(), error: null }));
    const attempt = a;
    const first = attempt.count;
    attempt.count += itemsJson.length;
    attempt.writes = attempt.writes.then(async () => {
      if (attempt.error !== null) return;
      try {
        await this.store.stageItems(attempt.attempt, first, itemsJson);
      } catch (error) {
        attempt.error = `cannot stage its items: ${errorMessage(error)}`;
      }
    });
    return attempt.writes;
  }

  /**
   * A processor's staged items once every insert is done: none (undefined), or the attempt to commit
   * with its outcome; `expected` is how many the plugin process says it sent. A failed insert or a count
   * that does not match fails the processor on this session (its items are discarded).
   */
  async settle(processor: string, expected: number): Promise<{ staged?: StagedItems; error?: string }> {
    const a = this.attempts.get(processor);
    this.attempts.delete(processor);
    if (!a) return expected === 0 ? {} : { error: `${expected} items it emitted never reached the host` };
    await a.writes;
    let error = a.error;
    if (error === null && a.count !== expected) error = `the host received ${a.count} of the ${expected} items it emitted`;
    if (error !== null) {
      await this.store.discardStagedItems(a.attempt);
      return { error };
    }
    return { staged: { attempt: a.attempt, count: a.count } };
  }

  /** The task ended without a success for these processors (all, when none is named): their items never count. */
  async discard(processor?: string): Promise<void> {
    for (const [name, a] of [...this.attempts]) {
      if (processor !== undefined && name !== processor) continue;
      this.attempts.delete(name);
      await a.writes;
      await this.store.discardStagedItems(a.attempt);
    }
  }
}
