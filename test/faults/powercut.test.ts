import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { runAndKill, sql } from './processes.js';
import { seeded } from './corpus.js';

const ROWS = 100_000;

test('power cut during a migration: the legacy rows are either untouched or all migrated, never half', async () => {
  const dir = tempDir('si-powercut-');
  const legacy = join(dir, 'legacy.duckdb');
  await sql(
    legacy,
    'CREATE TABLE session_extraction_state ' +
      '(session_file VARCHAR PRIMARY KEY, username VARCHAR, processed_at TIMESTAMP, items_extracted INTEGER, file_hash VARCHAR)',
    `INSERT INTO session_extraction_state SELECT 'u' || (i % 50) || '/s' || i || '.jsonl', 'u' || (i % 50),
      TIMESTAMP '2025-01-01' + INTERVAL (i) SECOND, i % 9, md5(i::VARCHAR) FROM range(${ROWS}) t(i)`,
  );
  const [[expectedSum]] = await sql(legacy, 'SELECT sum(items_extracted) FROM session_extraction_state');
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const random = seeded(11);
  let killed = 0;
  let tried = 0;
  for (let k = 0; k < 5; k++) {
    const db = join(dir, `copy-${k}.duckdb`);
    copyFileSync(legacy, db);
    tried++;
    if ((await runAndKill(['failures', '--db', db, '--json'], env, 100 + Math.floor(random() * 700))) === 'killed') killed++;
    const tables = (await sql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")).map((r) => r[0]);
    if (tables.includes('session_extraction_state')) {
      assert.deepEqual(await sql(db, 'SELECT count(*), sum(items_extracted) FROM session_extraction_state'), [[ROWS, expectedSum]], `kill ${k}: legacy intact`);
    } else {
      assert.deepEqual(
        await sql(db, "SELECT count(*), sum(items_extracted) FROM session_processor_state WHERE processor_name = 'verification'"),
        [[ROWS, expectedSum]],
        `kill ${k}: fully migrated`,
      );
    }
    // and the next open always completes the job with every row intact
    const reopened = await runCli(['state', 'list', '--processor', 'verification', '--json', '--db', db], { env });
    assert.equal(reopened.code, 0, reopened.stderr);
    assert.equal(JSON.parse(reopened.stdout).length, ROWS);
  }
  console.log(`power cut during migration: ${tried} tried (${killed} killed mid-way), ${tried} survived, 0 lost`);
});

test('power cut during a bulk state edit: every row reset and audited, or none', async () => {
  const dir = tempDir('si-powercut-');
  const base = join(dir, 'base.duckdb');
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const init = await runCli(['state', 'list', '--db', base, '--json'], { env });
  assert.equal(init.code, 0, init.stderr);
  await sql(
    base,
    `INSERT INTO session_processor_state SELECT 'p', 's' || i || '.jsonl', 'u', TIMESTAMP '2025-01-01', 1, md5(i::VARCHAR), '1' FROM range(${ROWS}) t(i)`,
  );
  const random = seeded(5);
  let killed = 0;
  for (let k = 0; k < 6; k++) {
    const db = join(dir, `edit-${k}.duckdb`);
    copyFileSync(base, db);
    if ((await runAndKill(['state', 'reset', '--processor', 'p', '--all', '--db', db], env, 200 + Math.floor(random() * 1500))) === 'killed') killed++;
    const [[stateRows, auditRows]] = await sql(
      db,
      "SELECT (SELECT count(*) FROM session_processor_state), (SELECT count(*) FROM state_audit WHERE action = 'reset')",
    );
    assert.ok(
      (stateRows === ROWS && auditRows === 0) || (stateRows === 0 && auditRows === ROWS),
      `kill ${k}: ${stateRows} state rows, ${auditRows} audit rows`,
    );
  }
  console.log(`power cut during a state edit: 6 tried (${killed} killed mid-way), 6 consistent, 0 lost`);
});
