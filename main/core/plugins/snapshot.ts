import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DescribeResult } from '../host/protocol.js';
import { pluginContentHash } from './contentHash.js';

/**
 * Plugin code runs from an immutable copy of its folder, named by the content hash of that copy. So the
 * code that runs is exactly the content that was approved (no change can slip in between the check and the
 * import), and the last good version stays loadable while its folder is being edited or is broken.
 * A plugin folder must therefore be self-contained: its dependencies in its own node_modules.
 */
export class PluginSnapshots {
  constructor(readonly dir: string) {}

  /** Copies the folder, hashes the copy; returns the hash and a `keep()` that files the copy under it. */
  async take(folder: string): Promise<{ hash: string; keep(): string; discard(): void }> {
    mkdirSync(this.dir, { recursive: true });
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
      const cached = JSON.parse(readFileSync(this.describedFile(hash), 'utf8')) as { host?: string; result?: DescribeResult };
      return cached.host === hostBuild() && cached.result ? cached.result : null;
    } catch {
      return null; // none yet, or unreadable: describe again
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

  /** Removes every snapshot not in use, its description, and leftovers of interrupted copies. */
  prune(inUse: Set<string>): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (!inUse.has(name.endsWith(DESCRIBED) ? name.slice(0, -DESCRIBED.length) : name)) rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }

  private describedFile(hash: string): string {
    return join(this.dir, `${hash}${DESCRIBED}`);
  }
}

const DESCRIBED = '.described.json';

let build: string | undefined;

/** Identity of the code that turns a plugin module into a description: the SDK, the schema and the loader. */
function hostBuild(): string {
  if (build === undefined) {
    const hash = createHash('md5');
    const sdk = fileURLToPath(new URL('../../sdk/', import.meta.url));
    const files = [fileURLToPath(new URL('./processorSchema.js', import.meta.url)), fileURLToPath(new URL('../host/worker/modules.js', import.meta.url))];
    for (const name of readdirSync(sdk).sort()) if (name.endsWith('.js')) files.push(join(sdk, name));
    for (const file of files) hash.update(file).update(readFileSync(file));
    build = hash.digest('hex');
  }
  return build;
}
