// What `status` and the app's processor table show per processor, and marking sessions processed by hand.
import { UsageError } from './errors.js';
import type { LoadedProcessor, PluginSet } from './plugins/loader.js';
import { selectCandidates } from './runner/candidates.js';
import type { ScanResult } from './scan.js';
import { SessionFile, type SessionEntry } from './sessionFile.js';
import type { StateStore } from './store/stateStore.js';
import type { JsonRow } from './store/types.js';

/** What the status needs of the engine (an interface keeps this module and the engine acyclic). */
export interface StatusSource {
  readonly store: StateStore;
  plugins(): Promise<PluginSet>;
  scanWithArchive(): Promise<ScanResult>;
}

/**
 * One row per processor known to the database or loaded: counts from the store, plus `pending`
 * (sessions the next run would look at, from a stat-only scan; null when the root cannot be scanned).
 */
export async function processorStatus(engine: StatusSource, onScanError?: (message: string) => void): Promise<JsonRow[]> {
  const rows = new Map((await engine.store.summary()).map((row) => [String(row.processor_name), row]));
  const { processors } = await engine.plugins();
  let sessions: ScanResult['sessions'] | null = null;
  try {
    sessions = (await engine.scanWithArchive()).sessions;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    onScanError?.(error.message);
  }
  for (const processor of processors) {
    const row = rows.get(processor.name) ?? {
      processor_name: processor.name,
      processed: 0,
      items_extracted: 0,
      failed: 0,
      quarantined: 0,
      last_run_at: null,
      last_run_stats: null,
    };
    row.loaded = true;
    row.version = processor.version;
    if (sessions) {
      const { due, snapshot } = await engine.store.dueSnapshot(processor.name, processor.version, sessions);
      row.pending = selectCandidates(due, snapshot, processor.version).length;
    } else {
      row.pending = null;
    }
    rows.set(processor.name, row);
  }
  return [...rows.values()]
    .map((row): JsonRow => ({ ...row, loaded: row.loaded ?? false, version: row.version ?? null, pending: row.pending ?? null }))
    .sort((a, b) => (String(a.processor_name) < String(b.processor_name) ? -1 : 1));
}

/** Hashes the named sessions as they are now and records them as processed by the processor's current version. */
export async function markProcessed(
  store: StateStore,
  processor: LoadedProcessor,
  sessions: SessionEntry[],
  sessionKeys: string[],
  root: string,
): Promise<number> {
  const byKey = new Map(sessions.map((s) => [s.sessionKey, s]));
  const unknown = sessionKeys.filter((key) => !byKey.has(key));
  if (unknown.length > 0) throw new UsageError(`--session ${unknown.join(', ')}: no such session under ${root}`);
  const entries = [];
  for (const key of sessionKeys) {
    const file = await SessionFile.open(byKey.get(key)!);
    try {
      entries.push({ sessionKey: key, group: file.group, readAt: file.readAt, fileHash: await file.md5() });
    } finally {
      await file.close();
    }
  }
  return store.markProcessed(processor.name, processor.version, entries);
}
