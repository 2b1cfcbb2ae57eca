// Shared by the built-in processor tests: locating the repository, loading a plugin the way the host
// does (from a snapshot, where `session-inspector/plugin` resolves), writing hand-made sessions to a temp
// folder, and running a processor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after } from 'node:test';
import { PluginSnapshots } from '../../main/core/plugins/snapshot.js';
import { SessionFile } from '../../main/core/sessionFile.js';
import type { Processor } from '../../main/sdk/processor.js';

/** The folder holding the project's package.json (tests run compiled, from dist/test/plugins). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'session-inspector') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json of session-inspector not found above the test file');
    dir = parent;
  }
}

/** The shared real transcripts, or null when this checkout has none (tests then skip). */
export function fixturesDir(): string | null {
  const dir = path.join(repoRoot(), '..', 'shared', 'fixtures', 'claude-code');
  return fs.existsSync(dir) ? dir : null;
}

export const NO_FIXTURES = 'real transcripts not found at ../shared/fixtures/claude-code (relative to the repository root)';

let snapshots: PluginSnapshots | undefined;
const snapshotDirs = new Map<string, Promise<string>>();

/** A built-in plugin's folder as the host runs it: a snapshot in a cache of this test file's own. */
function builtinSnapshot(name: string): Promise<string> {
  if (!snapshots) {
    // Lives as long as the test file's process: tempDir's cleanup would end with the first test using it.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'si-plugin-cache-'));
    process.once('exit', () => fs.rmSync(cache, { recursive: true, force: true }));
    snapshots = new PluginSnapshots(cache);
  }
  const cache = snapshots;
  let dir = snapshotDirs.get(name);
  if (!dir) snapshotDirs.set(name, (dir = cache.take(path.join(repoRoot(), 'plugins', name)).then((s) => s.keep())));
  return dir;
}

/** Imports a built-in plugin's entry as the host would, and returns its single processor. */
export async function loadProcessor(name: string): Promise<Processor> {
  const module = await importPluginModule<{ default: Processor }>(name, 'index.js');
  return module.default;
}

/** Imports another module of a built-in plugin (e.g. the price table code). */
export async function importPluginModule<T>(name: string, file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(await builtinSnapshot(name), file)).href)) as T;
}

/** A fresh folder under the OS temp dir, removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `si-${prefix}-`));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a session: objects become JSON lines, strings are written verbatim (for malformed lines). */
export function writeSession(lines: (unknown | string)[], name = 'session.jsonl'): string {
  const file = path.join(tempDir('session'), name);
  fs.writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return file;
}

export interface RunResult<T> {
  items: T[];
  itemsCount: number | undefined;
  warnings: string[];
  malformedLines: number;
}

/** Runs one processor over one file the way the host does, collecting what it logs. */
export async function runProcessor<T = Record<string, unknown>>(processor: Processor, file: string): Promise<RunResult<T>> {
  const session = await SessionFile.open({ path: file, sessionKey: path.basename(file), username: 'test', sizeBytes: 0, mtimeMs: 0 });
  const warnings: string[] = [];
  const log = { info: () => {}, warn: (message: string) => warnings.push(message), error: (message: string) => warnings.push(message) };
  try {
    const emitted: unknown[] = [];
    const result = await processor.processSession(session, { signal: new AbortController().signal, log, emit: (item) => emitted.push(item) });
    // Emitted items come first, then returned ones, as the host stores them.
    return { items: [...emitted, ...(result?.items ?? [])] as T[], itemsCount: result?.itemsCount, warnings, malformedLines: session.malformedLines };
  } finally {
    await session.close();
  }
}

/** Every .jsonl file under a folder, sorted. */
export function sessionFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => path.join(root, name))
    .sort();
}
