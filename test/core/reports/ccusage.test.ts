// Agreement with ccusage 20.0.24 (installed from npm into a cache on first use): every row of every report has exactly its token
// counts, models and order, and costs within 0.5%, in UTC and in a half-hour zone. The generated corpus
// comes from the seeded generator beside the repository; the real transcripts show the two documented
// differences (docs/reports.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, fixturesMissing, repoRoot, runCli, tempDir } from '../../helpers.js';
import { ccusageCli } from '../../support/ccusage.js';

const run = promisify(execFile);
const reference = ccusageCli();
const generator = resolve(repoRoot, '..', 'shared', 'bench', 'gen-sessions.mjs');
const skipCcusage = typeof reference === 'string' ? false : reference.missing;
const skipGenerated = skipCcusage || (existsSync(generator) ? false : `the corpus generator is not at ${generator}`);

const TOP = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions', blocks: 'blocks' } as const;
const KEY = { daily: 'date', weekly: 'week', monthly: 'month', session: 'sessionId', blocks: 'id' } as const;
type Kind = keyof typeof TOP;

async function ccusage(configDir: string, kind: Kind, timeZone: string): Promise<any> {
  const { stdout } = await run(process.execPath, [reference as string, 'claude', kind, '--json', '--offline', '--timezone', timeZone], {
    env: { PATH: process.env.PATH, HOME: tempDir('ccusage-home-'), CLAUDE_CONFIG_DIR: configDir, TZ: 'UTC' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

async function ours(root: string, state: string, kind: Kind, timeZone: string): Promise<any> {
  const result = await runCli(['report', kind, '--json', '--timezone', timeZone, '--sessions', root, '--state', state]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** The fields ccusage writes, with costs apart (compared with a tolerance) and objects' keys sorted. */
function comparable(row: Record<string, unknown>, like: Record<string, unknown>): unknown {
  const costs = new Set(['totalCost', 'costUSD', 'modelBreakdowns', 'burnRate', 'projection', 'isActive']);
  const sorted = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v;
  return Object.keys(like)
    .filter((k) => !costs.has(k))
    .map((k) => [k, sorted(row[k])]);
}

const costOf = (row: any) => row.costUSD ?? row.totalCost;
const near = (a: number, b: number) => Math.abs(a - b) <= 0.005 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;

test('reports: every row equals ccusage 20 on a generated corpus, in UTC and Asia/Kolkata', { skip: skipGenerated, timeout: 300_000 }, async () => {
  const dir = tempDir('ccusage-agree-');
  const root = join(dir, 'config', 'projects');
  await run(process.execPath, [
    generator,
    '--out',
    root,
    '--dirs',
    '4',
    '--sessions-per-dir',
    '10',
    '--mean-lines',
    '60',
    '--seed',
    'report',
    '--start-date',
    '2025-10-20',
    '--days',
    '45',
    '--malformed-rate',
    '0.002',
    '--truncated-tail-rate',
    '0.05',
    '--quiet',
  ]);
  const state = join(dir, 'state.duckdb');
  for (const timeZone of ['UTC', 'Asia/Kolkata']) {
    for (const kind of Object.keys(TOP) as Kind[]) {
      const [theirs, mine] = await Promise.all([ccusage(join(dir, 'config'), kind, timeZone), ours(root, state, kind, timeZone)]);
      const label = `${kind} in ${timeZone}`;
      const a: any[] = theirs[TOP[kind]];
      const b: any[] = mine[TOP[kind]];
      assert.ok(a.length > (kind === 'monthly' || kind === 'weekly' ? 1 : 5), `${label}: ccusage has rows`);
      assert.deepEqual(
        b.map((r) => r[KEY[kind]]),
        a.map((r) => r[KEY[kind]]),
        `${label}: the same rows in the same order`,
      );
      a.forEach((row, i) => {
        assert.deepEqual(comparable(b[i], row), comparable(row, row), `${label}: ${row[KEY[kind]]}`);
        assert.ok(near(costOf(b[i]), costOf(row)), `${label}: ${row[KEY[kind]]} costs ${costOf(b[i])} here, ${costOf(row)} in ccusage`);
        for (const m of row.modelBreakdowns ?? []) {
          const other = b[i].modelBreakdowns.find((x: any) => x.modelName === m.modelName);
          assert.deepEqual(
            [other?.inputTokens, other?.outputTokens, other?.cacheCreationTokens, other?.cacheReadTokens],
            [m.inputTokens, m.outputTokens, m.cacheCreationTokens, m.cacheReadTokens],
            `${label}: ${row[KEY[kind]]} ${m.modelName}`,
          );
        }
      });
      if (theirs.totals) {
        assert.deepEqual(comparable(mine.totals, theirs.totals), comparable(theirs.totals, theirs.totals), `${label}: totals`);
        assert.ok(near(mine.totals.totalCost, theirs.totals.totalCost), `${label}: total cost`);
      }
    }
  }
});

test(
  'reports: on the real transcripts the only difference from ccusage is lines it does not read (spaced JSON)',
  { skip: skipCcusage || fixturesMissing, timeout: 120_000 },
  async () => {
    const dir = tempDir('ccusage-fixtures-');
    const root = join(dir, 'config', 'projects');
    cpSync(fixturesDir, root, { recursive: true });
    rmSync(join(root, 'SOURCES.md'), { force: true });
    const [theirs, mine] = await Promise.all([ccusage(join(dir, 'config'), 'daily', 'UTC'), ours(root, join(dir, 'state.duckdb'), 'daily', 'UTC')]);
    // ccusage looks only at lines with the bytes `"usage":{`; hand-written test transcripts put a space
    // there. Each such line is its own message in these files, so its tokens are exactly the difference.
    const spaced = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
    const files = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(folder, e.name)) : e.name.endsWith('.jsonl') ? [join(folder, e.name)] : [],
      );
    for (const file of files(root)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!/"usage":\s+\{/.test(line)) continue;
        const usage = JSON.parse(line).message.usage;
        spaced.inputTokens += usage.input_tokens ?? 0;
        spaced.outputTokens += usage.output_tokens ?? 0;
        spaced.cacheCreationTokens += usage.cache_creation_input_tokens ?? 0;
        spaced.cacheReadTokens += usage.cache_read_input_tokens ?? 0;
      }
    }
    assert.ok(spaced.inputTokens > 0, 'the fixtures have such lines');
    for (const field of Object.keys(spaced) as (keyof typeof spaced)[]) {
      assert.equal(mine.totals[field] - theirs.totals[field], spaced[field], field);
    }
  },
);
