// The contract's runs domain: processors, runs in flight and their history, and the Runs view's charts.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export interface ProcessorInfo {
  name: string;
  version: string;
  cadenceMinutes: number;
  timeoutMs: number;
  plugin: string;
  /** The typed DuckDB view over its items, if it declares one. */
  view: string | null;
  lastRunAt: string | null;
  running: boolean;
  /** When the scheduler runs it next (null when background runs are off). */
  nextRunAt: string | null;
}

export interface RunStatsJson {
  processor: string;
  run_id: string;
  scanned: number;
  processed: number;
  skipped: number;
  capped: number;
  errors: number;
  quarantined: number;
  vanished: number;
  elsewhere: number;
  items_extracted: number;
  malformed_lines: number;
  errors_detail: { session: string; error: string }[];
  duration_ms: number;
  bytes_read: number;
  cancelled: boolean;
  error?: string;
}

export interface ActiveRun {
  processor: string;
  trigger: string;
  done: number;
  total: number;
  current: string | null;
  errors: number;
  elapsedMs: number;
  /** Estimated time left, from the pace so far (null until there is one). */
  etaMs: number | null;
}

export interface RunRecord {
  runId: string;
  processor: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  stats: RunStatsJson | null;
}

/** Sessions processed and errors per day, per processor, from the run history. */
export interface RunTimelinePoint {
  day: string;
  processor: string;
  processed: number;
  errors: number;
}

/** Tool usage charts of the runs view (tokens and cost are the usage page's: `usage/report`). */
export interface Dashboard {
  /** Whether the built-in usage processor's data is present. */
  usage: boolean;
  toolsByDay: { day: string; tool: string; calls: number; errors: number }[];
}
