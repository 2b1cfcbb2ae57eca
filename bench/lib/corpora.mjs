// The benchmark corpora: generated with ../shared/bench/gen-sessions.mjs once and cached (keyed by the
// generator options) in the cache folder; a `.complete` marker says a generation finished.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Full-size corpora: the ones the targets name. */
export const FULL = {
  a: { dirs: 40, sessionsPerDir: 50, meanLines: 95, seed: 'a' },
  big: { dirs: 1, sessionsPerDir: 1, meanLines: 20, seed: 'big', bigFileMb: 1024 },
  s2k: { dirs: 4, sessionsPerDir: 500, meanLines: 8, seed: 'scale' },
  s20k: { dirs: 40, sessionsPerDir: 500, meanLines: 8, seed: 'scale' },
  s100k: { dirs: 200, sessionsPerDir: 500, meanLines: 8, seed: 'scale' },
};

/** Tiny corpora of the same shapes, for the CI smoke run. */
export const SMOKE = {
  a: { dirs: 3, sessionsPerDir: 4, meanLines: 20, seed: 'a' },
  big: { dirs: 1, sessionsPerDir: 1, meanLines: 5, seed: 'big', bigFileMb: 2 },
  s2k: { dirs: 1, sessionsPerDir: 10, meanLines: 8, seed: 'scale' },
  s20k: { dirs: 2, sessionsPerDir: 10, meanLines: 8, seed: 'scale' },
  s100k: { dirs: 3, sessionsPerDir: 10, meanLines: 8, seed: 'scale' },
};

function generatorArgs(spec, out, stats) {
  const args = [
    '--out',
    out,
    '--dirs',
    spec.dirs,
    '--sessions-per-dir',
    spec.sessionsPerDir,
    '--mean-lines',
    spec.meanLines,
    '--seed',
    spec.seed,
    '--malformed-rate',
    0.001,
    '--truncated-tail-rate',
    0.01,
    '--stats',
    stats,
    '--quiet',
  ];
  if (spec.bigFileMb) args.push('--big-file-mb', spec.bigFileMb);
  return args.map(String);
}

/**
 * The corpus folder for spec, generated on first use: { root, stats, files, bytes }. The folder name holds a
 * hash of the generator options and of the generator itself, so a changed generator never reuses old files.
 */
export function corpus(generator, cacheDir, name, spec, log) {
  const key = createHash('sha256').update(JSON.stringify(spec)).update(readFileSync(generator)).digest('hex').slice(0, 12);
  const root = join(cacheDir, 'corpora', `${name}-${key}`);
  const statsFile = `${root}.stats.json`;
  const marker = `${root}.complete`;
  if (!existsSync(marker)) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    log?.(`generating corpus ${name} (${JSON.stringify(spec)}) in ${root}`);
    const gen = spawnSync(process.execPath, [generator, ...generatorArgs(spec, root, statsFile)], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`gen-sessions.mjs failed for corpus ${name}: ${gen.stderr || gen.stdout}`);
    writeFileSync(marker, new Date().toISOString());
  }
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  return { name, root, stats, files: stats.files, bytes: stats.bytes };
}
