// The commands the targets measure and compare against: Session Inspector's run over a corpus, the floor
// benchmark, find, ccusage (installed from npm into the cache), and a read-only look into a run's database.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { measure } from './measure.mjs';

/**
 * Cold runs over the scale corpora process every session: with the default time budget (150 s per
 * processor) a slow machine capped the 100,000-session run, and the "no-op" rerun then did the rest.
 */
export const NO_BUDGET = ['--time-budget', '100000'];

/**
 * The commands, bound to this bench's options: `cli` and `floor` are the scripts run, `dbs` the folder of
 * scratch databases, `env` Session Inspector's environment.
 */
export function createCommands({ opts, log, cli, floor, dbs, env }) {
  const freshDb = () => join(dbs, `${randomUUID()}.duckdb`);
  const dropDb = (db) => {
    for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  };

  /** `session-inspector run` over root into db; resolves { ms, peakRssMb, stats }. */
  async function siRun(root, db, extra = []) {
    // The engine's targets measure processing; what the archive adds is T10's (a bench home's archive would
    // otherwise make every repetition after the first a cold run with nothing to archive).
    const r = await measure(process.execPath, [cli, 'run', '--sessions', root, '--db', db, '--json', '--no-archive', ...extra], { env });
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

  const floorRun = (root) => measure(process.execPath, [floor, root, '--threads', '2', '--md5', '--perline']);
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

  return { freshDb, dropDb, siRun, siQuery, floorRun, findRun, ccusage, claudeConfigFor };
}
