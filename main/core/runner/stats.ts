/** The stats of one processor run, as printed by `run --json` and stored in processor_runs.stats. */
export interface RunStats {
  processor: string;
  run_id: string;
  /** Candidates after the mtime/version precheck: processed + skipped + capped + errors + quarantined + vanished + elsewhere. */
  scanned: number;
  processed: number;
  /** Same hash and version as stored, found after hashing: free, never counts against the caps. */
  skipped: number;
  /** Left for the next run by maxSessionsPerRun, the time budget or a cancel. */
  capped: number;
  /** Failed attempts (throw, rejection, timeout, unreadable file). */
  errors: number;
  /** Not attempted: quarantined after repeated failures on the same content. */
  quarantined: number;
  /** Gone between the scan and the read. */
  vanished: number;
  /** Shared store: left to another runner, which held the session's lease or had processed it meanwhile. */
  elsewhere: number;
  items_extracted: number;
  malformed_lines: number;
  errors_detail: { session: string; error: string }[];
  duration_ms: number;
  /** Session bytes read from disk (hashing and parsing): 0 on a run where nothing changed. */
  bytes_read: number;
  cancelled: boolean;
}

export function emptyStats(processor: string, runId: string): RunStats {
  return {
    processor,
    run_id: runId,
    scanned: 0,
    processed: 0,
    skipped: 0,
    capped: 0,
    errors: 0,
    quarantined: 0,
    vanished: 0,
    elsewhere: 0,
    items_extracted: 0,
    malformed_lines: 0,
    errors_detail: [],
    duration_ms: 0,
    bytes_read: 0,
    cancelled: false,
  };
}
