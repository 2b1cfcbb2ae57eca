/**
 * Time as the scheduler sees it: the current time and one-shot timers. Injected so that tests drive
 * cadence, debounce and polling deterministically; production uses the system clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/** Opaque timer handle. */
export type ClockTimer = { readonly id: unknown };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms) }),
  clearTimeout: (timer) => {
    if (timer) clearTimeout(timer.id as NodeJS.Timeout);
  },
};
