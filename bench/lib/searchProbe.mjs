// T11's probe: the search index as the app holds it. Builds (or catches up) the index of a session root,
// then asks each query for a first page of 50 hits, `reps` times, all in this one process (state warm).
// Prints JSON: { buildS, indexBytes, queries: { name: { hits, runsS } } }.
//   node bench/lib/searchProbe.mjs SESSION_ROOT HOME REPS
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { scanSessionRoot } from '../../dist/main/core/scan.js';
import { SearchIndex, SEARCH_INDEX_FILE } from '../../dist/main/core/search/searchIndex.js';

const [sessions, home, reps] = process.argv.slice(2);
const seconds = (start) => +((performance.now() - start) / 1000).toFixed(4);

/** A common word, a rare phrase with a non-ASCII letter, a regex, and searches that find nothing (every row scanned). */
export const QUERIES = {
  'common word: timeout': { text: 'timeout', regex: false },
  'rare: é 2274': { text: 'é 2274', regex: false },
  'regex: time[a-z]+ 4[0-9]{3}': { text: 'time[a-z]+ 4[0-9]{3}', regex: true },
  'no hit: zebrafish': { text: 'zebrafish', regex: false },
  'no hit, regex: zebra[0-9]+fish': { text: 'zebra[0-9]+fish', regex: true },
};

const started = performance.now();
const scan = await scanSessionRoot(sessions);
const index = await SearchIndex.open(home);
try {
  await index.update(scan.root, scan.sessions);
  const buildS = seconds(started);
  const queries = {};
  for (const [name, query] of Object.entries(QUERIES)) {
    const runsS = [];
    let hits = 0;
    for (let i = 0; i < Number(reps); i++) {
      const t = performance.now();
      const page = await index.search(scan.root, { ...query, limit: 50, offset: 0, timeLimitMs: 60_000 });
      runsS.push(seconds(t));
      hits = page.hits.length;
    }
    queries[name] = { hits, runsS };
  }
  process.stdout.write(JSON.stringify({ buildS, indexBytes: statSync(join(home, SEARCH_INDEX_FILE)).size, queries }) + '\n');
} finally {
  await index.close();
}
