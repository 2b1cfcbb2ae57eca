// The contract's health domain: the header's badge and its list of problems.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

/** Health of each loaded processor (main/core/health.ts): what `status --check` and `/metrics` report. */
export interface ProcessorHealthView {
  processor: string;
  cadence_minutes: number;
  last_run_started_at: string | null;
  last_run_finished_at: string | null;
  last_run_seconds: number | null;
  next_due_at: string;
  overdue: boolean;
  failing: boolean;
  stuck: boolean;
  quarantined: number;
  oldest_quarantined_at: string | null;
  healthy: boolean;
}

export interface HealthProblemView {
  kind: 'overdue' | 'failing' | 'stuck' | 'quarantined' | 'runner-stopped';
  /** null for a runner's problem (team store). */
  processor: string | null;
  /** What is wrong and what to do, in one line. */
  message: string;
}

export interface HealthReport {
  processors: ProcessorHealthView[];
  problems: HealthProblemView[];
}
