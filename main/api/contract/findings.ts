// The contract's findings domain: leaked secrets, tool errors and audit findings, their reviews and redaction.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

/** What a finding is: a leaked secret, a tool error, or one of the audit processors' findings. */
export const FINDING_CATEGORIES = ['secret', 'tool_error', 'destructive_command', 'outside_write', 'permission_bypass'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** A leaked secret, a tool error or an audit finding, with its review (main/core/findings.ts; docs/findings.md). */
export interface Finding {
  /** Stable: the same thing found again in the same place (after reprocessing) keeps it. */
  id: string;
  category: FindingCategory;
  processor: string;
  kind: string;
  session_file: string;
  /** The file's 1-based line, as the transcript view numbers it. */
  line_no: number;
  /** A secret's redacted preview (never the secret), a tool error's text, a command, a path, a mode switch. */
  summary: string | null;
  occurred_at: string | null;
  status: FindingStatus;
  note: string | null;
  reviewed_at: string | null;
}

export const FINDING_STATUSES = ['open', 'confirmed', 'false-positive', 'fixed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** One secret finding in a redaction (`secrets/redact`; main/core/redaction): what happened to it, never the secret. */
export interface RedactionRow {
  finding_id: string;
  session_file: string;
  line_no: number;
  kind: string;
  /** The redacted preview. */
  preview: string;
  outcome: 'redacted' | 'would-redact' | 'refused' | 'skipped';
  /** Why it was refused or skipped (or what went wrong after it was redacted); null when all went well. */
  reason: string | null;
  /** Refused only because its session was written to recently: `force` redacts it. */
  forceable: boolean;
}

export interface RedactReport {
  /** The files were changed (false: a dry run). */
  applied: boolean;
  rows: RedactionRow[];
  /** Stored items of any processor that held a redacted secret, rewritten. */
  items: number;
}
