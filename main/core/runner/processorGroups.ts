/**
 * A session is split over the plugin processes only from this size: below it, starting a second process
 * (a few hundred ms) costs about what parsing the file once more does.
 */
export const SPLIT_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The groups a session's due JavaScript processors run in, each group in its own plugin process reading the
 * file once. One group, unless the session is at least SPLIT_MIN_BYTES and holds more than one process's
 * share of the run's bytes (`runBytes`): such a session would keep one process busy long after the others ran
 * out of work (one 1 GB file: a single core for the whole run), so its processors are dealt round-robin into
 * one group per process, each group parsing the file again: more CPU in all, but on cores that would
 * otherwise idle. Every other session keeps one read and one parse for all its processors.
 */
export function processorGroups<T>(sessionBytes: number, due: T[], processes: number, runBytes: number): T[][] {
  const parts = Math.min(processes, due.length);
  if (parts < 2 || sessionBytes < SPLIT_MIN_BYTES || sessionBytes * processes <= runBytes) return [due];
  return Array.from({ length: parts }, (_, part) => due.filter((_run, index) => index % parts === part));
}
