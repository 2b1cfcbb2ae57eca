// The contract's state domain: the rows of the state editor and the audit of every manual change.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export interface StateRow {
  processor: string;
  sessionKey: string;
  group: string;
  processedAt: string | null;
  itemsExtracted: number;
  fileHash: string | null;
  processorVersion: string | null;
}

export interface FailureRow {
  processor: string;
  sessionKey: string;
  attempts: number;
  quarantined: boolean;
  firstFailedAt: string | null;
  lastFailedAt: string | null;
  lastError: string | null;
  fileHash: string | null;
}

export interface AuditEntry {
  auditId: number;
  at: string;
  action: string;
  processor: string;
  sessionKey: string;
  before: unknown;
  after: unknown;
  /** Set once this change was undone (by the audit entry with that id). */
  undoneBy: number | null;
}
