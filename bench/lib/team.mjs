// Team mode (docs/team-mode.md): one runner against two runner processes on the same PostgreSQL store and
// corpus. Needs Debian's PostgreSQL server binaries (a throwaway cluster is started from the compiled test
// helper); without them the target says so and the rest of the bench goes on.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { alternate, measure } from './measure.mjs';

/** Returns a target object for results.targets. Each repetition starts from a fresh database, so both sides do the whole corpus. */
export async function teamTarget({ repo, cli, env, corpus, reps, log }) {
  const support = (name) => import(pathToFileURL(join(repo, 'dist', 'test', 'support', name)).href);
  let cluster;
  try {
    cluster = await (await support('postgresCluster.js')).startCluster();
  } catch (error) {
    const missing = `no PostgreSQL server to run against: ${error.message.split('\n')[0]}`;
    return {
      id: 'T7',
      title: 'team mode: 2 runners vs 1',
      reference: { name: '1 runner', missing },
      subject: { name: '2 runners (not run)' },
      ratio: null,
      goal: '2 runners faster than 1',
      met: null,
      checks: [],
    };
  }
  try {
    process.env.SESSION_INSPECTOR_TEST_PG = cluster.url;
    const { freshDatabase } = await support('postgres.js');
    const databases = [];
    const runnerArgs = (url) => [cli, 'run', '--sessions', corpus.root, '--state', url, '--plugin-processes', '1', '--json', '--no-archive'];
    const last = {};
    const side = (name, runners) => async () => {
      const db = await freshDatabase();
      databases.push(db);
      // Several runners are one measured command (a shell waiting for all), so RSS covers them all.
      const script = runnerArgs(db.url)
        .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
        .join(' ');
      const outputs = Array.from({ length: runners }, (_, i) => join(tmpdir(), `si-team-${process.pid}-${name}-${i}.json`));
      const command = outputs.map((out) => `${JSON.stringify(process.execPath)} ${script} > '${out}' &`).join(' ') + ' wait';
      const r = await measure('sh', ['-c', command], { env });
      last[name] = outputs.map((out) => {
        const stats = JSON.parse(readFileSync(out, 'utf8'));
        rmSync(out, { force: true });
        return stats;
      });
      return r;
    };
    log(`T7 team mode: 1 runner vs 2 runners (1 plugin process each), ${corpus.files} sessions on PostgreSQL`);
    const m = await alternate(
      [
        { name: 'one', run: side('one', 1) },
        { name: 'two', run: side('two', 2) },
      ],
      reps,
      log,
    );
    for (const db of databases) await db.drop();
    const checks = ['one', 'two'].map((name) => {
      const byProcessor = new Map();
      for (const stats of last[name]) for (const s of stats) byProcessor.set(s.processor, (byProcessor.get(s.processor) ?? 0) + s.processed);
      const ok = byProcessor.size > 0 && [...byProcessor.values()].every((n) => n === corpus.files);
      return {
        name: `${name === 'one' ? '1 runner' : '2 runners'}: every session processed exactly once per processor`,
        ok,
        detail: [...byProcessor].map(([p, n]) => `${p}: ${n}`).join(', '),
      };
    });
    const speedup = m.one.medianS / m.two.medianS;
    return {
      id: 'T7',
      title: 'team mode: 2 runners vs 1',
      corpus: corpus.name,
      reference: { name: '1 runner, 1 plugin process', medianS: m.one.medianS, runsS: m.one.runsS, peakRssMb: mb(m.one.peakRssMb) },
      subject: { name: '2 runners, 1 plugin process each', medianS: m.two.medianS, runsS: m.two.runsS, peakRssMb: mb(m.two.peakRssMb) },
      ratio: +speedup.toFixed(3),
      ratioOf: 'speedup of 2 runners',
      goal: '2 runners faster than 1',
      met: speedup > 1,
      checks,
    };
  } finally {
    delete process.env.SESSION_INSPECTOR_TEST_PG;
    await cluster.stop();
  }
}

/** Whole megabytes, as the other targets report them. */
const mb = (value) => (value === null || value === undefined ? null : Math.round(value));
