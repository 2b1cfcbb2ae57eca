import { ITEM_MESSAGE_CHARS, ITEM_MESSAGE_ITEMS, ITEM_MESSAGES_IN_FLIGHT } from '../protocol.js';
import { ProcessorFailure, serializeItem } from './results.js';

type SendItems = (processor: string, items: string[]) => void;

/**
 * The items a task's processors emit (ctx.emit), on their way to the host: serialized at once, gathered
 * into messages of bounded size, and sent while fewer than ITEM_MESSAGES_IN_FLIGHT wait to be stored by
 * the host. Full messages beyond that wait here, and `room()` tells the shared pass to hold the next
 * batch of records until they are gone: so the processors, not the two processes' memory, slow down.
 */
export class ItemOutbox {
  private inFlight = 0;
  /** Full messages waiting for the host to store earlier ones, in order. */
  private readonly waiting: { processor: string; items: string[] }[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  /** Woken whenever messages were sent. */
  private readonly sentWaiters: (() => void)[] = [];

  constructor(
    private readonly sendItems: SendItems,
    private readonly maxInFlight = ITEM_MESSAGES_IN_FLIGHT,
  ) {}

  /** The emit side of one processor of the task. */
  open(processor: string): EmittedItems {
    return new EmittedItems(processor, this);
  }

  /** The host stored one message. */
  stored(): void {
    if (this.inFlight > 0) this.inFlight--;
    this.pump();
  }

  /** undefined when there is room now (the common case costs no promise); else resolves once there is. */
  room(): Promise<void> | undefined {
    if (this.hasRoom()) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Every full message is sent (the task's result must follow them, not overtake them). */
  async drained(): Promise<void> {
    while (this.waiting.length > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Every full message of one processor is sent (its outcome, sent ahead of the task's result, must follow them). */
  async drainedOf(processor: string): Promise<void> {
    while (this.waiting.some((m) => m.processor === processor)) await new Promise<void>((resolve) => this.sentWaiters.push(resolve));
  }

  /** @internal */
  enqueue(processor: string, items: string[]): void {
    this.waiting.push({ processor, items });
    this.pump();
  }

  /** @internal A processor failed: its messages not sent yet are dropped (the host discards its items anyway). */
  drop(processor: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i].processor === processor) this.waiting.splice(i, 1);
    this.pump();
  }

  private hasRoom(): boolean {
    return this.waiting.length === 0 && this.inFlight < this.maxInFlight;
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      const next = this.waiting.shift()!;
      this.inFlight++;
      this.sendItems(next.processor, next.items);
    }
    for (const wake of this.sentWaiters.splice(0)) wake();
    if (this.waiting.length === 0) for (const wake of this.drainWaiters.splice(0)) wake();
    if (this.hasRoom()) for (const wake of this.roomWaiters.splice(0)) wake();
  }
}

/** One processor's emitted items: numbered, serialized and batched as they come. */
export class EmittedItems {
  /** Items emitted so far (the next one's index). */
  count = 0;
  /** Items handed to the outbox in full messages (indexes 0..sent-1); the rest are in `buffer`. */
  sent = 0;
  /** The first item that could not be stored: it fails the session even if the processor caught the throw. */
  failure: ProcessorFailure | null = null;
  private buffer: string[] = [];
  private chars = 0;
  private closed = false;

  constructor(
    private readonly processor: string,
    private readonly outbox: ItemOutbox,
  ) {}

  /** Throws ProcessorFailure (naming the item's index) for an item that cannot be stored as JSON. */
  emit(item: unknown): void {
    if (this.closed) return; // a processor that timed out or returned and still emits: ignored
    if (this.failure) throw this.failure;
    let json: string;
    try {
      json = serializeItem(item, this.count);
    } catch (error) {
      this.failure = error as ProcessorFailure;
      throw error;
    }
    this.count++;
    this.buffer.push(json);
    this.chars += json.length;
    if (this.chars >= ITEM_MESSAGE_CHARS || this.buffer.length >= ITEM_MESSAGE_ITEMS) {
      this.outbox.enqueue(this.processor, this.buffer);
      this.sent += this.buffer.length;
      this.buffer = [];
      this.chars = 0;
    }
  }

  /** The processor succeeded: the items not sent yet (they travel with its outcome). */
  close(): string[] {
    this.closed = true;
    const rest = this.buffer;
    this.buffer = [];
    return rest;
  }

  /** The processor failed: nothing more of it goes to the host. */
  discard(): void {
    this.closed = true;
    this.buffer = [];
    this.outbox.drop(this.processor);
  }
}
