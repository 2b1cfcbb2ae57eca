// Health is judged from what the store records and a clock: these tests move the clock (`now`) and write
// the rows a run, a failure or a lease leaves, rather than waiting for hours to pass.
import assert from 'node:assert/strict';
import { checkHealth, DEFAULT_THRESHOLDS } from '../../main/core/health.js';
import { prometheusMetrics } from '../../main/core/healthMetrics.js';
import { StateStore } from '../../main/core/store/stateStore.js';
import { tempDir } from '../helpers.js';
import { freshState, stateTest } from './harness.js';

const NOW = new Date('2025-10-01T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

async function withStore(backend: 'duckdb' | 'postgres', fn: (store: StateStore) => Promise<void>): Promise<void> {
  const store = await StateStore.open(await freshState(backend, tempDir('si-health-')));
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

let runs = 0;
/** A run of `processor` that started `startedAgo` minutes before NOW and took `minutes` (unfinished: null). */
async function run(store: StateStore, processor: string, startedAgo: number, minutes: number | null, stats: object = { processed: 10, errors: 0 }) {
  const id = `run-${++runs}`;
  await store.db.run('INSERT INTO processor_runs (run_id, processor_name, trigger, started_at) VALUES ($1, $2, $3, $4::TIMESTAMP)', [
    id,
    processor,
    'test',
    ago(startedAgo),
  ]);
  if (minutes !== null) {
    await store.db.run('UPDATE processor_runs SET finished_at = $2::TIMESTAMP, stats = $3::JSON WHERE run_id = $1', [
      id,
      ago(startedAgo - minutes),
      JSON.stringify(stats),
    ]);
  }
}

const kinds = (health: Awaited<ReturnType<typeof checkHealth>>) => health.problems.map((p) => `${p.kind} ${p.processor ?? ''}`.trim());

stateTest('health: a run two days ago with a 10-minute cadence is overdue; a fresh run clears it; never run is overdue', async (backend) => {
  await withStore(backend, async (store) => {
    const processors = [
      { name: 'tokens', cadenceMinutes: 10 },
      { name: 'usage', cadenceMinutes: 10 },
    ];
    await run(store, 'tokens', 2 * 24 * 60, 1);
    let health = await checkHealth(store.db, processors, NOW);
    assert.deepEqual(kinds(health), ['overdue tokens', 'overdue usage']);
    assert.match(health.problems[0].message, /^tokens: last run started 2,880 min ago, its cadence is 10 min/);
    assert.match(health.problems[1].message, /usage: has never run/);
    assert.equal(health.processors[0].next_due_at, '2025-09-29T12:10:00.000Z');
    assert.equal(health.processors[1].next_due_at, NOW.toISOString(), 'never run: due now');
    await run(store, 'tokens', 5, 1);
    await run(store, 'usage', 19, 1);
    health = await checkHealth(store.db, processors, NOW);
    assert.deepEqual(kinds(health), [], '19 minutes is within twice a 10-minute cadence');
    assert.equal(health.processors[0].healthy, true);
    assert.deepEqual(kinds(await checkHealth(store.db, processors, NOW, { ...DEFAULT_THRESHOLDS, graceFactor: 1.5 })), ['overdue usage']);
  });
});

stateTest('health: failing (the last run failed as a whole, or most of its sessions), stuck, quarantined', async (backend) => {
  await withStore(backend, async (store) => {
    const processors = ['whole', 'most', 'some', 'stuck', 'died'].map((name) => ({ name, cadenceMinutes: 600 }));
    await run(store, 'whole', 30, 1, { processor: 'whole', error: 'session root /data is missing' });
    await run(store, 'most', 30, 1, { processed: 4, errors: 6 });
    await run(store, 'some', 30, 1, { processed: 8, errors: 2 });
    for (const minutesAgo of [300, 200, 100]) await run(store, 'stuck', minutesAgo, 2);
    await run(store, 'stuck', 45, null); // usually 2 min: 45 is more than 5x, and more than 10 min
    await run(store, 'died', 100, null); // a process died mid-run...
    await run(store, 'died', 50, 3); // ...and a later run finished: nothing is stuck
    await store.db.run(
      `INSERT INTO session_processor_failures
         (processor_name, session_file, username, attempts, first_failed_at, last_failed_at, last_error, file_hash, quarantined)
       VALUES ('some', 'a/1.jsonl', 'a', 3, $1::TIMESTAMP, $2::TIMESTAMP, 'boom', 'h', true),
              ('some', 'a/2.jsonl', 'a', 3, $2::TIMESTAMP, $2::TIMESTAMP, 'boom', 'h', true),
              ('some', 'a/3.jsonl', 'a', 1, $2::TIMESTAMP, $2::TIMESTAMP, 'boom', 'h', false)`,
      [ago(600), ago(60)],
    );
    const health = await checkHealth(store.db, processors, NOW);
    assert.deepEqual(kinds(health), ['failing whole', 'failing most', 'quarantined some', 'stuck stuck']);
    assert.match(health.problems[0].message, /whole: its last run failed as a whole: session root \/data is missing/);
    assert.match(health.problems[1].message, /most: 6 of 10 sessions failed in its last run/);
    assert.match(health.problems[2].message, /some: 2 session\(s\) quarantined since 2025-10-01T02:00:00.000Z: .*rerun --failed --processor some/);
    assert.match(health.problems[3].message, /stuck: a run started 45 min ago has not finished \(usually 2 min\)/);
    const some = health.processors.find((h) => h.processor === 'some')!;
    assert.deepEqual([some.quarantined, some.oldest_quarantined_at, some.healthy, some.last_run_seconds], [2, ago(600), false, 60]);
    // A run going 9 minutes is not stuck yet however quick the usual is: the floor is 10 minutes.
    await run(store, 'stuck', 9, null);
    assert.deepEqual(kinds(await checkHealth(store.db, processors.slice(3, 4), NOW)), []);
  });
});

stateTest('health: a runner holding leases it stopped renewing is reported on a team store', async (backend) => {
  await withStore(backend, async (store) => {
    await store.db.run(
      `INSERT INTO session_claims (processor_name, session_file, runner_id, claimed_at, lease_expires_at)
       VALUES ('tokens', 'a/1.jsonl', 'box-1/42/abc', $1::TIMESTAMP, $2::TIMESTAMP), ('tokens', 'a/2.jsonl', 'box-1/42/abc', $1::TIMESTAMP, $2::TIMESTAMP),
              ('tokens', 'a/3.jsonl', 'box-2/7/def', $1::TIMESTAMP, $3::TIMESTAMP)`,
      [ago(20), ago(10), ago(-1)],
    );
    const health = await checkHealth(store.db, [], NOW);
    if (backend === 'duckdb') return assert.deepEqual(health.problems, [], 'a DuckDB store has one process: no leases to watch');
    assert.deepEqual(health.problems, [
      {
        kind: 'runner-stopped',
        processor: null,
        message: `runner box-1/42/abc stopped renewing its leases on 2 session(s) at ${ago(10)}: other runners take them over; check that machine`,
      },
    ]);
  });
});

stateTest('metrics: Prometheus text format with sessions per state, last run, health gauges and escaped labels', async (backend) => {
  await withStore(backend, async (store) => {
    await run(store, 'we"ird\\name', 60 * 24, 2, { processed: 3, errors: 1 });
    const health = await checkHealth(store.db, [{ name: 'we"ird\\name', cadenceMinutes: 10 }], NOW);
    const text = prometheusMetrics(
      [{ processor_name: 'we"ird\\name', processed: 3, pending: 0, failed: 1, quarantined: 0, items_extracted: 7, last_run_stats: { errors: 1 } }],
      health,
    );
    const label = 'processor="we\\"ird\\\\name"';
    for (const line of [
      '# TYPE session_inspector_sessions gauge',
      `session_inspector_sessions{${label},state="processed"} 3`,
      `session_inspector_sessions{${label},state="failed"} 1`,
      `session_inspector_items{${label}} 7`,
      `session_inspector_last_run_failures{${label}} 1`,
      `session_inspector_last_run_start_timestamp_seconds{${label}} ${Date.parse(ago(60 * 24)) / 1000}`,
      `session_inspector_last_run_duration_seconds{${label}} 120`,
      `session_inspector_overdue{${label}} 1`,
      `session_inspector_healthy{${label}} 0`,
      'session_inspector_problems 1',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
    }
    // Every sample line is `name{labels} value` or `name value`, every family declared once.
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#')))
      assert.match(line, /^[a-z_]+(\{.*\})? -?[0-9.e+-]+$/);
    assert.equal(text.split('\n').filter((l) => l === '# TYPE session_inspector_healthy gauge').length, 1);
  });
});
