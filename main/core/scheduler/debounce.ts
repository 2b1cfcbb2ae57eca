import type { Clock, ClockTimer } from './clock.js';

/**
 * Trailing debounce with a ceiling: fires `waitMs` after the last trigger, but never later than
 * `maxWaitMs` after the first one, so a session appended to every second for an hour still gets a run
 * every `maxWaitMs` instead of none until it goes quiet.
 */
export class Debouncer {
  private timer: ClockTimer | undefined;
  private firstAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly waitMs: number,
    private readonly maxWaitMs: number,
    private readonly fire: () => void,
  ) {}

  get pending(): boolean {
    return this.firstAt !== null;
  }

  trigger(): void {
    const now = this.clock.now();
    this.firstAt ??= now;
    this.clock.clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.waitMs, this.firstAt + this.maxWaitMs - now));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.firstAt = null;
      this.fire();
    }, delay);
  }

  cancel(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.firstAt = null;
  }
}
