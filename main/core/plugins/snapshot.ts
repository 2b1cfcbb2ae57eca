import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
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

  /** Removes every snapshot not in use (and leftovers of interrupted copies). */
  prune(inUse: Set<string>): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (!inUse.has(name)) rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }
}
