// Real ProcessorRuns over made-up sessions, for the runner's parts tested on their own (no store, no processes).
import type { LoadedProcessor } from '../../../main/core/plugins/loader.js';
import type { Candidate } from '../../../main/core/runner/candidates.js';
import { ProcessorRun } from '../../../main/core/runner/processorRun.js';
import type { SessionEntry } from '../../../main/core/sessionFile.js';

export function entry(key: string, sizeBytes = 100): SessionEntry {
  return { path: `/sessions/${key}`, sessionKey: key, group: key.split('/')[0], sizeBytes, mtimeMs: 0 };
}

export function processor(name: string): LoadedProcessor {
  return { name, version: '1', cadenceMinutes: 10, timeoutMs: 1000, pluginFolder: '/plugins', pluginName: 'fake', entryUrl: 'file:///plugins/index.js' };
}

/** A run of `name` whose candidates are `keys`; `quarantined` ones are quarantined on unchanged content. */
export function run(name: string, keys: string[], options: { quarantined?: string[]; cancel?: AbortSignal; claims?: boolean } = {}): ProcessorRun {
  const candidates: Candidate[] = keys.map((key) => ({
    entry: entry(key),
    state: undefined,
    failure: undefined,
    hashFirst: false,
    quarantinedUnread: options.quarantined?.includes(key) ?? false,
  }));
  return new ProcessorRun(processor(name), candidates, options.claims ?? false, options.cancel);
}

/** The outcome of a processed session, as the plugin dispatch records it. */
export function processed(r: ProcessorRun, key: string, items = 1): void {
  const itemsJson = Array.from({ length: items }, () => '{}');
  r.record(entry(key), { kind: 'processed', itemsCount: items, itemsStreamed: 0, itemsJson, malformedLines: 0 }, new Date(0), 'hash', 10);
}
