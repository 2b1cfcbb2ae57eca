import type { SessionFile } from '../../sessionFile.js';
import type { EarlyOutcome, ProcessorOutcome } from '../protocol.js';
import type { ItemOutbox } from './itemOutbox.js';

/**
 * A processor that ended reports its outcome ahead of the task's result only once the others of its
 * session have run this much longer (ms): most sessions end well within it, and a message per processor
 * and session would cost real time over 100,000 small ones.
 */
export const EARLY_OUTCOME_AFTER_MS = 500;

/**
 * The outcomes of a session's processors that end while others still run. A quick processor must not wait
 * for a slow one of the same session, so its outcome goes ahead of the task's result, once the others have
 * run EARLY_OUTCOME_AFTER_MS past the first end (later ends go at once) and the read is over (its hash is of
 * exactly what was read). When the last processor ends, the result carries every outcome not sent yet.
 */
export class EarlyOutcomes {
  private running: number;
  /** Ended while others run, waiting for the timer; null once it has fired. */
  private waiting: [string, ProcessorOutcome][] | null = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sending: Promise<void>[] = [];
  private readonly read: Promise<void>;
  private readStarted!: (reading: Promise<void>) => void;
  private hashing: Promise<string> | undefined;

  /** `send`: none when nobody listens (the outcomes then all travel with the result). */
  constructor(
    private readonly file: SessionFile,
    private readonly outbox: ItemOutbox,
    processors: number,
    private readonly send?: (processor: string, early: EarlyOutcome) => void,
  ) {
    this.running = processors;
    this.read = new Promise<void>((resolve) => (this.readStarted = resolve));
    this.read.catch(() => undefined); // a failed read is the result's to report
  }

  /** The shared pass has started reading the file. */
  reading(reading: Promise<void>): void {
    this.readStarted(reading);
  }

  /** A processor ended with `outcome`. */
  ended(processor: string, outcome: ProcessorOutcome): void {
    if (--this.running === 0)
      clearTimeout(this.timer); // the result carries every outcome
    else if (!this.send) return;
    else if (this.waiting === null) this.sending.push(this.sendEarly(processor, outcome));
    else {
      this.waiting.push([processor, outcome]);
      this.timer ??= setTimeout(() => {
        for (const [name, waiting] of this.waiting ?? []) this.sending.push(this.sendEarly(name, waiting));
        this.waiting = null;
      }, EARLY_OUTCOME_AFTER_MS);
    }
  }

  /** Every early outcome is sent (they may still be hashing: the result's hash must not start a second read). */
  async settled(): Promise<void> {
    await Promise.all(this.sending);
  }

  private async sendEarly(processor: string, outcome: ProcessorOutcome): Promise<void> {
    try {
      const fileHash = await (this.hashing ??= this.read.then(() => this.file.md5()));
      await this.outbox.drainedOf(processor); // its items go before the outcome that counts them
      this.send?.(processor, { outcome, readAtMs: this.file.readAt.getTime(), fileHash, bytesRead: this.file.bytesRead });
    } catch {
      // the read failed: the task's result says so
    }
  }
}
