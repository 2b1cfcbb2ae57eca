import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { PluginPool } from '../pluginProcesses/pool.js';
import type { ProcessorDescriptor } from '../pluginProcesses/protocol.js';
import type { SqlChecker } from './loader.js';
import { ManifestError, readManifest } from './manifest.js';
import { PluginSnapshots } from './snapshot.js';

export interface ValidationReport {
  folder: string;
  name: string | null;
  version: string | null;
  contentHash: string | null;
  processors: ProcessorDescriptor[];
  problems: string[];
}

/**
 * Every problem of a plugin folder at once: package.json, entry, then (in a plugin process, since the
 * user named this folder) the module and each exported processor, and whether the declared processor
 * names match the exported ones.
 */
export async function validatePlugin(folder: string, pool: PluginPool, checkSql: SqlChecker): Promise<ValidationReport> {
  const report: ValidationReport = { folder, name: null, version: null, contentHash: null, processors: [], problems: [] };
  let manifest;
  try {
    manifest = await readManifest(folder);
  } catch (error) {
    report.problems.push(...(error instanceof ManifestError ? error.problems.map((p) => `package.json ${p}`) : [errorMessage(error)]));
    return report;
  }
  report.name = manifest.name;
  report.version = manifest.version;
  // Imported from a snapshot, as a run would (where the SDK import resolves), in a cache of its own.
  const cache = mkdtempSync(join(tmpdir(), 'si-validate-'));
  try {
    const snapshot = await new PluginSnapshots(cache).take(folder);
    report.contentHash = snapshot.hash;
    const entryUrl = PluginSnapshots.entryUrl(snapshot.keep(), folder, manifest.entry);
    const described = await pool.request('describe', { entryUrl });
    report.processors = described.processors;
    report.problems.push(...described.errors);
    // SQL processors: the query is checked against an empty records relation of the declared columns.
    for (const processor of described.processors) {
      if (!processor.sql) continue;
      const { problems } = await checkSql(processor.sql);
      report.problems.push(...problems.map((p) => `processor "${processor.name}": ${p}`));
    }
  } catch (error) {
    report.problems.push(`cannot load ${manifest.entry}: ${errorMessage(error)}`);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  const exported = new Set(report.processors.map((p) => p.name));
  for (const name of manifest.declaredProcessors) {
    if (report.processors.length > 0 && !exported.has(name))
      report.problems.push(`package.json declares processor "${name}", but the module does not export it`);
  }
  for (const name of exported) {
    if (manifest.declaredProcessors.length > 0 && !manifest.declaredProcessors.includes(name)) {
      report.problems.push(`the module exports processor "${name}", which "sessionInspector.processors" in package.json does not list`);
    }
  }
  return report;
}
