import type { Clock, ClockTimer } from '../../../main/core/scheduler/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  handle: ClockTimer;
}

/** The one thing tests fake: time. Timers fire only when advance() passes their time, in time order. */
export class ManualClock implements Clock {
  private timers: Pending[] = [];
  private seq = 0;

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const handle: ClockTimer = { id: ++this.seq };
    this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq, fn, handle });
    return handle;
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    this.timers = this.timers.filter((t) => t.handle !== timer);
  }

  /** Moves time forward by ms, firing every timer due on the way (including ones set by those timers). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /** Milliseconds until the earliest timer, or null when none is set. */
  nextTimerIn(): number | null {
    if (this.timers.length === 0) return null;
    return Math.min(...this.timers.map((t) => t.at)) - this.time;
  }
}
