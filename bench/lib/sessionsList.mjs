// T9, the sessions list over the largest scale corpus (issue 20): the API service as the app starts it
// (sessionsProbe.mjs, a fresh process each time) answers its first list, then the list after the new scan,
// then each sort and filter. The first probe builds the store's list and columns' cache, as the first
// start after an upgrade does; sorting by file time, a column the scan knows, is the reference every other
// sort and filter is compared with.
import { join } from 'node:path';
import { measure, median } from './measure.mjs';

const r3 = (x) => (x === null || x === undefined ? null : +x.toFixed(3));

/** Returns a target object for results.targets. */
export async function sessionsListTarget({ repo, corpus, db, env, home, reps, log }) {
  const probe = async () =>
    JSON.parse((await measure(process.execPath, [join(repo, 'bench', 'lib', 'sessionsProbe.mjs'), db, corpus.root, home], { env })).stdout);
  log(`T9 sessions list over ${corpus.files} sessions: building the list and the columns' cache`);
  const built = performance.now();
  await probe();
  const cacheBuildS = (performance.now() - built) / 1000;
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await probe());
  const firstRowsS = median(runs.map((r) => r.firstRowsS));
  const queries = Object.fromEntries(Object.keys(runs[0].queries).map((name) => [name, r3(median(runs.map((r) => r.queries[name])))]));
  const reference = queries['sort modified (scan columns)'];
  const slowest = Math.max(...Object.values(queries));
  // The generated corpus has no subagent transcripts: every file is a session of the list.
  const ok = runs.every((r) => r.total === corpus.files);
  return {
    id: 'T9',
    title: 'sessions list: first rows, sorts and filters',
    corpus: corpus.name,
    reference: { name: 'page sorted by file time (scan columns)', medianS: reference },
    subject: { name: 'slowest sort or filter on a processor column', medianS: r3(slowest) },
    extraReference: { name: 'start: first rows (last scan), process start excluded', medianS: r3(firstRowsS) },
    refreshedS: r3(median(runs.map((r) => r.refreshedS))),
    cacheBuildS: r3(cacheBuildS),
    queries,
    ratio: r3(slowest / reference),
    goal: 'first rows <= 1 s, each sort or filter <= 0.5 s',
    met: firstRowsS <= 1 && slowest <= 0.5,
    checks: [{ name: 'the list holds every session', ok, detail: runs.map((r) => r.total).join(', ') }],
  };
}
