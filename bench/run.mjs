#!/usr/bin/env node
// Session Inspector benchmarks (docs/performance.md): each target against its reference, in alternation, median of
// --reps runs; a table on stdout and a JSON file. Not part of `npm test` (its --smoke mode is).
//
//   npm run bench [-- --reps 3] [--only T1,T2,...] [--smoke] [--cache DIR] [--json FILE] [--no-install]
//
// Corpora come from ../shared/bench/gen-sessions.mjs (SI_BENCH_GEN overrides the path) and are cached in
// --cache (default $TMPDIR/session-inspector-bench). References: ../shared/bench/floor.mjs, `find`, and
// ccusage 20.0.24 / 18.0.11 installed from npm into the cache (never into the repository).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpus, FULL, SMOKE } from './lib/corpora.mjs';
import { printReport } from './lib/report.mjs';
import { sessionsListTarget } from './lib/sessionsList.mjs';
import { teamTarget } from './lib/team.mjs';
import { archiveTarget } from './lib/archiveTarget.mjs';
import { parseArgs } from './lib/options.mjs';
import { createCommands } from './lib/commands.mjs';
import { t1, t5 } from './lib/engineTargets.mjs';
import { t2, t8 } from './lib/ccusageTargets.mjs';
import { largestScale, prepareNoop, t3t4, t6 } from './lib/scaleTargets.mjs';
import { searchTarget } from './lib/searchTarget.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'bin', 'session-inspector.js');
const SHARED_BENCH = process.env.SI_BENCH_SHARED ?? resolve(REPO, '..', 'shared', 'bench');
const GEN = process.env.SI_BENCH_GEN ?? join(SHARED_BENCH, 'gen-sessions.mjs');
const FLOOR = process.env.SI_BENCH_FLOOR ?? join(SHARED_BENCH, 'floor.mjs');

const opts = parseArgs(process.argv.slice(2));
const log = (message) => opts.quiet || process.stderr.write(`${message}\n`);
for (const [what, path] of [
  ['corpus generator', GEN],
  ['floor benchmark', FLOOR],
]) {
  if (!existsSync(path)) {
    process.stderr.write(`bench: the ${what} ${path} is missing (set SI_BENCH_SHARED to the folder holding gen-sessions.mjs and floor.mjs)\n`);
    process.exit(2);
  }
}
if (!existsSync(join(REPO, 'dist', 'main', 'cli', 'main.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first (`npm run bench` does)\n');
  process.exit(2);
}
mkdirSync(opts.cache, { recursive: true });
const HOME = join(opts.cache, opts.smoke ? 'home-smoke' : 'home'); // an empty user data folder: no user plugins take part
const DBS = join(opts.cache, 'db');
mkdirSync(HOME, { recursive: true });
mkdirSync(DBS, { recursive: true });
const SI_ENV = { ...process.env, SESSION_INSPECTOR_HOME: HOME };
delete SI_ENV.SESSION_INSPECTOR_DB;
const specs = opts.smoke ? SMOKE : FULL;
const corpora = {};
const getCorpus = (name) => (corpora[name] ??= corpus(GEN, opts.cache, `${opts.smoke ? 'smoke-' : ''}${name}`, specs[name], log));
const wants = (id) => !opts.only || opts.only.has(id);

const results = {
  started: new Date().toISOString(),
  smoke: opts.smoke,
  reps: opts.reps,
  scaleMax: opts.scaleMax,
  machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform}-${process.arch}` },
  corpora: {},
  targets: [],
};

/** What every target works with: the options, the corpora, the commands, and the results it adds to. */
const b = {
  opts,
  log,
  wants,
  getCorpus,
  results,
  cli: CLI,
  env: SI_ENV,
  ...createCommands({ opts, log, cli: CLI, floor: FLOOR, dbs: DBS, env: SI_ENV }),
};

// ---- main ----------------------------------------------------------------------------------------------

let failed = false;
try {
  let t1Subject = null;
  if (wants('T1')) t1Subject = await t1(b);
  if (wants('T2')) await t2(b);
  if (wants('T6') || wants('T3') || wants('T4') || wants('T9')) {
    const prepared = wants('T6') ? await t6(b) : await prepareNoop(b);
    if (wants('T9'))
      results.targets.push(await sessionsListTarget({ repo: REPO, corpus: prepared.c, db: prepared.db, env: SI_ENV, home: HOME, reps: opts.reps, log }));
    if (wants('T3') || wants('T4')) await t3t4(b, prepared);
    else b.dropDb(prepared.db);
  }
  if (wants('T5')) await t5(b, t1Subject);
  if (wants('T8')) await t8(b);
  if (wants('T7')) results.targets.push(await teamTarget({ repo: REPO, cli: CLI, env: SI_ENV, corpus: getCorpus('a'), reps: opts.reps, log }));
  if (wants('T10')) results.targets.push(await archiveTarget({ cli: CLI, env: SI_ENV, corpus: getCorpus('a'), reps: opts.reps, scratch: DBS, log }));
  if (wants('T11')) {
    for (const [name, goalS] of [
      ['a', 1],
      [largestScale(opts), 3],
    ])
      results.targets.push(await searchTarget({ repo: REPO, corpus: getCorpus(name), goalS, env: SI_ENV, scratch: DBS, reps: opts.reps, log }));
  }
} catch (error) {
  failed = true;
  results.error = error instanceof Error ? error.stack : String(error);
  process.stderr.write(`bench: ${results.error}\n`);
}
for (const [name, c] of Object.entries(corpora)) results.corpora[name] = { root: c.root, files: c.files, bytes: c.bytes };
results.finished = new Date().toISOString();
results.checksPassed = !failed && results.targets.every((t) => t.checks.every((c) => c.ok));
const jsonFile = opts.json ?? join(opts.cache, opts.smoke ? 'results-smoke.json' : 'results.json');
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
printReport(results, (text) => process.stdout.write(text));
process.stdout.write(`\nJSON: ${jsonFile}\n`);
process.exit(results.checksPassed ? 0 : 1);
