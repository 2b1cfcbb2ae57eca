import type { LineSelection, SessionFile } from '../../sessionFile.js';

/**
 * One read and one parse of a session feeding several processors. Each processor that starts iterating
 * before the pass begins subscribes; the pass hands every batch of records to all subscribers and moves on
 * when each has consumed it (or stopped), so memory stays at one batch whatever the file size.
 * A processor that starts iterating later, or iterates twice, gets a private pass of its own.
 */
export class SharedPass {
  private readonly subscribers = new Map<Subscriber, string>();
  /** Distinct line selections of the subscribers (a group each), by key. */
  private readonly groups = new Map<string, { index: number; selection: LineSelection }>();
  private started = false;
  /** Set when the pass ran to the end of the file. */
  completed = false;
  /** The file line of the record each owner was handed last. */
  private readonly lines = new Map<string, number>();

  /**
   * `pause`: asked before each batch and each record handed out; when it returns a promise, the pass
   * (and so every processor reading it) waits for it (backpressure of the emitted items, see ItemOutbox).
   */
  constructor(
    private readonly file: SessionFile,
    private readonly pause: () => Promise<void> | undefined = () => undefined,
  ) {}

  /**
   * The records iterable for one processor (the owner). With a selection, only lines containing one of
   * its strings are parsed for it (a line no subscriber selects is never parsed at all).
   */
  records(owner: string, selection: LineSelection = null): AsyncIterable<unknown> {
    const pass = this;
    return {
      [Symbol.asyncIterator]() {
        if (pass.started) return pass.privatePass(owner, selection);
        const key = selection === null ? '*' : JSON.stringify([...selection].sort());
        let group = pass.groups.get(key);
        if (!group) pass.groups.set(key, (group = { index: pass.groups.size, selection }));
        const subscriber = new Subscriber(group.index, pass.pause, (line) => pass.lines.set(owner, line));
        pass.subscribers.set(subscriber, owner);
        return subscriber;
      },
    };
  }

  /** A pass of its own for a processor that iterates late or twice; it pauses like the shared one. */
  private async *privatePass(owner: string, selection: LineSelection): AsyncGenerator<unknown> {
    for await (const {
      records: [records],
      lineNos: [lineNos],
    } of this.file.recordBatches({ groups: [selection] })) {
      for (let i = 0; i < records.length; i++) {
        const wait = this.pause();
        if (wait) await wait;
        this.lines.set(owner, lineNos[i]);
        yield records[i];
      }
    }
  }

  /** The file line (1-based) of the record the owner's records() yielded last; 0 before the first. */
  lineNo(owner: string): number {
    return this.lines.get(owner) ?? 0;
  }

  /** Malformed lines among those the owner's selection picked, once the pass completed; null before. */
  malformedLines(owner: string): number | null {
    if (!this.completed) return null;
    for (const [s, o] of this.subscribers) if (o === owner) return this.file.malformedByGroup[s.group] ?? 0;
    return null;
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
      const groups = [...this.groups.values()].sort((a, b) => a.index - b.index).map((g) => g.selection);
      for await (const batch of this.file.recordBatches({ wanted: () => active().length > 0, groups })) {
        const wait = this.pause();
        if (wait) await wait;
        const waits: Promise<void>[] = [];
        for (const s of active()) if (batch.records[s.group].length > 0) waits.push(s.deliver(batch.records[s.group], batch.lineNos[s.group]));
        await Promise.all(waits);
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
  /** `pause`: asked before each record is handed out (a batch may hold many lines, each with many items). */
  constructor(
    readonly group = 0,
    private readonly pause: () => Promise<void> | undefined = () => undefined,
    /** Told the file line of each record as it is handed out. */
    private readonly onLine: (lineNo: number) => void = () => undefined,
  ) {}
  private batch: unknown[] = [];
  private lineNos: number[] = [];
  private index = 0;
  private ended = false;
  /** The consumer waits here for the next batch. */
  private wake: (() => void) | null = null;
  /** The pass waits here until this consumer has taken the whole batch. */
  private consumed: (() => void) | null = null;

  deliver(batch: unknown[], lineNos: number[] = []): Promise<void> {
    if (this.detached) return Promise.resolve();
    this.batch = batch;
    this.lineNos = lineNos;
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
      if (this.index < this.batch.length) {
        const wait = this.pause();
        if (wait) {
          await wait;
          continue; // detached meanwhile?
        }
        this.onLine(this.lineNos[this.index] ?? 0);
        return { done: false, value: this.batch[this.index++] };
      }
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
    this.lineNos = [];
    done?.();
  }
}
