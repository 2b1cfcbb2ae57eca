import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DescribeResult } from '../pluginProcesses/protocol.js';
import { checkResult } from '../pluginProcesses/resultChecks.js';
import { pluginContentHash } from './contentHash.js';

/**
 * Plugin code runs from an immutable copy of its folder, named by the content hash of that copy. So the
 * code that runs is exactly the content that was approved (no change can slip in between the check and the
 * import), and the last good version stays loadable while its folder is being edited or is broken.
 * A plugin folder must therefore be self-contained: its dependencies in its own node_modules.
 *
 * Each build of the host keeps its snapshots in a folder of its own (`<cache>/<build>/<hash>`), beside a
 * `node_modules/session-inspector` package that re-exports that build's SDK. Plugins import the SDK as
 * `session-inspector/plugin`, and Node's own lookup, walking up from the snapshot, finds that package:
 * no module hooks (they cost every plugin process a loader thread, 13 MB and 65 ms), and two installed
 * versions of the app sharing one data folder each give their plugins their own SDK.
 */
export class PluginSnapshots {
  /** This build's folder: its snapshots, their descriptions and the SDK package. */
  readonly dir: string;
  private sdkProvided = false;

  constructor(readonly cacheRoot: string) {
    this.dir = join(cacheRoot, hostBuild().slice(0, 16));
  }

  /**
   * The snapshot of the folder as it is now: its hash and a `keep()` that files it under that hash. When a
   * snapshot of that content exists, it is used as it is (a run does not copy every plugin folder again);
   * otherwise the folder is copied and the copy hashed, so a change made meanwhile is never filed under a
   * hash it does not have.
   */
  async take(folder: string): Promise<{ hash: string; keep(): string; discard(): void }> {
    this.provideSdk();
    const current = await pluginContentHash(folder);
    const existing = join(this.dir, current);
    if (existsSync(existing)) return { hash: current, keep: () => existing, discard: () => undefined };
    const temp = join(this.dir, `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    cpSync(folder, temp, { recursive: true, filter: (path) => basename(path) !== '.git' && !lstatSync(path).isSymbolicLink() });
    const hash = await pluginContentHash(temp);
    const final = join(this.dir, hash);
    return {
      hash,
      keep: () => {
        if (existsSync(final)) rmSync(temp, { recursive: true, force: true });
        else renameSync(temp, final);
        return final;
      },
      discard: () => rmSync(temp, { recursive: true, force: true }),
    };
  }

  /**
   * What a plugin process reported when it loaded this snapshot, if this build of the host did the
   * loading. A snapshot never changes, so its description does not either: a run then starts no plugin
   * process until a session is due (a no-op rerun starts none at all). Only clean descriptions are kept.
   */
  described(hash: string): DescribeResult | null {
    try {
      const cached = JSON.parse(readFileSync(this.describedFile(hash), 'utf8')) as { host?: unknown; result?: unknown } | null;
      return cached?.host === hostBuild() ? checkResult('describe', cached.result) : null;
    } catch {
      return null; // none yet, unreadable or malformed: describe again
    }
  }

  rememberDescribed(hash: string, result: DescribeResult): void {
    if (result.errors.length > 0 || result.processors.length === 0) return;
    try {
      const temp = `${this.describedFile(hash)}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ host: hostBuild(), result }));
      renameSync(temp, this.describedFile(hash));
    } catch {
      // a cache: failing to write it only costs a describe next time
    }
  }

  /**
   * Removes every snapshot of this build not in use, its description, and leftovers of interrupted copies;
   * and the folders of other builds once unused for a week (another installed version may still run).
   */
  prune(inUse: Set<string>): void {
    if (existsSync(this.dir)) {
      for (const name of readdirSync(this.dir)) {
        if (name === 'node_modules') continue;
        if (!inUse.has(name.endsWith(DESCRIBED) ? name.slice(0, -DESCRIBED.length) : name)) rmSync(join(this.dir, name), { recursive: true, force: true });
      }
    }
    if (!existsSync(this.cacheRoot)) return;
    for (const name of readdirSync(this.cacheRoot)) {
      const path = join(this.cacheRoot, name);
      if (path === this.dir) continue;
      try {
        if (Date.now() - statSync(path).mtimeMs > OTHER_BUILDS_KEPT_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The URL of a plugin's entry module inside its snapshot (`entry` is its path in the original folder). */
  static entryUrl(snapshotDir: string, folder: string, entry: string): string {
    return pathToFileURL(join(snapshotDir, relative(folder, entry))).href;
  }

  /** The snapshot (content hash) a module of this cache lives in, or '' for a module elsewhere. */
  hashOf(entryUrl: string): string {
    const url = new URL(entryUrl);
    url.search = ''; // the version stamp
    const path = relative(this.dir, fileURLToPath(url));
    return path.startsWith('..') ? '' : path.split(sep)[0];
  }

  /**
   * Writes this build's `session-inspector` package (when missing or stale) and marks the build folder as
   * in use, for other builds' pruning: once per instance, not once per plugin folder taken.
   */
  private provideSdk(): void {
    if (this.sdkProvided) return;
    this.sdkProvided = true;
    const dir = join(this.dir, 'node_modules', 'session-inspector');
    const files: Record<string, string> = {
      'package.json': `${JSON.stringify({ name: 'session-inspector', private: true, type: 'module', exports: { './plugin': './plugin.js' } }, null, 2)}\n`,
      'plugin.js':
        '// Written by Session Inspector: plugins of this build import its SDK.\n' +
        `export * from ${JSON.stringify(new URL('../../sdk/index.js', import.meta.url).href)};\n`,
    };
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      const file = join(dir, name);
      if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, text);
      renameSync(temp, file); // atomic: a plugin process never reads half a file
    }
    const now = new Date();
    utimesSync(this.dir, now, now);
  }

  private describedFile(hash: string): string {
    return join(this.dir, `${hash}${DESCRIBED}`);
  }
}

const DESCRIBED = '.described.json';
/** Another build's snapshots are removed once unused this long. */
const OTHER_BUILDS_KEPT_MS = 7 * 24 * 3600_000;

let build: string | undefined;

/** Identity of the code that turns a plugin module into a description: the SDK, the schema and the loader. */
function hostBuild(): string {
  if (build === undefined) {
    const hash = createHash('md5');
    const sdk = fileURLToPath(new URL('../../sdk/', import.meta.url));
    const files = [
      fileURLToPath(new URL('./processorSchema.js', import.meta.url)),
      fileURLToPath(new URL('../pluginProcesses/pluginSide/modules.js', import.meta.url)),
    ];
    for (const name of readdirSync(sdk).sort()) if (name.endsWith('.js')) files.push(join(sdk, name));
    for (const file of files) hash.update(file).update(readFileSync(file));
    build = hash.digest('hex');
  }
  return build;
}
