import type { SessionFile } from '../../sessionFile.js';

/**
 * One read and one parse of a session feeding several processors. Each processor that starts iterating
 * before the pass begins subscribes; the pass hands every batch of records to all subscribers and moves on
 * when each has consumed it (or stopped), so memory stays at one batch whatever the file size.
 * A processor that starts iterating later, or iterates twice, gets a private pass of its own.
 */
export class SharedPass {
  private readonly subscribers = new Map<Subscriber, string>();
  private started = false;
  /** Set when the pass ran to the end of the file. */
  completed = false;

  constructor(private readonly file: SessionFile) {}

  /** The records iterable for one processor (the owner). */
  records(owner: string): AsyncIterable<unknown> {
    const pass = this;
    return {
      [Symbol.asyncIterator]() {
        if (pass.started) return pass.file.records()[Symbol.asyncIterator]();
        const subscriber = new Subscriber();
        pass.subscribers.set(subscriber, owner);
        return subscriber;
      },
    };
  }

  /** Stops waiting for a processor that failed, timed out or returned early; all of them when no owner is named. */
  detach(owner?: string): void {
    for (const [s, o] of this.subscribers) if (owner === undefined || o === owner) s.detach();
  }

  /** Drives the pass; call after every processor has had its synchronous start. */
  async run(): Promise<void> {
    this.started = true;
    if (this.subscribers.size === 0) return; // nobody iterates: the hash reads the file on its own
    const active = () => [...this.subscribers.keys()].filter((s) => !s.detached);
    try {
      // When every subscriber has stopped, the rest of the file is only hashed (the hash is needed anyway).
      for await (const batch of this.file.recordBatches(() => active().length > 0)) {
        await Promise.all(active().map((s) => s.deliver(batch)));
      }
      this.completed = true;
    } finally {
      for (const s of this.subscribers.keys()) s.end();
    }
  }
}

/** An async iterator fed batch by batch by the shared pass. */
export class Subscriber implements AsyncIterator<unknown> {
  detached = false;
  private batch: unknown[] = [];
  private index = 0;
  private ended = false;
  /** The consumer waits here for the next batch. */
  private wake: (() => void) | null = null;
  /** The pass waits here until this consumer has taken the whole batch. */
  private consumed: (() => void) | null = null;

  deliver(batch: unknown[]): Promise<void> {
    if (this.detached) return Promise.resolve();
    this.batch = batch;
    this.index = 0;
    return new Promise((resolve) => {
      this.consumed = resolve;
      this.wake?.();
      this.wake = null;
    });
  }

  end(): void {
    this.ended = true;
    this.wake?.();
    this.wake = null;
  }

  detach(): void {
    this.detached = true;
    this.release();
  }

  async next(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.detached) return { done: true, value: undefined };
      if (this.index < this.batch.length) return { done: false, value: this.batch[this.index++] };
      this.release();
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<unknown>> {
    this.detach(); // a `break` out of for-await: stop holding the pass back
    return { done: true, value: undefined };
  }

  private release(): void {
    const done = this.consumed;
    this.consumed = null;
    this.batch = [];
    done?.();
  }
}
