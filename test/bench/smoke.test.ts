// CI smoke run of the benchmark suite (`npm run bench`): tiny corpora, one run of each side, every
// correctness check of the real benchmark, no timing assertions. Keeps bench/ from rotting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot, tempDir } from '../helpers.js';

const sharedBench = resolve(repoRoot, '..', 'shared', 'bench');
const missing = existsSync(join(sharedBench, 'gen-sessions.mjs')) ? false : `corpus generator not found at ${sharedBench}`;

test('bench --smoke: every target runs against its reference and every correctness check passes', { skip: missing, timeout: 180_000 }, () => {
  const cache = tempDir('si-bench-smoke-');
  const json = join(cache, 'results.json');
  const run = spawnSync(process.execPath, [join(repoRoot, 'bench', 'run.mjs'), '--smoke', '--quiet', '--cache', cache, '--json', json], { encoding: 'utf8' });
  assert.equal(run.status, 0, `bench --smoke failed:\n${run.stdout}\n${run.stderr}`);
  const results = JSON.parse(readFileSync(json, 'utf8')) as { checksPassed: boolean; targets: { id: string; checks: { name: string; ok: boolean }[] }[] };
  assert.equal(results.checksPassed, true);
  assert.deepEqual(results.targets.map((t) => t.id).sort(), ['T1', 'T10', 'T11', 'T11', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9']);
  const names = results.targets.flatMap((t) => t.checks.map((c) => c.name));
  const expectedChecks = [
    /tokens totals equal/,
    /bytes_read is 0/,
    /only that session is read/,
    /report totals equal/,
    /the list holds every session/,
    /archive verify after packing: intact/,
    /a search for what is not there finds nothing/,
  ];
  // T7 (team mode) runs where PostgreSQL's server binaries are installed (npm test installs nothing itself).
  if (process.env.SESSION_INSPECTOR_TEST_PG) expectedChecks.push(/2 runners: every session processed exactly once/);
  for (const expected of expectedChecks)
    assert.ok(
      names.some((n) => expected.test(n)),
      `missing check ${expected}`,
    );
  assert.match(run.stdout, /T1 cold run/); // the table was printed
});
