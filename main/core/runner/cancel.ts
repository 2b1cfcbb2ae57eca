import { setMaxListeners } from 'node:events';

/**
 * Cancelling within a run that several processors share: each processor has its own signal (the whole
 * run's or its own, whichever aborts first), and work shared by several processors stops only once
 * every one of them is cancelled.
 */

/**
 * A processor's cancel signal: aborted by the run's or its own, none when it has neither. Each of its
 * sessions in flight listens to it (twice: the dispatch and the plugin process's request), as many as the
 * pool holds tasks, past the 10 listeners after which Node warns of a leak.
 */
export function eitherAborted(run: AbortSignal | undefined, own: AbortSignal | undefined): AbortSignal | undefined {
  const sources = [run, own].filter((s): s is AbortSignal => s !== undefined);
  if (sources.length === 0) return undefined;
  const signal = AbortSignal.any(sources);
  setMaxListeners(0, signal);
  return signal;
}

/** Aborts once every signal has; undefined (never) when one of them can never abort. */
export function allAborted(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  if (signals.length === 0 || signals.some((s) => s === undefined)) return undefined;
  const present = signals as AbortSignal[];
  if (present.length === 1) return present[0];
  const controller = new AbortController();
  const check = () => {
    if (present.every((s) => s.aborted)) controller.abort();
  };
  for (const s of present) s.addEventListener('abort', check, { once: true });
  check();
  return controller.signal;
}
