import { readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { errnoCode, errorMessage } from '../errors.js';

export const PLUGIN_API_VERSION = 1;

/** What a plugin folder's package.json says about it. */
export interface PluginManifest {
  folder: string;
  name: string;
  version: string;
  apiVersion: number;
  /** Processor names the plugin declares (optional; shown before its code is loaded). */
  declaredProcessors: string[];
  /** Absolute path of the module to import. */
  entry: string;
}

export class ManifestError extends Error {
  /** Each problem on its own, for reports that list them. */
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** Reads and checks `<folder>/package.json`; every problem is collected and reported at once. */
export async function readManifest(folder: string): Promise<PluginManifest> {
  const file = join(folder, 'package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new ManifestError(file, ['is missing: a plugin folder needs a package.json']);
    throw new ManifestError(file, [`is not valid JSON: ${errorMessage(error)}`]);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new ManifestError(file, ['must hold a JSON object']);
  const problems: string[] = [];
  const meta = pkg.sessionInspector as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null) {
    throw new ManifestError(file, [`has no "sessionInspector" field: add "sessionInspector": { "apiVersion": ${PLUGIN_API_VERSION} } to make it a plugin`]);
  }
  if (meta.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(`"sessionInspector.apiVersion" is ${JSON.stringify(meta.apiVersion)}, but this Session Inspector supports ${PLUGIN_API_VERSION}`);
  }
  const declared = meta.processors;
  if (declared !== undefined && !(Array.isArray(declared) && declared.every((n) => typeof n === 'string'))) {
    problems.push('"sessionInspector.processors" must be an array of processor names');
  }
  const entryField = entryOf(pkg);
  const entry = resolve(folder, entryField);
  const inside = relative(folder, entry);
  if (inside.startsWith('..') || isAbsolute(inside)) problems.push(`entry "${entryField}" points outside the plugin folder`);
  else {
    const info = await stat(entry).catch(() => null);
    if (!info?.isFile()) problems.push(`entry "${entryField}" (from "exports"/"main") does not exist in ${folder}`);
  }
  if (problems.length > 0) throw new ManifestError(file, problems);
  return {
    folder,
    name: typeof pkg.name === 'string' && pkg.name ? pkg.name : folder.split(/[\\/]/).pop()!,
    version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
    apiVersion: PLUGIN_API_VERSION,
    declaredProcessors: Array.isArray(declared) ? (declared as string[]) : [],
    entry,
  };
}

/** The importable entry: "exports" (string, or "." with import/node/default), else "main", else index.js. */
function entryOf(pkg: Record<string, unknown>): string {
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const conditions = value as Record<string, unknown>;
      return pick(conditions['.']) ?? pick(conditions.import) ?? pick(conditions.node) ?? pick(conditions.default);
    }
    return undefined;
  };
  return pick(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
}
