// T11, full-text search (docs/search.md): a first page of 50 hits for each kind of query, the index built
// and the process warm, as the app answers its search box (searchProbe.mjs). Goal: 1 s over corpus A, 3 s
// over 100,000 sessions. The reference is what an analyst has without it: `grep -rilF` over the folder, a
// full scan like a search that finds nothing.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { measure, median } from './measure.mjs';
import { r3 } from './checks.mjs';

/** Returns a target object for results.targets. The index is built in a fresh home each time (its cost is reported). */
export async function searchTarget({ repo, corpus, goalS, env, scratch, reps, log }) {
  const home = join(scratch, `t11-${process.pid}-${corpus.name}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  log(`T11 search over ${corpus.files} sessions: building the index, then ${reps} run(s) of each query`);
  try {
    const probe = await measure(process.execPath, [join(repo, 'bench', 'lib', 'searchProbe.mjs'), corpus.root, home, String(reps)], { env });
    const result = JSON.parse(probe.stdout);
    const grep = [];
    for (let i = 0; i < reps; i++) {
      const run = await measure('grep', ['-rilF', 'zebrafish', corpus.root], { allowFailure: true, stdoutToNull: true });
      grep.push(run.ms / 1000);
    }
    const queries = Object.fromEntries(Object.entries(result.queries).map(([name, q]) => [name, r3(median(q.runsS))]));
    const hitCounts = Object.fromEntries(Object.entries(result.queries).map(([name, q]) => [name, q.hits]));
    const slowest = Math.max(...Object.values(queries));
    const hits = (name) => Object.entries(hitCounts).find(([n]) => n.startsWith(name))[1];
    return {
      id: 'T11',
      title: 'search: a first page of hits, index built, state warm',
      corpus: corpus.name,
      reference: { name: 'grep -rilF (full scan, no hit)', medianS: r3(median(grep)), runsS: grep.map(r3) },
      subject: { name: 'slowest query, first page of 50', medianS: r3(slowest), peakRssMb: probe.peakRssMb === null ? null : Math.round(probe.peakRssMb) },
      queries,
      hits: hitCounts,
      index: { buildS: r3(result.buildS), bytes: result.indexBytes },
      ratio: r3(slowest / median(grep)),
      goal: `each query <= ${goalS} s`,
      met: slowest <= goalS,
      checks: [
        { name: 'a common word is found', ok: hits('common word') > 0, detail: hits('common word') },
        { name: 'a search for what is not there finds nothing', ok: hits('no hit:') === 0 && hits('no hit, regex') === 0, detail: hits('no hit:') },
      ],
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
