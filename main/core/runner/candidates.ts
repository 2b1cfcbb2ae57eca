import type { SessionEntry } from '../sessionFile.js';
import type { ProcessorSnapshot, StoredFailure, StoredState } from '../store/types.js';
import { LEGACY_VERSION, MTIME_SLACK_MS, isStale } from '../dueRule.js';

export interface Candidate {
  entry: SessionEntry;
  /** The stored result, where the rule needs it: of this version, or of a session that failed since. */
  state: StoredState | undefined;
  failure: StoredFailure | undefined;
  /** A stored result of this version exists: hash first, skip when the content is unchanged. */
  hashFirst: boolean;
  /** Quarantined and the file looks untouched since the last failed read: skip without reading. */
  quarantinedUnread: boolean;
}

/**
 * Rule 1: a session is a candidate when it has no state row, its processor version differs, or its mtime
 * is not safely older than the stored read time. Stable files are filtered here, without being read.
 * Rule 6: never-failed candidates go first, so a block of poison sessions cannot starve healthy ones.
 */
export function selectCandidates(sessions: SessionEntry[], snapshot: ProcessorSnapshot, version: string, only?: Set<string>): Candidate[] {
  const fresh: Candidate[] = [];
  const retried: Candidate[] = [];
  for (const entry of sessions) {
    if (only && !only.has(entry.sessionKey)) continue;
    const state = snapshot.states.get(entry.sessionKey);
    const failure = snapshot.failures.get(entry.sessionKey);
    const sameVersion = state !== undefined && (state.processorVersion ?? LEGACY_VERSION) === version;
    if (!isStale(state, version, entry.mtimeMs) && !failure) continue;
    const quarantined = failure !== undefined && failure.quarantined && failure.processorVersion === version;
    const candidate: Candidate = {
      entry,
      state,
      failure,
      hashFirst: sameVersion,
      quarantinedUnread: quarantined && failure.lastReadAtMs !== null && entry.mtimeMs < failure.lastReadAtMs - MTIME_SLACK_MS,
    };
    (failure ? retried : fresh).push(candidate);
  }
  retried.sort((a, b) => a.failure!.attempts - b.failure!.attempts);
  return [...fresh, ...retried];
}

/**
 * Rule 6 across processors: sessions no processor has failed on go first, then those with failures,
 * fewest attempts first; within each group, the scan's order (by session key).
 */
export function sessionOrder(sessions: SessionEntry[], runs: { candidates: ReadonlyMap<string, Candidate> }[]): SessionEntry[] {
  const fresh: SessionEntry[] = [];
  const retried: { entry: SessionEntry; attempts: number }[] = [];
  for (const entry of sessions) {
    let any = false;
    let attempts = 0;
    for (const run of runs) {
      const c = run.candidates.get(entry.sessionKey);
      if (!c) continue;
      any = true;
      if (c.failure) attempts = Math.max(attempts, c.failure.attempts);
    }
    if (!any) continue;
    if (attempts === 0) fresh.push(entry);
    else retried.push({ entry, attempts });
  }
  retried.sort((a, b) => a.attempts - b.attempts);
  return [...fresh, ...retried.map((r) => r.entry)];
}
