import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import type { PluginPool } from '../pluginProcesses/pool.js';
import type { ProcessorDescriptor } from '../pluginProcesses/protocol.js';
import type { CheckedSql } from '../sql/sqlSandbox.js';
import type { SqlSpec } from './processorSchema.js';
import { ManifestError, readManifest } from './manifest.js';
import { PluginSnapshots } from './snapshot.js';

/** Where a plugin folder came from: built-in and command-line folders are trusted. */
export type PluginOrigin = 'builtin' | 'cli' | 'user';

export interface PluginSource {
  path: string;
  origin: PluginOrigin;
}

export interface LoadedProcessor extends ProcessorDescriptor {
  pluginFolder: string;
  pluginName: string;
  /** Module URL inside the plugin's content-hash snapshot: a changed plugin is a new module. */
  entryUrl: string;
  /** A SQL processor's declaration as checked against DuckDB when it loaded (absent for JavaScript ones). */
  checked?: CheckedSql;
}

/** Checks a SQL processor's declaration (SqlEngine.check): its checked form, or the problems. */
export type SqlChecker = (spec: SqlSpec) => Promise<{ checked?: CheckedSql; problems: string[] }>;

/**
 * trusted: built-in or named on the command line; approved: user plugin whose content matches its
 * approval; unapproved: never approved; changed: approved once, but its files changed since.
 */
export type Approval = 'trusted' | 'approved' | 'unapproved' | 'changed';

export interface PluginReport {
  folder: string;
  origin: PluginOrigin;
  approval: Approval;
  enabled: boolean;
  /** Its code was loaded (enabled, trusted or approved, and it loaded without error). */
  loaded: boolean;
  name: string | null;
  version: string | null;
  /** SHA-256 of the folder's files (null when it could not be read). */
  contentHash: string | null;
  processors: string[];
  errors: string[];
}

export interface PluginSet {
  processors: LoadedProcessor[];
  plugins: PluginReport[];
}

/** Decides, before any code is loaded, whether a plugin folder may run: its approval and enabled state. */
export type LoadGate = (folder: string, origin: PluginOrigin, contentHash: string) => { approval: Approval; enabled: boolean };

const trustAll: LoadGate = () => ({ approval: 'trusted', enabled: true });

/** What loading one folder needs and adds to: the set being built and who owns each processor name so far. */
interface LoadContext {
  pool: PluginPool;
  snapshots: PluginSnapshots;
  checkSql: SqlChecker;
  gate: LoadGate;
  set: PluginSet;
  owners: Map<string, string>;
}

/** Adds the processors a plugin described, in order, skipping taken names and SQL that does not check. */
async function addProcessors(
  ctx: LoadContext,
  report: PluginReport,
  described: { processors: ProcessorDescriptor[] },
  manifest: { name: string; entry: string },
  entryUrl: string,
): Promise<void> {
  const folder = report.folder;
  for (const processor of described.processors) {
    const owner = ctx.owners.get(processor.name);
    if (owner !== undefined) {
      report.errors.push(`duplicate processor name "${processor.name}" (already provided by ${owner}); this one is not loaded`);
      continue;
    }
    let checked: CheckedSql | undefined;
    if (processor.sql) {
      // Refused when it loads, naming the reason, rather than failing every session later.
      const result = await ctx.checkSql(processor.sql);
      if (!result.checked) {
        report.errors.push(`${manifest.entry}: processor "${processor.name}": ${result.problems.join('; ')}`);
        continue;
      }
      checked = result.checked;
    }
    ctx.owners.set(processor.name, folder);
    report.processors.push(processor.name);
    ctx.set.processors.push({ ...processor, pluginFolder: folder, pluginName: manifest.name, entryUrl, ...(checked ? { checked } : {}) });
  }
}

/** Reports one plugin folder and, when it may run and loads, adds its processors. */
async function loadPluginFolder(ctx: LoadContext, folder: string, origin: PluginOrigin): Promise<void> {
  const report: PluginReport = {
    folder,
    origin,
    approval: origin === 'user' ? 'unapproved' : 'trusted',
    enabled: true,
    loaded: false,
    name: null,
    version: null,
    contentHash: null,
    processors: [],
    errors: [],
  };
  ctx.set.plugins.push(report);
  let manifest;
  let snapshot;
  try {
    manifest = await readManifest(folder);
    snapshot = await ctx.snapshots.take(folder);
  } catch (error) {
    report.errors.push(error instanceof ManifestError ? error.message : errorMessage(error));
    return;
  }
  report.contentHash = snapshot.hash;
  report.name = manifest.name;
  report.version = manifest.version;
  report.processors = manifest.declaredProcessors;
  Object.assign(report, ctx.gate(folder, origin, report.contentHash));
  // Code of a disabled plugin, or of a user plugin not approved at this exact content, is never imported.
  if (!report.enabled || report.approval === 'unapproved' || report.approval === 'changed') {
    snapshot.discard();
    return;
  }
  const codeDir = snapshot.keep();
  const entryUrl = PluginSnapshots.entryUrl(codeDir, folder, manifest.entry);
  let described = ctx.snapshots.described(snapshot.hash);
  if (!described) {
    try {
      described = await ctx.pool.request('describe', { entryUrl });
    } catch (error) {
      report.errors.push(`cannot load ${manifest.entry}: ${errorMessage(error)}`);
      return;
    }
    ctx.snapshots.rememberDescribed(snapshot.hash, described);
  }
  report.processors = [];
  report.errors.push(...described.errors.map((e) => `${manifest.entry}: ${e}`));
  await addProcessors(ctx, report, described, manifest, entryUrl);
  report.loaded = report.processors.length > 0;
}

/**
 * Loads every plugin under the given sources, in order. Plugin modules are imported and validated in a
 * plugin process (never in this one). A broken plugin is reported with its folder and reason and never
 * stops the others; a processor name already taken keeps its first owner.
 */
export async function loadPlugins(
  sources: PluginSource[],
  pool: PluginPool,
  snapshots: PluginSnapshots,
  checkSql: SqlChecker,
  gate: LoadGate = trustAll,
): Promise<PluginSet> {
  const ctx: LoadContext = { pool, snapshots, checkSql, gate, set: { processors: [], plugins: [] }, owners: new Map() };
  for (const source of sources) {
    for (const folder of await pluginFolders(source)) await loadPluginFolder(ctx, folder, source.origin);
  }
  return ctx.set;
}

/**
 * A source is a plugin folder (it has a package.json) or a folder of plugin folders (sorted by name;
 * dot-folders and node_modules are skipped). A missing source named on the command line is bad usage.
 */
export async function pluginFolders(source: PluginSource): Promise<string[]> {
  const path = resolve(source.path);
  const info = await stat(path).catch(() => null);
  if (!info) {
    if (source.origin === 'cli') throw new UsageError(`--plugins ${source.path} does not exist`);
    return [];
  }
  if (!info.isDirectory()) throw new UsageError(`--plugins ${source.path} is not a folder`);
  if (await isFile(join(path, 'package.json'))) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const folders: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const folder = join(path, entry.name);
    if (await isFile(join(folder, 'package.json'))) folders.push(folder);
  }
  return folders;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}
