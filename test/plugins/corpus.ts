// A corpus from the shared benchmark generator, with the stats file stating its exact totals.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, sessionFiles, tempDir } from './support.js';

const generator = path.join(repoRoot(), '..', 'shared', 'bench', 'gen-sessions.mjs');

/** The skip message when the generator is not beside the repository, else undefined. */
export const GENERATOR_MISSING = fs.existsSync(generator)
  ? undefined
  : 'generator not found at ../shared/bench/gen-sessions.mjs (relative to the repository root)';

/** Eight sessions in two project folders, with malformed lines and cut-off last lines. */
export function generateCorpus(): { root: string; files: string[]; stats: any } {
  const dir = tempDir('corpus');
  const root = path.join(dir, 'sessions');
  const statsFile = path.join(dir, 'stats.json');
  execFileSync(process.execPath, [
    generator,
    '--out',
    root,
    '--dirs',
    '2',
    '--sessions-per-dir',
    '4',
    '--mean-lines',
    '60',
    '--seed',
    'processors',
    '--malformed-rate',
    '0.01',
    '--truncated-tail-rate',
    '0.7',
    '--stats',
    statsFile,
    '--quiet',
  ]);
  return { root, files: sessionFiles(root), stats: JSON.parse(fs.readFileSync(statsFile, 'utf8')) };
}
