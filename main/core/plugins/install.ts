import { cpSync, existsSync, lstatSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { pluginContentHash } from './contentHash.js';
import { ManifestError, readManifest, type PluginManifest } from './manifest.js';

export interface InstalledPlugin {
  folder: string;
  name: string;
  version: string;
  /** As declared in package.json; the code is not loaded before approval. */
  declaredProcessors: string[];
  contentHash: string;
}

/**
 * Copies a plugin folder into the user plugin folder (replacing an older copy of the same name). Nothing
 * of it is imported here: install only reads package.json, so unapproved code never runs. Links inside the
 * folder are not copied (what they point to was not part of the folder the user chose).
 */
export async function installPlugin(source: string, userPluginsDir: string): Promise<InstalledPlugin> {
  const from = resolve(source);
  if (!existsSync(from)) throw new UsageError(`plugins install: ${source} does not exist`);
  let manifest: PluginManifest;
  try {
    manifest = await readManifest(from);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`plugins install: ${error.message}`);
    throw error;
  }
  const target = join(userPluginsDir, folderNameFor(manifest.name, from));
  if (resolve(target) === from) throw new UsageError(`plugins install: ${source} is already in the user plugin folder`);
  rmSync(target, { recursive: true, force: true });
  cpSync(from, target, {
    recursive: true,
    filter: (path) => basename(path) !== '.git' && !lstatSync(path).isSymbolicLink(),
  });
  return {
    folder: target,
    name: manifest.name,
    version: manifest.version,
    declaredProcessors: manifest.declaredProcessors,
    contentHash: await pluginContentHash(target),
  };
}

/** `@scope/name` → `scope-name`; anything unsafe in a folder name becomes `-`. */
function folderNameFor(packageName: string, from: string): string {
  const name = packageName
    .replace(/^@/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '');
  return name || basename(from);
}
