import type { Json, JsonRow } from './jsonRows.js';

/** What is stored for one (processor, session) that was processed. */
export interface StoredState {
  sessionKey: string;
  processedAtMs: number | null;
  fileHash: string | null;
  /** null for rows written by the original pipeline, before processors had versions. */
  processorVersion: string | null;
}

/** The failure record of one (processor, session). */
export interface StoredFailure {
  sessionKey: string;
  attempts: number;
  fileHash: string | null;
  quarantined: boolean;
  processorVersion: string | null;
  /** Read time of the last failed attempt: a file not modified since then still holds the same content. */
  lastReadAtMs: number | null;
}

/** Everything the runner needs to decide which sessions are due, loaded once per processor run. */
export interface ProcessorSnapshot {
  states: Map<string, StoredState>;
  failures: Map<string, StoredFailure>;
}

/** A session's `group` (its first folder) is stored in the `username` column, the Python pipeline's name for it. */
export type SessionOutcome =
  | {
      kind: 'processed';
      sessionKey: string;
      group: string;
      readAt: Date;
      fileHash: string;
      itemsCount: number;
      /** Items staged while the session ran (StateStore.stageItems): they come first, item_index 0..count-1. */
      staged?: { attempt: number; count: number };
      /** The other items, in order, numbered after the staged ones. */
      itemsJson: string[];
    }
  | { kind: 'failed'; sessionKey: string; group: string; readAt: Date; fileHash: string | null; error: string }
  /** Hashed and found as stored (skipped): only the read time moves on, so the file is not hashed again. */
  | { kind: 'unchanged'; sessionKey: string; group: string; readAt: Date; fileHash: string };

export interface StateFilter {
  processor?: string[];
  session?: string[];
}

/** A session to mark processed: its content was hashed now, at readAt. */
export interface MarkProcessedEntry {
  sessionKey: string;
  group: string;
  readAt: Date;
  fileHash: string;
}

/** One manual change, as written to state_audit. */
export interface AuditEntry {
  action: string;
  processorName: string;
  sessionFile: string;
  before: Json;
  after: Json;
}

export type { Json, JsonRow };
