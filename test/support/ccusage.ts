import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The reference the reports are held to (docs/reports.md). */
export const CCUSAGE_VERSION = '20.0.24';

/**
 * ccusage's command line, installed from npm into a cache outside the repository on first use (as the
 * benchmarks do): it is a reference tool, not a dependency, and its native binaries exist for a few
 * platforms only, which a lock file of the project could not list. A string says why it is unavailable.
 */
export function ccusageCli(): string | { missing: string } {
  const dir = join(process.env.SI_TEST_CACHE ?? join(tmpdir(), 'session-inspector-test-refs'), `ccusage@${CCUSAGE_VERSION}`);
  const cli = join(dir, 'node_modules', 'ccusage', 'src', 'cli.js');
  if (!existsSync(cli)) {
    mkdirSync(dir, { recursive: true });
    const npm = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `ccusage@${CCUSAGE_VERSION}`], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (npm.status !== 0 || !existsSync(cli)) {
      return {
        missing:
          `ccusage ${CCUSAGE_VERSION} could not be installed from npm into ${dir}: ` +
          (npm.stderr || npm.error?.message || '').trim().split('\n').slice(-2).join(' '),
      };
    }
  }
  return cli;
}
