// Database rows (JSON-safe already) shaped into the contract's types.
import type { JsonRow } from '../core/store/jsonRows.js';
import type { PluginReport } from '../core/plugins/loader.js';
import type * as C from './contract.js';
import type { RunStats } from '../core/runner/stats.js';
import type { RunProgressEvent } from '../core/runEvents.js';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/** ms since the epoch as an ISO-8601 instant. */
const time = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

/** A listed session (sessions/sessionIndex.ts) with one status cell per loaded processor; `running` marks the session a run is on. */
export function session(row: JsonRow, cells: JsonRow[], running: Map<string, string>): C.SessionRow {
  const key = String(row.session_file);
  return {
    sessionKey: key,
    group: String(row.username),
    sizeBytes: Number(row.size),
    modifiedAt: new Date(Number(row.modified)).toISOString(),
    statuses: cells
      .filter((c) => c.session_file === key)
      .map((c) => ({
        processor: String(c.processor),
        status: running.get(String(c.processor)) === key ? 'running' : (c.status as C.ProcessorStatus),
        attempts: num(c.attempts),
        lastError: str(c.last_error),
        processedAt: str(c.processed_at),
        itemsExtracted: num(c.items_extracted),
      })),
    title: str(row.title),
    project: String(row.project),
    projectPath: String(row.project_path),
    branch: str(row.branch),
    startedAt: time(row.started),
    endedAt: time(row.ended_ms),
    durationS: num(row.duration),
    messages: num(row.messages),
    prompts: num(row.prompts),
    replies: num(row.replies),
    costUsd: num(row.cost),
    unpricedMessages: num(row.unpriced_messages),
    toolErrors: num(row.errors),
    secrets: num(row.secrets),
    parentSession: str(row.root) !== key ? str(row.root) : null,
    subagents: Number(row.subagents ?? 0),
  };
}

export function state(row: JsonRow): C.StateRow {
  return {
    processor: String(row.processor_name),
    sessionKey: String(row.session_file),
    group: String(row.username),
    processedAt: str(row.processed_at),
    itemsExtracted: Number(row.items_extracted ?? 0),
    fileHash: str(row.file_hash),
    processorVersion: str(row.processor_version),
  };
}

export function failure(row: JsonRow): C.FailureRow {
  return {
    processor: String(row.processor_name),
    sessionKey: String(row.session_file),
    attempts: Number(row.attempts),
    quarantined: row.quarantined === true,
    firstFailedAt: str(row.first_failed_at),
    lastFailedAt: str(row.last_failed_at),
    lastError: str(row.last_error),
    fileHash: str(row.file_hash),
  };
}

export function run(row: JsonRow): C.RunRecord {
  return {
    runId: String(row.run_id),
    processor: String(row.processor_name),
    trigger: String(row.trigger),
    startedAt: String(row.started_at),
    finishedAt: str(row.finished_at),
    stats: (row.stats as unknown as C.RunStatsJson | null) ?? null,
  };
}

export function audit(row: JsonRow): C.AuditEntry {
  return {
    auditId: Number(row.audit_id),
    at: String(row.at),
    action: String(row.action),
    processor: String(row.processor_name),
    sessionKey: String(row.session_file),
    before: row.before ?? null,
    after: row.after ?? null,
    undoneBy: num(row.undone_by),
  };
}

export function plugin(p: PluginReport): C.PluginInfo {
  return {
    folder: p.folder,
    origin: p.origin,
    name: p.name,
    version: p.version,
    contentHash: p.contentHash,
    approval: p.approval,
    enabled: p.enabled,
    loaded: p.loaded,
    processors: p.processors,
    errors: p.errors,
  };
}

// The contract restates these engine types (it imports nothing); these lines make the compiler keep them equal.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const statsMatch: Same<Omit<RunStats, never>, Omit<C.RunStatsJson, 'error'>> = true;
export const progressMatch: Same<Omit<RunProgressEvent, 'type'>, C.ActiveRun> = true;
