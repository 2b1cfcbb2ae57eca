import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Engine } from '../../main/core/engine.js';
import { repoRoot, tempDir } from '../helpers.js';
import { readUsageReport, REPORT_KINDS } from '../../main/core/reports/usageReport.js';
import { reportOptions } from '../../main/core/reports/reportOptions.js';
import { writeCorpus } from '../faults/corpus.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../support/postgres.js';

/** What a run leaves behind, without what differs by nature (read times, run ids). */
async function contents(engine: Engine) {
  const db = engine.store.db;
  return {
    state: await db.all(
      'SELECT processor_name, session_file, username, items_extracted, file_hash, processor_version FROM session_processor_state ORDER BY 1, 2',
    ),
    failures: await db.all('SELECT processor_name, session_file, attempts, quarantined, last_error, file_hash FROM session_processor_failures ORDER BY 1, 2'),
    items: await db.all('SELECT processor_name, session_file, item_index, item FROM processor_items ORDER BY 1, 2, 3'),
    // The typed views read the same items the same way on both (TRY_CAST on one, si_try_* on the other).
    tokens: await db.all(
      'SELECT model, sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cache_read_input_tokens) AS cache_read, count(*) AS n ' +
        'FROM token_usage GROUP BY model ORDER BY model',
    ),
    tools: await db.all(
      "SELECT tool_name, count(*) AS calls, count(*) FILTER (WHERE is_error) AS failed FROM usage_events WHERE event_type = 'tool' " +
        'GROUP BY tool_name ORDER BY tool_name',
    ),
    // Reports run the same SQL on both; sums of costs may differ in the last bits, so they are rounded.
    reports: await Promise.all(
      REPORT_KINDS.map(async (kind) => roundCosts(await readUsageReport(db, kind, reportOptions({ timezone: 'Asia/Kolkata' }, Date.parse('2030-01-01'))))),
    ),
    // Repricing joins the rates as typed VALUES, which each backend must accept the same way.
    repriced: roundCosts(await readUsageReport(db, 'session', reportOptions({ timezone: 'UTC', prices: join(repoRoot, 'plugins', 'tokens', 'prices.json') }))),
  };
}

function roundCosts(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toFixed(9));
  if (Array.isArray(value)) return value.map(roundCosts);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundCosts(v)]));
  return value;
}

test('DuckDB and PostgreSQL end with identical state, items and views for the same corpus (every built-in processor)', { timeout: 300_000 }, async (t) => {
  if (!testPostgresUrl()) return t.skip(postgresSkipReason);
  const dir = tempDir('si-backends-');
  const root = join(dir, 'sessions');
  writeCorpus(root, 120);
  const pg = await freshDatabase();
  t.after(() => pg.drop());
  const results = [];
  for (const state of [join(dir, 'state.duckdb'), pg.url]) {
    const engine = await Engine.open({ state, sessions: root, builtins: true, pluginProcesses: 2, home: join(dir, 'home') });
    try {
      const stats = await engine.run([]);
      assert.ok(stats.length >= 5, 'every built-in processor ran');
      for (const s of stats) assert.equal(s.processed, 120, `${s.processor} processed every session on ${engine.store.db.backend}`);
      results.push(await contents(engine));
    } finally {
      await engine.close();
    }
  }
  const [duck, postgres] = results;
  assert.ok(duck.items.length > 1000 && duck.tokens.length > 0 && duck.tools.length > 0, 'the comparison covers real data');
  assert.ok((duck.reports[0] as { daily: unknown[] }).daily.length > 0, 'the reports have rows');
  const repriced = duck.repriced as { totals: { totalCost: number }; meta: { prices: string } };
  assert.ok(repriced.totals.totalCost > 0 && /prices\.json/.test(repriced.meta.prices), 'the repriced report has costs');
  assert.deepEqual(postgres, duck);
});
