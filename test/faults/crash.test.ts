import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, tempDir } from '../helpers.js';
import { runAndKill } from './processes.js';
import { seeded, writeCorpus } from './corpus.js';

const KILL_POINTS = 20;

/** Everything a run leaves that must not depend on interruptions (times and run ids left out). */
async function snapshot(db: string): Promise<{ state: string[]; items: string[]; orphanState: number; failures: number }> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const rows = async (sql: string) =>
      (await c.runAndReadAll(sql)).getRowsJS().map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    return {
      state: await rows(
        'SELECT processor_name, session_file, username, items_extracted, file_hash, processor_version FROM session_processor_state ORDER BY 1, 2',
      ),
      items: await rows('SELECT processor_name, session_file, item_index, item::VARCHAR FROM processor_items ORDER BY 1, 2, 3'),
      // a state row whose item count disagrees would be a session marked processed without (all) its items
      orphanState: Number(
        (
          await c.runAndReadAll(`SELECT count(*) FROM session_processor_state s
        WHERE items_extracted <> (SELECT count(*) FROM processor_items i WHERE i.processor_name = s.processor_name AND i.session_file = s.session_file)`)
        ).getRowsJS()[0][0],
      ),
      failures: Number((await c.runAndReadAll('SELECT count(*) FROM session_processor_failures')).getRowsJS()[0][0]),
    };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

test(`crash consistency: ${KILL_POINTS} SIGKILLs at seeded points, then a full run, equal an uninterrupted run exactly`, async () => {
  const dir = tempDir('si-crash-');
  const root = join(dir, 'sessions');
  writeCorpus(root, 2000);
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const reference = join(dir, 'reference.duckdb');
  const run = (db: string) => ['run', '--sessions', root, '--db', db, '--time-budget', '600'];
  const started = performance.now();
  const full = await runCli([...run(reference), '--json'], { env });
  assert.equal(full.code, 0, full.stderr);
  const fullMs = performance.now() - started;
  const expected = await snapshot(reference);
  assert.ok(expected.items.length > 1000, `a corpus worth interrupting (${expected.items.length} items)`);

  const crashed = join(dir, 'crashed.duckdb');
  const random = seeded(2026);
  // Kill points spread over what an uninterrupted run takes on this machine, scaled by the share of the
  // work still left (each kill lets part of it commit), so that most land mid-run however fast runs get.
  let left = 1;
  let killed = 0;
  let partial = 0; // kills that found some, not all, of the work committed: they interrupted the writing
  for (let k = 0; k < KILL_POINTS; k++) {
    const outcome = await runAndKill(run(crashed), env, 200 + Math.floor(random() * fullMs * left));
    if (outcome === 'killed') killed++;
    // A kill before the database file was even created leaves nothing to check.
    if (!existsSync(crashed)) continue;
    // after each kill the database opens and is consistent: never a state row without its items
    const midway = await snapshot(crashed);
    assert.equal(midway.orphanState, 0, `after kill ${k + 1}: a session is marked processed without its items`);
    if (outcome === 'killed' && midway.state.length > 0 && midway.state.length < expected.state.length) partial++;
    left = Math.max(0.1, 1 - midway.state.length / expected.state.length);
  }
  const finish = await runCli(run(crashed), { env });
  assert.equal(finish.code, 0, finish.stderr);
  const actual = await snapshot(crashed);
  const stored = new Set(actual.items);
  console.log(
    `crash consistency: ${KILL_POINTS} kill points (a full run: ${Math.round(fullMs)} ms) tried ` +
      `(${killed} landed mid-run, ${partial} with part of the work committed), ` +
      `${expected.state.length} state rows and ${expected.items.length} items survived, ` +
      `lost ${expected.items.filter((i) => !stored.has(i)).length}, duplicated ${Math.max(0, actual.items.length - expected.items.length)}`,
  );
  assert.ok(killed >= KILL_POINTS / 2, `most kills landed during a run (${killed})`);
  assert.ok(partial >= 3, `kills landed between commits, not only during start-up (${partial})`);
  assert.deepEqual(actual.state, expected.state);
  assert.deepEqual(actual.items, expected.items);
  assert.equal(actual.orphanState, 0);
  assert.equal(actual.failures, expected.failures);
});
