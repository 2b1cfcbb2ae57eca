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
import type { Processor, SqlProcessor } from '../../main/sdk/processor.js';
import { parseProcessor } from '../../main/core/plugins/processorSchema.js';
import { SqlSandbox } from '../../main/core/sql/sqlSandbox.js';
import { runSqlBatch } from '../../main/core/sql/sqlBatch.js';

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

/**
 * Imports a built-in plugin's entry as the host would, and returns one of its processors (of either
 * kind): the one named `name`, from the plugin folder `plugin` (by default the folder of that name, for
 * the plugins that export a single processor).
 */
export async function loadProcessor(name: string, plugin = name): Promise<Processor | SqlProcessor> {
  const module = await importPluginModule<{ default: Processor | SqlProcessor | (Processor | SqlProcessor)[] }>(plugin, 'index.js');
  const exported = Array.isArray(module.default) ? module.default : [module.default];
  const processor = exported.find((candidate) => candidate.name === name);
  if (!processor) throw new Error(`plugins/${plugin}/index.js exports no processor named ${name} (it has ${exported.map((p) => p.name).join(', ')})`);
  return processor;
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

/**
 * Runs one processor over one file the way the host does, collecting what it logs. `sessionKey` is the
 * session's path under its root as the host gives it to a JavaScript processor (default: the file's
 * name; a SQL processor's session is always keyed by the file's name).
 */
export async function runProcessor<T = Record<string, unknown>>(
  processor: Processor | SqlProcessor,
  file: string,
  sessionKey = path.basename(file),
): Promise<RunResult<T>> {
  if ('sql' in processor) return runSqlProcessor<T>(processor, file);
  const session = await SessionFile.open({ path: file, sessionKey, group: 'test', sizeBytes: 0, mtimeMs: 0 });
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

/** A SQL processor over one file: checked and run in a real sandbox, as the engine runs a batch of one. */
async function runSqlProcessor<T>(processor: SqlProcessor, file: string): Promise<RunResult<T>> {
  const definition = parseProcessor(processor, processor.name);
  if (definition.kind !== 'sql') throw new Error(`${processor.name} is not a SQL processor`);
  const root = fs.realpathSync(path.dirname(file));
  const sandbox = await SqlSandbox.open({ root, threads: 1 });
  try {
    const { checked, problems } = await sandbox.check(definition.sql);
    if (!checked) throw new Error(`${processor.name}: ${problems.join('; ')}`);
    const entry = {
      path: path.join(root, path.basename(file)),
      sessionKey: path.basename(file),
      group: 'test',
      sizeBytes: fs.statSync(file).size,
      mtimeMs: 0,
    };
    const warnings: string[] = [];
    const spec = {
      name: definition.name,
      checked,
      timeoutMs: definition.timeoutMs,
      ...(definition.linesContaining ? { linesContaining: definition.linesContaining } : {}),
    };
    const results = await runSqlBatch(sandbox, [{ entry, due: [{ processor: spec, storedHash: null, quarantinedHash: null }] }], {
      log: (_level, _p, message) => warnings.push(message),
    });
    const outcome = results.get(entry.sessionKey)?.outcomes[definition.name];
    if (outcome?.kind !== 'processed') throw new Error(`${processor.name} did not process ${file}: ${JSON.stringify(outcome)}`);
    return { items: outcome.itemsJson.map((json) => JSON.parse(json) as T), itemsCount: outcome.itemsCount, warnings, malformedLines: outcome.malformedLines };
  } finally {
    sandbox.close();
  }
}

/** Every .jsonl file under a folder, sorted. */
export function sessionFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => path.join(root, name))
    .sort();
}
