// Rule 1, written once: when a stored result no longer stands for a session file. The runner applies the
// TypeScript form (selectCandidates); the store's due query and the sessions list's status apply the SQL
// form. test/core/dueRule.test.ts holds the two equal on both database backends.

/**
 * mtime resolution and clock skew: a write in the last 50 ms before the recorded read time may not be in
 * what was read, so such a file is hashed instead of trusted.
 */
export const MTIME_SLACK_MS = 50;

/** Rows written before processors had versions count as the default version, "1". */
export const LEGACY_VERSION = '1';

/** What rule 1 reads of a stored state row. */
export interface StoredRead {
  processorVersion: string | null;
  processedAtMs: number | null;
}

/** Whether `version` must look at the file again: no result, another version's, or a file modified since it was read. */
export function isStale(state: StoredRead | undefined, version: string, mtimeMs: number): boolean {
  if (state === undefined || (state.processorVersion ?? LEGACY_VERSION) !== version || state.processedAtMs === null) return true;
  return mtimeMs >= state.processedAtMs - MTIME_SLACK_MS;
}

/**
 * isStale in SQL, for a LEFT JOINed state row `st` (absent when st.session_file IS NULL), the processor
 * version `version` and the file's mtime in ms `mtimeMs` (SQL expressions). `widenMs` widens the mtime
 * margin, for a pre-filter that must never leave a stale session out (TIMESTAMP and DOUBLE round differently).
 */
export function staleSql(st: string, version: string, mtimeMs: string, widenMs = 0): string {
  return `(${st}.session_file IS NULL OR ${st}.processed_at IS NULL OR coalesce(${st}.processor_version, '${LEGACY_VERSION}') <> ${version}
    OR ${mtimeMs} >= epoch_ms(${st}.processed_at) - ${MTIME_SLACK_MS + widenMs})`;
}
