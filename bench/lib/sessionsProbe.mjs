// T9's probe: the app's main side as it starts over a store (ApiService, browser mode, no scheduler) and
// answers the renderer's first `sessions/list`, then the list once the folder's new scan has landed, then
// each sort and filter a user clicks, all timed in this one process.
// Prints JSON: { firstRowsS, refreshedS, total, queries: { name: s } }.
//   node bench/lib/sessionsProbe.mjs STATE.duckdb SESSION_ROOT HOME
import { ApiService } from '../../dist/main/api/service.js';

const [state, sessions, home] = process.argv.slice(2);
const PAGE = { offset: 0, limit: 200 };
const seconds = (start) => +((performance.now() - start) / 1000).toFixed(4);

const started = performance.now();
const service = await ApiService.open({
  mode: 'browser',
  version: 'bench',
  state,
  sessions,
  home,
  builtins: true,
  schedule: false,
  exportTarget: async () => null,
});
async function list(query) {
  const response = await service.handle('sessions/list', { ...PAGE, ...query });
  if (!response.ok) throw new Error(response.error.message);
  return response.value;
}
try {
  await list({});
  const firstRowsS = seconds(started);
  // The scan the first answer let run, or this one: either way the list then holds the folder as it is.
  const refreshed = await service.handle('sessions/refresh', {});
  if (!refreshed.ok) throw new Error(refreshed.error.message);
  const first = await list({});
  const refreshedS = seconds(started);
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
  for (const [name, query] of Object.entries(cases)) {
    const start = performance.now();
    await list(query);
    queries[name] = seconds(start);
  }
  process.stdout.write(`${JSON.stringify({ firstRowsS, refreshedS, total: first.total, queries })}\n`);
} finally {
  await service.close();
}
