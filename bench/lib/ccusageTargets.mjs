// T2 and T8: token usage, processed and reported, against ccusage reading every transcript.
import { alternate, measure } from './measure.mjs';
import { check, mbps, r3, strip, tokenTotalsCheck } from './checks.mjs';

const CCUSAGE_20 = '20.0.24';
const CCUSAGE_18 = '18.0.11';

/** T2: the tokens processor alone against ccusage. */
export async function t2(b) {
  const c = b.getCorpus('a');
  b.log(`T2 tokens alone vs ccusage, ${c.files} sessions`);
  const env = { ...process.env, CLAUDE_CONFIG_DIR: b.claudeConfigFor(c) };
  const ref20 = b.opts.smoke ? { missing: 'skipped in --smoke' } : b.ccusage(CCUSAGE_20);
  const ref18 = b.opts.smoke ? { missing: 'skipped in --smoke' } : b.ccusage(CCUSAGE_18);
  const dbs = [];
  const sides = [];
  if (ref20.command) sides.push({ name: 'ccusage20', run: () => measure(ref20.command, ref20.args, { env }) });
  sides.push({
    name: 'si-tokens',
    run: async () => {
      const db = b.freshDb();
      dbs.push(db);
      return b.siRun(c.root, db, ['--processor', 'tokens']);
    },
  });
  const m = await alternate(sides, b.opts.reps, b.log);
  const checks = [await tokenTotalsCheck(b.siQuery, dbs.at(-1), c, 'tokens alone')];
  dbs.forEach(b.dropDb);
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
    const m18 = await alternate([{ name: 'ccusage18', run: () => measure(ref18.command, ref18.args, { env }) }], b.opts.ccusage18Reps, b.log);
    ccusage18 = strip(m18.ccusage18);
  }
  const ratio = ref20.command ? m['si-tokens'].medianS / m.ccusage20.medianS : null;
  b.results.targets.push({
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
export async function t8(b) {
  const c = b.getCorpus('a');
  b.log(`T8 report daily from stored state vs ccusage, ${c.files} sessions`);
  const env = { ...process.env, CLAUDE_CONFIG_DIR: b.claudeConfigFor(c) };
  const ref20 = b.opts.smoke ? { missing: 'skipped in --smoke' } : b.ccusage(CCUSAGE_20);
  const db = b.freshDb();
  await b.siRun(c.root, db, ['--processor', 'tokens']);
  const report =
    (...extra) =>
    () =>
      measure(process.execPath, [b.cli, 'report', 'daily', '--json', '--timezone', 'UTC', '--sessions', c.root, '--db', db, ...extra], { env: b.env });
  const sides = [];
  if (ref20.command) sides.push({ name: 'ccusage20', run: () => measure(ref20.command, ref20.args, { env }) });
  sides.push({ name: 'si-report', run: report() }, { name: 'si-report-no-update', run: report('--no-update') });
  const m = await alternate(sides, b.opts.reps, b.log);
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
  b.dropDb(db);
  const ratio = ref20.command ? m['si-report'].medianS / m.ccusage20.medianS : null;
  b.results.targets.push({
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
