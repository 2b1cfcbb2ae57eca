import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * SHA-256 over every file of a plugin folder (sorted relative paths and their bytes; .git left out).
 * Approval is pinned to it: any change to any file, dependencies included, needs approval again.
 */
export async function pluginContentHash(folder: string): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
      // links are not followed: their targets are not part of what was reviewed
    }
  };
  await walk(folder);
  const keyed = files.map((file) => ({ file, key: relative(folder, file).split(sep).join('/') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash('sha256');
  for (const { file, key } of keyed) {
    hash.update(key).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}
