// Rule 1 is written once (main/core/dueRule.ts) in two forms: TypeScript for the runner, SQL for the
// store's due query and the sessions list. These cases hold the SQL form to the TypeScript one on both
// backends, around every edge: no row, no read time, another or a legacy version, the mtime slack.
import assert from 'node:assert/strict';
import { LEGACY_VERSION, MTIME_SLACK_MS, isStale, staleSql, type StoredRead } from '../../main/core/dueRule.js';
import { Harness, stateTest } from './harness.js';

const READ_AT = Date.parse('2025-09-01T10:00:00.123Z');
const MTIMES = [-1000, -MTIME_SLACK_MS - 1, -MTIME_SLACK_MS - 0.5, -MTIME_SLACK_MS, -MTIME_SLACK_MS + 0.25, -1, 0, 1000].map((d) => READ_AT + d);
const STATES: (StoredRead | undefined)[] = [
  undefined,
  { processorVersion: '2', processedAtMs: READ_AT },
  { processorVersion: LEGACY_VERSION, processedAtMs: READ_AT },
  { processorVersion: null, processedAtMs: READ_AT },
  { processorVersion: '2', processedAtMs: null },
];

stateTest('rule 1: the SQL form says stale exactly where the TypeScript form does', async (backend) => {
  const h = new Harness(1, backend);
  const db = (await h.open()).store.db;
  const cases: { state: StoredRead | undefined; version: string; mtimeMs: number }[] = [];
  for (const state of STATES) for (const version of ['1', '2']) for (const mtimeMs of MTIMES) cases.push({ state, version, mtimeMs });
  const text = (value: string | null) => (value === null ? 'CAST(NULL AS VARCHAR)' : `CAST('${value}' AS VARCHAR)`);
  const rows = cases.map(({ state, version, mtimeMs }, i) => {
    const at =
      state?.processedAtMs == null
        ? 'CAST(NULL AS TIMESTAMP)'
        : `CAST('${new Date(state.processedAtMs).toISOString().replace('T', ' ').replace('Z', '')}' AS TIMESTAMP)`;
    return `(${i}, ${text(state ? 'a.jsonl' : null)}, ${text(state?.processorVersion ?? null)}, ${at}, ${text(version)}, CAST(${mtimeMs} AS DOUBLE PRECISION))`;
  });
  const result = await db.all(
    `SELECT i, ${staleSql('st', 'st.version', 'st.mtime_ms')} AS stale
     FROM (VALUES ${rows.join(', ')}) AS st(i, session_file, processor_version, processed_at, version, mtime_ms) ORDER BY i`,
  );
  assert.equal(result.length, cases.length);
  const expected = cases.map(({ state, version, mtimeMs }) => isStale(state, version, mtimeMs));
  assert.deepEqual(
    result.map((r) => r.stale === true),
    expected,
  );
  assert.ok(expected.includes(true) && expected.includes(false));
});
