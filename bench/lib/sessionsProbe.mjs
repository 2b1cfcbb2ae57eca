// T9's probe: what the app does when it starts over a store (scan the folder, index the sessions and the
// loaded processors, bring the columns' cache up to date, read the first page), then each sort and filter
// a user clicks, timed in this one process. Prints JSON: { firstRowsS, cacheS, queries: { name: s }, rows }.
//   node bench/lib/sessionsProbe.mjs STATE.duckdb SESSION_ROOT
import { Engine } from '../../dist/main/core/engine.js';
import { SessionIndex } from '../../dist/main/core/sessions/sessionIndex.js';

const [state, sessions] = process.argv.slice(2);
const PAGE = { offset: 0, limit: 200 };
const seconds = (start) => +((performance.now() - start) / 1000).toFixed(4);

const engine = await Engine.open({ state, sessions, plugins: [], builtins: true, toRun: false });
try {
  const started = performance.now();
  const index = new SessionIndex(engine.store.db);
  const [{ sessions: scanned }, { processors }] = await Promise.all([engine.scan(), engine.plugins()]);
  await index.replaceSessions(scanned);
  await index.replaceProcessors(processors);
  const first = await index.page(PAGE);
  const firstRowsS = seconds(started);
  const queries = {};
  const cases = {
    'sort modified (scan columns)': { sort: { by: 'modified', dir: 'desc' } },
    'sort cost': { sort: { by: 'cost', dir: 'desc' } },
    'sort duration': { sort: { by: 'duration', dir: 'desc' } },
    'sort errors': { sort: { by: 'errors', dir: 'desc' } },
    'sort started': { sort: { by: 'started', dir: 'asc' } },
    'filter project': { project: first.rows[0]?.project ?? 'x' },
    'filter text': { text: 'retry' },
    'filter has errors': { has: ['errors'] },
    'filter failed': { status: ['failed', 'quarantined'] },
    'filter date range': { startedFrom: '2025-09-10T00:00:00Z', startedTo: '2025-09-17T00:00:00Z' },
  };
  let rows = 0;
  for (const [name, query] of Object.entries(cases)) {
    const start = performance.now();
    rows += (await index.page({ ...PAGE, ...query })).rows.length;
    queries[name] = seconds(start);
  }
  process.stdout.write(`${JSON.stringify({ firstRowsS, total: first.total, queries, rows })}\n`);
} finally {
  await engine.close();
}
