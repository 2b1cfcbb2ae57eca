#!/usr/bin/env node
// Session Inspector benchmarks (docs/performance.md): each target against its reference, in alternation, median of
// --reps runs; a table on stdout and a JSON file. Not part of `npm test` (its --smoke mode is).
//
//   npm run bench [-- --reps 3] [--only T1,T2,...] [--smoke] [--cache DIR] [--json FILE] [--no-install]
//
// Corpora come from ../shared/bench/gen-sessions.mjs (SI_BENCH_GEN overrides the path) and are cached in
// --cache (default $TMPDIR/session-inspector-bench). References: ../shared/bench/floor.mjs, `find`, and
// ccusage 20.0.24 / 18.0.11 installed from npm into the cache (never into the repository).
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { alternate, measure } from './lib/measure.mjs';
import { corpus, FULL, SMOKE } from './lib/corpora.mjs';
import { printReport } from './lib/report.mjs';
import { sessionsListTarget } from './lib/sessionsList.mjs';
import { teamTarget } from './lib/team.mjs';
import { archiveTarget } from './lib/archiveTarget.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'bin', 'session-inspector.js');
const SHARED_BENCH = process.env.SI_BENCH_SHARED ?? resolve(REPO, '..', 'shared', 'bench');
const GEN = process.env.SI_BENCH_GEN ?? join(SHARED_BENCH, 'gen-sessions.mjs');
const FLOOR = process.env.SI_BENCH_FLOOR ?? join(SHARED_BENCH, 'floor.mjs');
const CCUSAGE_20 = '20.0.24';
const CCUSAGE_18 = '18.0.11';

function parseArgs(argv) {
  const o = {
    reps: 3,
    only: null,
    smoke: false,
    cache: process.env.SI_BENCH_CACHE ?? join(tmpdir(), 'session-inspector-bench'),
    json: null,
    install: true,
    ccusage18Reps: 1,
    quiet: false,
    scaleMax: 100_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--reps') o.reps = Number(value());
    else if (a === '--only') o.only = new Set(value().toUpperCase().split(','));
    else if (a === '--smoke') o.smoke = true;
    else if (a === '--cache') o.cache = resolve(value());
    else if (a === '--json') o.json = resolve(value());
    else if (a === '--no-install') o.install = false;
    else if (a === '--ccusage18-reps') o.ccusage18Reps = Number(value());
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--scale-max') o.scaleMax = Number(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node bench/run.mjs [--reps N] [--only T1,T2,T3,T4,T5,T6,T7,T8,T9,T10] [--smoke] [--cache DIR] [--json FILE] [--no-install]' +
          ' [--ccusage18-reps N] [--scale-max 2000|20000|100000]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (!(Number.isInteger(o.reps) && o.reps >= 1)) throw new Error('--reps must be a whole number of at least 1');
  if (o.smoke) {
    o.reps = 1;
    o.install = false;
  }
  return o;
}

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

// ---- commands ------------------------------------------------------------------------------------------

const freshDb = () => join(DBS, `${randomUUID()}.duckdb`);
const dropDb = (db) => {
  for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
};

/** `session-inspector run` over root into db; resolves { ms, peakRssMb, stats }. */
async function siRun(root, db, extra = []) {
  // The engine's targets measure processing; what the archive adds is T10's (a bench home's archive would
  // otherwise make every repetition after the first a cold run with nothing to archive).
  const r = await measure(process.execPath, [CLI, 'run', '--sessions', root, '--db', db, '--json', '--no-archive', ...extra], { env: SI_ENV });
  return { ...r, stats: JSON.parse(r.stdout) };
}

/** Reads the database directly (read-only, in this process): cheaper than another CLI start. */
async function siQuery(db, sql) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Cold runs over the scale corpora process every session: with the default time budget (150 s per
 * processor) a slow machine capped the 100,000-session run, and the "no-op" rerun then did the rest.
 */
const NO_BUDGET = ['--time-budget', '100000'];

const floorRun = (root) => measure(process.execPath, [FLOOR, root, '--threads', '2', '--md5', '--perline']);
const findRun = (root) => measure('find', [root, '-printf', '%T@ %s\n'], { stdoutToNull: true });

/** A ccusage version from npm, installed once into the cache; null (with the reason) when it cannot be. */
function ccusage(version) {
  const dir = join(opts.cache, 'refs', `ccusage@${version}`);
  const pkg = join(dir, 'node_modules', 'ccusage', 'package.json');
  if (!existsSync(pkg)) {
    if (!opts.install) return { missing: `not installed (run without --no-install, or npm install --prefix ${dir} ccusage@${version})` };
    log(`installing ccusage@${version} into ${dir}`);
    mkdirSync(dir, { recursive: true });
    const npm = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `ccusage@${version}`], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (npm.status !== 0 || !existsSync(pkg))
      return {
        missing: `not installable: npm install ccusage@${version} failed: ${(npm.stderr || npm.error?.message || '').trim().split('\n').slice(-2).join(' ')}`,
      };
  }
  // 20.x ships the native binary in a per-platform package; run it directly so a node wrapper is not timed.
  const native = join(dir, 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');
  if (version.startsWith('20.')) {
    if (existsSync(native)) {
      chmodSync(native, 0o755); // npm unpacks it without the executable bit; ccusage's own wrapper sets it the same way
      return { command: native, args: ['claude', 'daily', '--json', '--offline'] };
    }
    return { missing: `installed, but without a native binary for ${process.platform}-${process.arch}` };
  }
  return { command: process.execPath, args: [join(dir, 'node_modules', 'ccusage', 'dist', 'index.js'), 'daily', '--json', '--offline'] };
}

/** A CLAUDE_CONFIG_DIR whose projects/ is the corpus (a link). */
function claudeConfigFor(c) {
  const dir = join(opts.cache, 'claude-config', c.root.split('/').pop());
  if (!existsSync(join(dir, 'projects'))) {
    mkdirSync(dir, { recursive: true });
    symlinkSync(c.root, join(dir, 'projects'));
  }
  return dir;
}

// ---- checks --------------------------------------------------------------------------------------------

const check = (name, ok, detail) => ({ name, ok: Boolean(ok), detail });

async function tokenTotalsCheck(db, c, label) {
  const [row] = await siQuery(
    db,
    `SELECT sum(input_tokens)::BIGINT AS input, sum(output_tokens)::BIGINT AS output,
    sum(cache_creation_input_tokens)::BIGINT AS cache_creation, sum(cache_read_input_tokens)::BIGINT AS cache_read,
    count(*)::BIGINT AS messages FROM token_usage`,
  );
  const want = {
    input: c.stats.tokens.input,
    output: c.stats.tokens.output,
    cache_creation: c.stats.tokens.cacheCreation,
    cache_read: c.stats.tokens.cacheRead,
    messages: c.stats.uniqueMessages,
  };
  const got = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  const ok = Object.keys(want).every((k) => got[k] === want[k]);
  return check(`${label}: tokens totals equal the generator's --stats`, ok, ok ? want : { want, got });
}

function everyProcessed(stats, files, label) {
  const bad = stats.filter((s) => s.processed !== files || s.errors !== 0);
  return check(
    `${label}: every processor processed all ${files} sessions, no errors`,
    stats.length > 0 && bad.length === 0,
    bad.map((s) => `${s.processor}: ${s.processed} processed, ${s.errors} errors`).join('; ') || `${stats.length} processors`,
  );
}

// ---- targets -------------------------------------------------------------------------------------------

const results = {
  started: new Date().toISOString(),
  smoke: opts.smoke,
  reps: opts.reps,
  scaleMax: opts.scaleMax,
  machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform}-${process.arch}` },
  corpora: {},
  targets: [],
};
const mbps = (bytes, seconds) => +(bytes / 1e6 / seconds).toFixed(1);
const r3 = (x) => (x === null || x === undefined ? null : +x.toFixed(3));

async function t1() {
  const c = getCorpus('a');
  log(`T1 cold run, all built-in processors, ${c.files} sessions, ${(c.bytes / 1e6).toFixed(0)} MB`);
  const dbs = [];
  const lastDb = {};
  const cold = (extra, tag) => async () => {
    const db = freshDb();
    dbs.push(db);
    lastDb[tag] = db;
    return siRun(c.root, db, extra);
  };
  const sides = [
    { name: 'floor', run: () => floorRun(c.root) },
    { name: 'si', run: cold(['--plugin-processes', '2'], 'si') },
  ];
  if (!opts.smoke) sides.push({ name: 'si-1-process', run: cold(['--plugin-processes', '1'], 'w1') });
  const m = await alternate(sides, opts.reps, log);
  const checks = [everyProcessed(m.si.last.stats, c.files, 'cold run'), await tokenTotalsCheck(lastDb.si, c, 'cold run')];
  dbs.forEach(dropDb);
  const ratio = m.si.medianS / m.floor.medianS;
  results.targets.push({
    id: 'T1',
    title: 'cold run, all processors',
    corpus: c.name,
    reference: { name: 'floor.mjs --threads 2 --md5 --perline', ...strip(m.floor), mbps: mbps(c.bytes, m.floor.medianS) },
    subject: { name: 'run (all built-ins, 2 plugin processes)', ...strip(m.si), mbps: mbps(c.bytes, m.si.medianS) },
    ratio: r3(ratio),
    goal: 'ratio <= 1.0 (1.5 at least), peak RSS < 300 MB',
    met: ratio <= 1.0 && (m.si.peakRssMb ?? 0) < 300,
    checks,
    ...(m['si-1-process']
      ? { pluginProcesses: { one: strip(m['si-1-process']), two: strip(m.si), speedup: r3(m['si-1-process'].medianS / m.si.medianS) } }
      : {}),
  });
  return m.si;
}

async function t2() {
  const c = getCorpus('a');
  log(`T2 tokens alone vs ccusage, ${c.files} sessions`);
  const env = { ...process.env, CLAUDE_CONFIG_DIR: claudeConfigFor(c) };
  const ref20 = opts.smoke ? { missing: 'skipped in --smoke' } : ccusage(CCUSAGE_20);
  const ref18 = opts.smoke ? { missing: 'skipped in --smoke' } : ccusage(CCUSAGE_18);
  const dbs = [];
  const sides = [];
  if (ref20.command) sides.push({ name: 'ccusage20', run: () => measure(ref20.command, ref20.args, { env }) });
  sides.push({
    name: 'si-tokens',
    run: async () => {
      const db = freshDb();
      dbs.push(db);
      return siRun(c.root, db, ['--processor', 'tokens']);
    },
  });
  const m = await alternate(sides, opts.reps, log);
  const checks = [await tokenTotalsCheck(dbs.at(-1), c, 'tokens alone')];
  dbs.forEach(dropDb);
  if (ref20.command) {
    const totals = JSON.parse(m.ccusage20.last.stdout).totals ?? {};
    const t = c.stats.tokens;
    checks.push(
      check(
        "ccusage 20 totals equal the generator's --stats (reference sanity)",
        totals.inputTokens === t.input &&
          totals.outputTokens === t.output &&
          totals.cacheCreationTokens === t.cacheCreation &&
          totals.cacheReadTokens === t.cacheRead,
        totals,
      ),
    );
  }
  let ccusage18 = { missing: ref18.missing };
  if (ref18.command) {
    const m18 = await alternate([{ name: 'ccusage18', run: () => measure(ref18.command, ref18.args, { env }) }], opts.ccusage18Reps, log);
    ccusage18 = strip(m18.ccusage18);
  }
  const ratio = ref20.command ? m['si-tokens'].medianS / m.ccusage20.medianS : null;
  results.targets.push({
    id: 'T2',
    title: 'tokens alone',
    corpus: c.name,
    reference: ref20.command
      ? { name: `ccusage ${CCUSAGE_20} claude daily --json --offline`, ...strip(m.ccusage20), mbps: mbps(c.bytes, m.ccusage20.medianS) }
      : { name: `ccusage ${CCUSAGE_20}`, missing: ref20.missing },
    subject: { name: 'run --processor tokens', ...strip(m['si-tokens']), mbps: mbps(c.bytes, m['si-tokens'].medianS) },
    ratio: r3(ratio),
    goal: 'ratio <= 0.7',
    met: ratio === null ? null : ratio <= 0.7,
    checks,
    extraReference: { name: `ccusage ${CCUSAGE_18} daily --json --offline`, ...ccusage18 },
  });
}

/**
 * T8: a usage report answered from stored state (issue 16) against ccusage re-reading every transcript.
 * The state is brought up to date once first; `report` then runs its usual incremental update (a no-op),
 * and `--no-update` shows what the query alone costs. Totals must equal the generator's.
 */
async function t8() {
  const c = getCorpus('a');
  log(`T8 report daily from stored state vs ccusage, ${c.files} sessions`);
  const env = { ...process.env, CLAUDE_CONFIG_DIR: claudeConfigFor(c) };
  const ref20 = opts.smoke ? { missing: 'skipped in --smoke' } : ccusage(CCUSAGE_20);
  const db = freshDb();
  await siRun(c.root, db, ['--processor', 'tokens']);
  const report =
    (...extra) =>
    () =>
      measure(process.execPath, [CLI, 'report', 'daily', '--json', '--timezone', 'UTC', '--sessions', c.root, '--db', db, ...extra], { env: SI_ENV });
  const sides = [];
  if (ref20.command) sides.push({ name: 'ccusage20', run: () => measure(ref20.command, ref20.args, { env }) });
  sides.push({ name: 'si-report', run: report() }, { name: 'si-report-no-update', run: report('--no-update') });
  const m = await alternate(sides, opts.reps, log);
  const totals = JSON.parse(m['si-report'].last.stdout).totals;
  const t = c.stats.tokens;
  const checks = [
    check(
      "report totals equal the generator's --stats",
      totals.inputTokens === t.input &&
        totals.outputTokens === t.output &&
        totals.cacheCreationTokens === t.cacheCreation &&
        totals.cacheReadTokens === t.cacheRead &&
        totals.messages === c.stats.uniqueMessages,
      totals,
    ),
  ];
  dropDb(db);
  const ratio = ref20.command ? m['si-report'].medianS / m.ccusage20.medianS : null;
  results.targets.push({
    id: 'T8',
    title: 'usage report from stored state',
    corpus: c.name,
    reference: ref20.command
      ? { name: `ccusage ${CCUSAGE_20} claude daily --json --offline`, ...strip(m.ccusage20) }
      : { name: `ccusage ${CCUSAGE_20}`, missing: ref20.missing },
    subject: { name: 'report daily --json (incremental update first)', ...strip(m['si-report']) },
    extraReference: { name: 'report daily --json --no-update', ...strip(m['si-report-no-update']) },
    ratio: r3(ratio),
    goal: 'ratio <= 0.1',
    met: ratio === null ? null : ratio <= 0.1,
    checks,
  });
}

/** T6 (and the database T3/T4 start from): cold runs at three sizes of the same session shape. */
async function t6() {
  const points = [];
  let big = null;
  const sizes = [
    ['s2k', 2_000],
    ['s20k', 20_000],
    ['s100k', 100_000],
  ]
    .filter(([, n]) => n <= opts.scaleMax)
    .map(([name]) => name);
  for (const name of opts.smoke ? ['s100k'] : sizes) {
    const c = getCorpus(name);
    const reps = name === 's2k' ? opts.reps : 1; // a curve: the big sizes once each
    log(`T6 scale: cold run over ${c.files} sessions (${(c.bytes / 1e6).toFixed(0)} MB), ${reps} run(s)`);
    let keep = null;
    const m = await alternate(
      [
        {
          name: 'si',
          run: async () => {
            if (keep) dropDb(keep);
            keep = freshDb();
            return siRun(c.root, keep, NO_BUDGET);
          },
        },
      ],
      reps,
      log,
    );
    const checks = [everyProcessed(m.si.last.stats, c.files, `${name} cold run`)];
    points.push({
      corpus: c.name,
      sessions: c.files,
      bytes: c.bytes,
      ...strip(m.si),
      usPerSession: Math.round((m.si.medianS * 1e6) / c.files),
      mbps: mbps(c.bytes, m.si.medianS),
      checks,
    });
    if (name === (opts.smoke ? 's100k' : sizes.at(-1))) big = { c, db: keep };
    else dropDb(keep);
  }
  const flatness = points.length > 1 ? points.at(-1).usPerSession / points[0].usPerSession : null;
  results.targets.push({
    id: 'T6',
    title: 'scale: time per session, cold run',
    points,
    ratio: r3(flatness),
    goal: 'per-session cost flat (largest / 2k ratio <= 1.25)',
    met: flatness === null ? null : flatness <= 1.25,
    checks: points.flatMap((p) => p.checks),
  });
  return big;
}

async function t3t4(prepared) {
  const { c, db } = prepared;
  if (wants('T3')) {
    log(`T3 no-op rerun over ${c.files} unchanged sessions vs find`);
    const m = await alternate(
      [
        { name: 'find', run: () => findRun(c.root) },
        { name: 'si-noop', run: () => siRun(c.root, db) },
      ],
      opts.reps,
      log,
    );
    const stats = m['si-noop'].last.stats;
    const checks = [
      check(
        'no-op rerun: bytes_read is 0 for every processor',
        stats.length > 0 && stats.every((s) => s.bytes_read === 0),
        stats.map((s) => `${s.processor}: ${s.bytes_read}`).join(', '),
      ),
      check(
        'no-op rerun: nothing processed',
        stats.every((s) => s.processed === 0 && s.errors === 0),
        stats.map((s) => `${s.processor}: ${s.scanned} scanned`).join(', '),
      ),
    ];
    const ratio = m['si-noop'].medianS / m.find.medianS;
    results.targets.push({
      id: 'T3',
      title: 'no-op rerun',
      corpus: c.name,
      reference: { name: "find -printf '%T@ %s'", ...strip(m.find) },
      subject: { name: 'run (all built-ins), nothing changed', ...strip(m['si-noop']) },
      ratio: r3(ratio),
      goal: 'bytes_read 0, ratio <= 5',
      met: ratio <= 5,
      checks,
    });
  }
  if (wants('T4')) {
    const target = pickAppendTarget(c.root);
    const original = statSync(target.path).size;
    log(`T4 one appended line to ${target.key} (${original} bytes) among ${c.files}`);
    let appended = 0;
    const m = await alternate(
      [
        { name: 'si-noop', run: () => siRun(c.root, db) },
        {
          name: 'si-append',
          run: async () => {
            appendFileSync(
              target.path,
              `${JSON.stringify({
                type: 'system',
                subtype: 'bench',
                content: `appended line ${++appended}`,
                timestamp: new Date().toISOString(),
                uuid: randomUUID(),
              })}\n`,
            );
            const r = await siRun(c.root, db);
            r.size = statSync(target.path).size;
            return r;
          },
        },
      ],
      opts.reps,
      log,
    );
    const last = m['si-append'].last;
    const checks = [
      check(
        'append: only that session is read, by one shared pass',
        last.stats.length > 0 && last.stats.every((s) => s.processed === 1 && s.scanned === 1 && s.bytes_read === last.size),
        last.stats.map((s) => `${s.processor}: ${s.processed} processed, ${s.bytes_read} of ${last.size} bytes`).join(', '),
      ),
    ];
    truncateSync(target.path, original); // leave the cached corpus as generated (the database is dropped below)
    const ratio = m['si-append'].medianS / m['si-noop'].medianS;
    results.targets.push({
      id: 'T4',
      title: 'one appended line',
      corpus: c.name,
      reference: { name: 'no-op rerun', ...strip(m['si-noop']) },
      subject: { name: `run after appending to ${target.key}`, ...strip(m['si-append']) },
      ratio: r3(ratio),
      extraSeconds: r3(m['si-append'].medianS - m['si-noop'].medianS),
      goal: 'costs the no-op rerun plus that file',
      met: null,
      checks,
    });
  }
  dropDb(db);
}

/** The first session (in key order) whose last byte is a newline, so an appended line is a line of its own. */
function pickAppendTarget(root) {
  for (const dir of readdirSync(root).sort()) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(root, dir, name);
      const size = statSync(path).size;
      if (size === 0) continue;
      const fd = openSync(path, 'r');
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      closeSync(fd);
      if (last[0] === 10) return { path, key: `${dir}/${name}` };
    }
  }
  throw new Error(`no session under ${root} ends with a newline`);
}

async function t5(t1Subject) {
  const c = getCorpus('big');
  const biggest = c.stats.biggestFile?.bytes ?? c.bytes;
  log(`T5 one big session (${(biggest / 1e6).toFixed(0)} MB)`);
  const dbs = [];
  const m = await alternate(
    [
      { name: 'floor', run: () => floorRun(c.root) },
      {
        name: 'si',
        run: async () => {
          const db = freshDb();
          dbs.push(db);
          return siRun(c.root, db);
        },
      },
    ],
    opts.reps,
    log,
  );
  const checks = [everyProcessed(m.si.last.stats, c.files, 'big file')];
  dbs.forEach(dropDb);
  const siMbps = mbps(c.bytes, m.si.medianS);
  const t1Mbps = t1Subject ? mbps(getCorpus('a').bytes, t1Subject.medianS) : null;
  const ratio = t1Mbps ? siMbps / t1Mbps : null;
  results.targets.push({
    id: 'T5',
    title: 'one 1 GB session',
    corpus: c.name,
    reference: { name: 'floor.mjs on the same file', ...strip(m.floor), mbps: mbps(c.bytes, m.floor.medianS) },
    subject: { name: 'run (all built-ins)', ...strip(m.si), mbps: siMbps },
    ratio: r3(ratio),
    ratioOf: 'MB/s of this run / MB/s of T1',
    goal: 'peak RSS < 300 MB, >= 0.8 of T1 MB/s',
    met: ratio === null ? null : ratio >= 0.8 && (m.si.peakRssMb ?? 0) < 300,
    checks,
  });
}

/** What a side's measurement keeps in the JSON: no stdout. */
function strip({ medianS, runsS, peakRssMb }) {
  return { medianS: r3(medianS), runsS, peakRssMb: peakRssMb === null ? null : Math.round(peakRssMb) };
}

// ---- main ----------------------------------------------------------------------------------------------

let failed = false;
try {
  let t1Subject = null;
  if (wants('T1')) t1Subject = await t1();
  if (wants('T2')) await t2();
  if (wants('T6') || wants('T3') || wants('T4') || wants('T9')) {
    const prepared = wants('T6') ? await t6() : await prepareNoop();
    if (wants('T9'))
      results.targets.push(await sessionsListTarget({ repo: REPO, corpus: prepared.c, db: prepared.db, env: SI_ENV, home: HOME, reps: opts.reps, log }));
    if (wants('T3') || wants('T4')) await t3t4(prepared);
    else dropDb(prepared.db);
  }
  if (wants('T5')) await t5(t1Subject);
  if (wants('T8')) await t8();
  if (wants('T7')) results.targets.push(await teamTarget({ repo: REPO, cli: CLI, env: SI_ENV, corpus: getCorpus('a'), reps: opts.reps, log }));
  if (wants('T10')) results.targets.push(await archiveTarget({ cli: CLI, env: SI_ENV, corpus: getCorpus('a'), reps: opts.reps, scratch: DBS, log }));
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

/** T3/T4 without T6: one cold run over the 100k corpus to start from. */
async function prepareNoop() {
  const c = getCorpus(opts.scaleMax >= 100_000 || opts.smoke ? 's100k' : opts.scaleMax >= 20_000 ? 's20k' : 's2k');
  const db = freshDb();
  log(`preparing: cold run over ${c.files} sessions`);
  await siRun(c.root, db, NO_BUDGET);
  return { c, db };
}
