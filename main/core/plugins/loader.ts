import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, errorMessage } from '../errors.js';
import { ManifestError, readManifest, type PluginManifest } from './manifest.js';
import { parseProcessor, type ProcessorDefinition } from './processorSchema.js';
import { registerSdkResolver } from './sdkResolver.js';

/** Where a plugin folder came from: built-in and command-line folders are trusted. */
export type PluginOrigin = 'builtin' | 'cli' | 'user';

export interface PluginSource {
  path: string;
  origin: PluginOrigin;
}

export interface LoadedProcessor extends ProcessorDefinition {
  pluginFolder: string;
  pluginName: string;
}

export interface PluginReport {
  folder: string;
  origin: PluginOrigin;
  name: string | null;
  version: string | null;
  processors: string[];
  errors: string[];
}

export interface PluginSet {
  processors: LoadedProcessor[];
  plugins: PluginReport[];
}

/** A module whose top level has not settled by then is reported as broken instead of hanging the host. */
const IMPORT_TIMEOUT_MS = 10_000;

/**
 * Loads every plugin under the given sources, in order. A broken plugin is reported with its folder and
 * reason and never stops the others; a processor name already taken keeps its first owner.
 */
export async function loadPlugins(sources: PluginSource[]): Promise<PluginSet> {
  registerSdkResolver();
  const set: PluginSet = { processors: [], plugins: [] };
  const owners = new Map<string, string>();
  for (const source of sources) {
    for (const folder of await pluginFolders(source)) {
      const report: PluginReport = { folder, origin: source.origin, name: null, version: null, processors: [], errors: [] };
      set.plugins.push(report);
      let manifest: PluginManifest;
      try {
        manifest = await readManifest(folder);
      } catch (error) {
        report.errors.push(error instanceof ManifestError ? error.message : errorMessage(error));
        continue;
      }
      report.name = manifest.name;
      report.version = manifest.version;
      let exported: unknown;
      try {
        exported = await importWithTimeout(manifest.entry);
      } catch (error) {
        report.errors.push(`cannot load ${manifest.entry}: ${errorMessage(error)}`);
        continue;
      }
      const candidates = Array.isArray(exported) ? exported : [exported];
      if (exported === undefined || candidates.length === 0) {
        report.errors.push(`${manifest.entry} has no default export: export a processor or an array of processors`);
        continue;
      }
      candidates.forEach((candidate, index) => {
        const label = `${manifest.entry}: processor ${Array.isArray(exported) ? `#${index + 1}` : ''}`.trimEnd();
        try {
          const processor = parseProcessor(candidate, label);
          const owner = owners.get(processor.name);
          if (owner !== undefined) {
            report.errors.push(`duplicate processor name "${processor.name}" (already provided by ${owner}); this one is not loaded`);
            return;
          }
          owners.set(processor.name, folder);
          report.processors.push(processor.name);
          set.processors.push({ ...processor, pluginFolder: folder, pluginName: manifest.name });
        } catch (error) {
          report.errors.push(errorMessage(error));
        }
      });
    }
  }
  return set;
}

/**
 * A source is a plugin folder (it has a package.json) or a folder of plugin folders (sorted by name;
 * dot-folders and node_modules are skipped). A missing source named on the command line is bad usage.
 */
async function pluginFolders(source: PluginSource): Promise<string[]> {
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

async function importWithTimeout(entry: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`module did not finish loading within ${IMPORT_TIMEOUT_MS / 1000} s`)), IMPORT_TIMEOUT_MS);
    timer.unref();
  });
  try {
    // The query string busts Node's module cache, so a changed plugin loads anew in a long-lived process.
    const info = await stat(entry);
    const url = `${pathToFileURL(entry).href}?v=${info.mtimeMs}-${info.size}`;
    const module = (await Promise.race([import(url), timeout])) as { default?: unknown };
    return module.default;
  } finally {
    clearTimeout(timer);
  }
}
