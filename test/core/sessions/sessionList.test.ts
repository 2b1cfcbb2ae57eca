// The sessions list's columns (main/core/sessions/) through the API, on both backends, with the built-in
// processors as real plugin processes: the real transcripts in ../shared plus a project whose numbers are
// known (a resumed session repeats one message of the session it continues, with a longer output). Each
// column is checked against its source (summary's item, `report session`'s cost), before and after runs,
// as sessions change, and with a processor turned off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionQuery, SessionRow, UsageSessionRow } from '../../../main/api/contract.js';
import { fixturesMissing, userRecord, writeSession } from '../../helpers.js';
import { openService } from '../../api/harness.js';
import { SessionIndex } from '../../../main/core/sessions/sessionIndex.js';
import { openDatabase } from '../../../main/core/store/openDatabase.js';
import { stateTest, type Backend } from '../harness.js';
import { SUBAGENT_KEYS, SUBAGENT_PARENT } from '../../e2e/fixtures.js';
import { CWD, message, seed } from './fixture.js';

async function runAll(api: Awaited<ReturnType<typeof openService>>): Promise<void> {
  const before = api.events.length;
  const { started } = await api.call('runs/start', {});
  for (const processor of started) await api.waitFor((e) => api.events.indexOf(e) >= before && e.type === 'run-finished' && e.processor === processor, 120_000);
}

async function allRows(api: Awaited<ReturnType<typeof openService>>, query: Partial<SessionQuery> = {}): Promise<SessionRow[]> {
  return (await api.call('sessions/list', { offset: 0, limit: 500, ...query })).rows;
}

const byKey = (rows: SessionRow[]) => new Map(rows.map((r) => [r.sessionKey, r]));

type Api = Awaited<ReturnType<typeof openService>>;

/** Before any run: what the scan knows, and no column pretends to know more. */
async function assertScanOnly(api: Api): Promise<SessionRow[]> {
  const fresh = await allRows(api);
  assert.ok(fresh.length > 10);
  for (const row of fresh) {
    assert.deepEqual([row.title, row.costUsd, row.messages, row.startedAt, row.toolErrors, row.secrets], [null, null, null, null, null, null], row.sessionKey);
    assert.equal(row.project, row.sessionKey.split('/')[0], 'the encoded folder until summary has run');
    assert.equal(row.statuses.find((s) => s.processor === 'summary')?.status, 'pending');
  }
  assert.ok(
    fresh.some((r) => SUBAGENT_KEYS.includes(r.sessionKey)),
    'before summary, a flat subagent transcript is a row of its own',
  );

  return fresh;
}

/** Subagents sit under their session. */
function assertSubagentsUnderParent(rows: SessionRow[], all: SessionRow[], fresh: SessionRow[], keys: Map<string, SessionRow>): void {
  assert.equal(rows.length, fresh.length - SUBAGENT_KEYS.length);
  assert.equal(keys.get(SUBAGENT_PARENT)!.subagents, SUBAGENT_KEYS.length);
  assert.deepEqual(
    all
      .filter((r) => r.parentSession === SUBAGENT_PARENT)
      .map((r) => r.sessionKey)
      .sort(),
    SUBAGENT_KEYS,
  );
  assert.equal(keys.get(SUBAGENT_KEYS[0])!.title, 'Run the test suite', "a subagent's title is the task it was given");
}

/** summary's columns are its item's fields. */
async function assertSummaryColumns(api: Api, all: SessionRow[], keys: Map<string, SessionRow>): Promise<SessionRow> {
  const detail = await api.call('sessions/get', { sessionKey: '-home-carol-src-docs-site/first.jsonl' });
  const item = detail.processors.find((p) => p.processor === 'summary')!.items[0] as Record<string, unknown>;
  const first = keys.get('-home-carol-src-docs-site/first.jsonl')!;
  assert.equal(first.title, item.title);
  assert.equal(first.title, 'Fix the broken links on the install page');
  assert.deepEqual([first.project, first.projectPath, first.branch], ['docs-site', CWD, 'main']);
  assert.equal(first.startedAt, '2025-09-01T10:00:00.000Z');
  assert.equal(first.durationS, 30 * 60);
  assert.deepEqual([first.prompts, first.replies, first.messages], [1, 2, 3]);
  assert.deepEqual([first.toolErrors, first.secrets], [0, 0]);
  for (const row of all) assert.ok(row.title !== null || row.messages === 0, `${row.sessionKey} has a title or no messages`);
  return first;
}

/** Costs: each message billed once across sessions, in the copy with the longest output, as `report session` bills. */
async function assertCostsAsReported(api: Api, all: SessionRow[]): Promise<void> {
  const report = await api.call('usage/report', { kind: 'session', timezone: 'UTC' });
  assert.equal(report.kind, 'session');
  const reported = new Map((report as { sessions: UsageSessionRow[] }).sessions.map((s) => [s.sessionFile, s.totalCost]));
  for (const row of all) {
    if (row.statuses.find((s) => s.processor === 'tokens')?.status !== 'processed') continue;
    assert.ok(
      Math.abs((row.costUsd ?? -1) - (reported.get(row.sessionKey) ?? 0)) < 1e-9,
      `${row.sessionKey}: list ${row.costUsd}, report ${reported.get(row.sessionKey)}`,
    );
  }
}

/** Sorting and filtering in the database, as the rows say. */
async function assertSortAndFilters(api: Api, rows: SessionRow[]): Promise<void> {
  const byCost = await allRows(api, { sort: { by: 'cost', dir: 'desc' } });
  const costs = byCost.map((r) => r.costUsd);
  const priced = costs.filter((c): c is number => c !== null);
  assert.deepEqual(
    priced,
    [...priced].sort((a, b) => b - a),
  );
  assert.ok(costs.indexOf(null) === -1 || costs.slice(costs.indexOf(null)).every((c) => c === null), 'sessions without a cost come last');
  assert.deepEqual((await allRows(api, { project: 'docs-site' })).map((r) => r.sessionKey).sort(), [
    '-home-carol-src-docs-site/first.jsonl',
    '-home-carol-src-docs-site/resumed.jsonl',
  ]);
  assert.equal((await allRows(api, { project: CWD })).length, 2, 'by full path');
  assert.equal((await allRows(api, { project: '-home-carol-src-docs-site' })).length, 2, 'by encoded folder');
  assert.deepEqual(
    (await allRows(api, { text: 'BROKEN LINKS' })).map((r) => r.sessionKey),
    ['-home-carol-src-docs-site/first.jsonl'],
    'titles match, any case',
  );
  const withErrors = await allRows(api, { has: ['errors'] });
  assert.ok(withErrors.length > 0);
  assert.deepEqual(
    withErrors.map((r) => r.sessionKey).sort(),
    rows
      .filter((r) => (r.toolErrors ?? 0) > 0)
      .map((r) => r.sessionKey)
      .sort(),
  );
  // resumed.jsonl starts with its copy of message 2 (10:30), first.jsonl at 10:00.
  const day = await allRows(api, { startedFrom: '2025-09-01T10:15:00Z', startedTo: '2025-09-02T00:00:00Z' });
  assert.ok(day.some((r) => r.sessionKey.endsWith('resumed.jsonl')) && !day.some((r) => r.sessionKey.endsWith('first.jsonl')));
  const projects = (await api.call('sessions/list', { offset: 0, limit: 1 })).projects;
  assert.ok(projects.some((p) => p.name === 'docs-site' && p.path === CWD && p.sessions === 2));
}

/** A session that changes: its columns follow, and billing moves with the longer copy. */
async function assertColumnsFollowChanges(api: Api, resumed: SessionRow): Promise<void> {
  appendFileSync(join(api.root, '-home-carol-src-docs-site/first.jsonl'), `${JSON.stringify(message('2', '2025-09-01T10:30:00.000Z', 5000))}\n`);
  await api.call('sessions/refresh', {});
  await runAll(api);
  const after = byKey(await allRows(api, { project: 'docs-site' }));
  const report2 = await api.call('usage/report', { kind: 'session', timezone: 'UTC' });
  const reported2 = new Map((report2 as { sessions: UsageSessionRow[] }).sessions.map((s) => [s.sessionFile, s.totalCost]));
  for (const [key, row] of after) assert.ok(Math.abs(row.costUsd! - reported2.get(key)!) < 1e-9, `${key} after the change`);
  assert.ok(after.get('-home-carol-src-docs-site/resumed.jsonl')!.costUsd! < resumed.costUsd!, 'message 2 is billed in first.jsonl now');
}

/**
 * A processor turned off: its column is empty (the reason is the missing status), never a stale number.
 * A reset keeps what summary found (items stay until its next result), and the row says it is due again.
 */
async function assertOffAndReset(api: Api): Promise<void> {
  await api.call('plugins/setEnabled', { name: 'tokens', enabled: false });
  const off = await allRows(api);
  assert.ok(off.every((r) => r.costUsd === null && !r.statuses.some((s) => s.processor === 'tokens')));
  assert.ok(
    off.some((r) => r.title !== null),
    'the other columns stay',
  );

  await api.call('state/reset', { processor: 'summary', target: { sessions: ['-home-carol-src-docs-site/first.jsonl'] } });
  const reset = byKey(await allRows(api, { project: 'docs-site' })).get('-home-carol-src-docs-site/first.jsonl')!;
  assert.equal(reset.title, 'Fix the broken links on the install page');
  assert.equal(reset.statuses.find((s) => s.processor === 'summary')?.status, 'pending');
}

stateTest('sessions list: each column from its processor, costs billed as `report session`, subagents under their session', async (backend: Backend) => {
  if (fixturesMissing) return;
  const api = await openService({ builtins: true, backend, seed });
  await api.call('sessions/refresh', {});
  const fresh = await assertScanOnly(api);

  await runAll(api);
  const rows = await allRows(api);
  const all = [...rows, ...(await allRows(api, { parent: SUBAGENT_PARENT }))];
  const keys = byKey(all);
  assertSubagentsUnderParent(rows, all, fresh, keys);
  const first = await assertSummaryColumns(api, all, keys);
  await assertCostsAsReported(api, all);
  const resumed = keys.get('-home-carol-src-docs-site/resumed.jsonl')!;
  assert.ok(resumed.costUsd! > first.costUsd!, 'message 2 is billed in the resumed copy (longer output)');
  await assertSortAndFilters(api, rows);
  await assertColumnsFollowChanges(api, resumed);
  await assertOffAndReset(api);
});

test('a DuckDB store keeps the last scan: a second start lists it at once, then the new scan when it lands', async () => {
  const first = await openService({ seed: (root) => writeSession(root, 'alice/a.jsonl', [userRecord('first')]) });
  const state = join(first.dir, 'state.duckdb');
  assert.equal((await first.call('sessions/list', { offset: 0, limit: 10 })).total, 1);
  await first.service.close();
  writeSession(first.root, 'alice/b.jsonl', [userRecord('second')]);

  // What the next start finds in the store before it scans: the last scan of that root, ready to list.
  const db = await openDatabase(state);
  const index = new SessionIndex(db);
  assert.equal(await index.lastScannedRoot(), first.root);
  assert.deepEqual(
    (await index.page({ offset: 0, limit: 10 })).rows.map((r) => r.session_file),
    ['alice/a.jsonl'],
  );
  await db.close();

  // The app answers its first list from it, then scans; the list follows when the scan lands.
  const again = await openService({ state, sessions: first.root });
  assert.deepEqual(
    (await again.call('sessions/list', { offset: 0, limit: 10 })).rows.map((r) => r.sessionKey),
    ['alice/a.jsonl'],
  );
  await again.waitFor((e) => e.type === 'sessions-changed');
  assert.deepEqual(
    (await again.call('sessions/list', { offset: 0, limit: 10, sort: { by: 'path', dir: 'asc' } })).rows.map((r) => r.sessionKey),
    ['alice/a.jsonl', 'alice/b.jsonl'],
  );
});
