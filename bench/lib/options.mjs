// The command line of bench/run.mjs.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function parseArgs(argv) {
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
        'usage: node bench/run.mjs [--reps N] [--only T1,T2,T3,T4,T5,T6,T7,T8,T9,T10,T11] [--smoke] [--cache DIR] [--json FILE] [--no-install]' +
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
