// The Findings page's store and its pure filters: what is asked of `findings/list` and `findings/mark`,
// the filters and counts, the selection through filters and reviews, opening a finding in its transcript
// at its line, and reloading after runs and state changes while the page is on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Finding, FindingStatus, TranscriptEntry } from '../../../main/api/contract.js';
import { scanSessionRoot } from '../../../main/core/scan.js';
import { NO_FINDINGS_FILTER, filterFindings, findingChoices, localDay, projectOf } from '../../../renderer/src/lib/findingsFilter.js';
import { CONTEXT_LINES } from '../../../renderer/src/store/detailSlice.js';
import { FINDINGS_LIMIT } from '../../../renderer/src/store/findingsSlice.js';
import { tempDir, writeSession } from '../../helpers.js';
import { ApiRefusal, deferred, makeStore, sessionRow } from '../fakeTransport.js';
import { REFRESH_HANDLERS, bindTestEvents, runStats } from './storeHarness.js';

function finding(id: string, fields: Partial<Finding> = {}): Finding {
  return {
    id: id.padEnd(16, '0'),
    category: 'tool_error',
    processor: 'errors',
    kind: 'tool_result',
    session_file: 'alice/a.jsonl',
    line_no: 3,
    summary: 'make: *** No rule to make target',
    occurred_at: '2025-09-01T12:00:00.000Z',
    status: 'open',
    note: null,
    reviewed_at: null,
    ...fields,
  };
}

// Newest first, as main lists them. Times at noon UTC: the same local day in any zone within ±11 h.
const SECRET = finding('a1', { category: 'secret', processor: 'secrets', kind: 'github_token', line_no: 1, summary: 'ghp_…Yo', occurred_at: null });
const ERROR = finding('b2', { line_no: 3 });
const OTHER_PROJECT = finding('c3', { session_file: 'bob/b.jsonl', line_no: 900, occurred_at: '2025-08-20T12:00:00.000Z', status: 'confirmed' });
const API_ERROR = finding('d4', {
  kind: 'api_error_message',
  session_file: 'bob/b.jsonl',
  line_no: 12,
  occurred_at: '2025-08-25T12:00:00.000Z',
  status: 'fixed',
});
const DISMISSED = finding('e5', {
  category: 'secret',
  processor: 'secrets',
  kind: 'aws_access_key_id',
  line_no: 7,
  summary: 'AKIA…XY',
  occurred_at: null,
  status: 'false-positive',
  note: 'docs example',
});

/** `findings/list` and `findings/mark` over a list held in memory, with main's rules (false positives only with `all`). */
function fakeFindings(initial: Finding[]) {
  const items = initial.map((f) => ({ ...f }));
  return {
    items,
    handlers: {
      'findings/list': ({ all, limit }: { all?: boolean; limit?: number }) => items.filter((f) => all || f.status !== 'false-positive').slice(0, limit),
      'findings/mark': ({ id, status, note }: { id: string; status: FindingStatus; note?: string }) => {
        const f = items.find((i) => i.id === id);
        if (!f) throw new ApiRefusal('invalid', `no finding ${id}: see \`session-inspector findings list --all\``);
        Object.assign(f, { status, note: note ?? null, reviewed_at: '2025-09-02T09:00:00.000Z' });
        return { ...f };
      },
    },
  };
}

const ids = (list: Finding[]) => list.map((f) => f.id.slice(0, 2));

test("findings filter: a project is the session key's first folder, as main groups sessions (a file in the root belongs to the root)", async () => {
  const root = join(tempDir('si-findings-projects-'), 'projects');
  for (const key of ['alice/a.jsonl', 'alice/deep/sub/x.jsonl', 'top.jsonl']) writeSession(root, key, [{ type: 'user' }]);
  const scanned = await scanSessionRoot(root);
  assert.equal(scanned.sessions.length, 3);
  for (const s of scanned.sessions) assert.equal(projectOf(s.sessionKey, root), s.group, s.sessionKey);
  assert.equal(projectOf('top.jsonl', 'C:\\Users\\me\\.claude\\projects\\'), 'projects');
});

test('findings filter: kind takes a kind or category; counts beside a filter ignore that filter only; dates leave undated findings out and count them', () => {
  const all = [SECRET, ERROR, OTHER_PROJECT, API_ERROR, DISMISSED];
  const run = (patch: Partial<typeof NO_FINDINGS_FILTER>) => filterFindings(all, { ...NO_FINDINGS_FILTER, ...patch }, '/data/projects');

  assert.deepEqual(ids(run({}).visible), ['a1', 'b2', 'c3', 'd4', 'e5'], "main's order kept");
  assert.deepEqual(ids(run({ kind: 'secret' }).visible), ['a1', 'e5']);
  assert.deepEqual(ids(run({ kind: 'api_error_message' }).visible), ['d4']);

  const bob = run({ project: 'bob', kind: 'tool_result' });
  assert.deepEqual(ids(bob.visible), ['c3']);
  assert.deepEqual(bob.counts.byKind, { tool_result: 1, api_error_message: 1 }, 'kind counts: under the project filter, not the kind one');
  assert.deepEqual(bob.counts.byCategory, { tool_error: 2 });
  assert.deepEqual(bob.counts.byStatus, { confirmed: 1 }, 'status counts: under the kind filter');

  assert.deepEqual(ids(run({ statuses: ['open', 'fixed'] }).visible), ['a1', 'b2', 'd4']);
  assert.deepEqual(ids(run({ processor: 'secrets' }).visible), ['a1', 'e5']);

  const august = run({ since: '2025-08-01', until: '2025-08-31' });
  assert.deepEqual(ids(august.visible), ['c3', 'd4']);
  assert.equal(august.counts.undatedOutside, 2, 'the two secrets have no time');
  assert.deepEqual(ids(run({ since: '2025-08-25' }).visible), ['b2', 'd4'], 'inclusive');
  assert.deepEqual(ids(run({ until: '2025-08-25' }).visible), ['c3', 'd4'], 'inclusive');
  assert.equal(run({}).counts.undatedOutside, 0, 'no dates, nothing left out');

  assert.equal(localDay('2025-09-01T12:00:00.000Z'), '2025-09-01');
  assert.equal(localDay(null), null);
  assert.equal(localDay('not a time'), null);
  assert.deepEqual(findingChoices(all, '/data/projects'), {
    projects: ['alice', 'bob'],
    processors: ['errors', 'secrets'],
    kinds: {
      secret: ['aws_access_key_id', 'github_token'],
      tool_error: ['api_error_message', 'tool_result'],
      destructive_command: [],
      outside_write: [],
      permission_bypass: [],
    },
  });
});

test('findings store: loads up to the limit without false positives; "show false positives" asks for all; the newest answer wins', async () => {
  const fake = fakeFindings([SECRET, ERROR, DISMISSED]);
  let hold: ReturnType<typeof deferred<Finding[]>> | null = null;
  const { store, transport } = makeStore({
    ...fake.handlers,
    'findings/list': (args) => (hold ? hold.promise : fake.handlers['findings/list'](args)),
  });
  await store.getState().loadFindings();
  assert.deepEqual(transport.callsOf('findings/list'), [{ limit: FINDINGS_LIMIT }]);
  let data = store.getState().findings;
  assert.deepEqual(ids(data.visible), ['a1', 'b2']);
  assert.equal(data.truncated, false);
  assert.deepEqual(data.counts.byCategory, { secret: 1, tool_error: 1 });

  store.getState().setFindingsFilter({ statuses: ['false-positive'] });
  await store.getState().setShowFalsePositives(true);
  assert.deepEqual(transport.callsOf('findings/list').at(-1), { all: true, limit: FINDINGS_LIMIT });
  assert.deepEqual(ids(store.getState().findings.visible), ['e5']);
  // Hidden again, the status filter on them goes too (it would list nothing).
  await store.getState().setShowFalsePositives(false);
  data = store.getState().findings;
  assert.deepEqual(data.filter.statuses, []);
  assert.deepEqual(ids(data.visible), ['a1', 'b2']);

  // A slow read (a run finished) answers after the one the switch started: the newer one stays.
  hold = deferred<Finding[]>();
  const slow = store.getState().loadFindings();
  const slowAnswer = hold;
  hold = null;
  await store.getState().setShowFalsePositives(true);
  slowAnswer.resolve([ERROR]);
  await slow;
  assert.deepEqual(ids(store.getState().findings.visible), ['a1', 'b2', 'e5']);
  assert.equal(store.getState().findings.loading, false);

  // A full answer may have been cut short: the page says so.
  const many = Array.from({ length: FINDINGS_LIMIT }, (_, i) => finding(i.toString(16), { line_no: i + 1 }));
  const full = makeStore({ 'findings/list': () => many }).store;
  await full.getState().loadFindings();
  assert.equal(full.getState().findings.truncated, true);
  assert.equal(full.getState().findings.visible.length, FINDINGS_LIMIT);

  const refused = makeStore({
    'findings/list': () => {
      throw new ApiRefusal('unavailable', 'the state store is being switched');
    },
  }).store;
  await refused.getState().loadFindings();
  assert.equal(refused.getState().findings.error, 'the state store is being switched');
});

test('findings store: the selection follows its finding through filters and reloads, and is dropped when filtered out', async () => {
  const fake = fakeFindings([SECRET, ERROR, OTHER_PROJECT, API_ERROR]);
  const { store } = makeStore(fake.handlers);
  await store.getState().loadFindings();
  store.getState().selectFindingAt(2);
  assert.equal(store.getState().findings.selectedId, OTHER_PROJECT.id);
  store.getState().setFindingsFilter({ project: 'bob' });
  assert.deepEqual([store.getState().findings.cursor, store.getState().findings.selectedId], [0, OTHER_PROJECT.id]);
  store.getState().selectFindingAt(99);
  assert.equal(store.getState().findings.selectedId, API_ERROR.id, 'clamped to the last');
  store.getState().setFindingsFilter({ project: 'alice' });
  assert.deepEqual([store.getState().findings.cursor, store.getState().findings.selectedId], [-1, null]);
  store.getState().setFindingsFilter({ project: null });
  store.getState().selectFindingAt(1);
  fake.items.unshift(finding('f6', { line_no: 40 })); // a run found a newer one
  await store.getState().loadFindings();
  assert.deepEqual([store.getState().findings.cursor, store.getState().findings.selectedId], [2, ERROR.id]);
});

test('findings store: a review is sent with its note; a false positive leaves the list and the next one is selected; a refusal changes nothing', async () => {
  const fake = fakeFindings([SECRET, ERROR, OTHER_PROJECT]);
  const { store, transport } = makeStore(fake.handlers);
  await store.getState().loadFindings();
  store.getState().selectFindingAt(0);

  assert.equal(await store.getState().markFinding(SECRET.id, 'false-positive', '  a revoked demo token '), null);
  assert.deepEqual(transport.callsOf('findings/mark'), [{ id: SECRET.id, status: 'false-positive', note: 'a revoked demo token' }]);
  let data = store.getState().findings;
  assert.deepEqual(ids(data.visible), ['b2', 'c3']);
  assert.deepEqual([data.cursor, data.selectedId], [0, ERROR.id], 'the next one takes its place');
  assert.match(
    store.getState().notices.at(-1)!.text,
    /github_token at alice\/a.jsonl line 1 marked false-positive \(hidden: "Show false positives" lists it\)/,
  );

  assert.equal(await store.getState().markFinding(ERROR.id, 'confirmed', ''), null);
  assert.deepEqual(transport.callsOf('findings/mark').at(-1), { id: ERROR.id, status: 'confirmed' }, 'no note: none sent');
  data = store.getState().findings;
  assert.equal(data.visible[0].status, 'confirmed');
  assert.equal(data.visible[0].reviewed_at, '2025-09-02T09:00:00.000Z');
  assert.deepEqual(data.counts.byStatus, { confirmed: 2 });

  await store.getState().setShowFalsePositives(true);
  assert.equal(await store.getState().markFinding(SECRET.id, 'false-positive', 'still harmless'), null);
  assert.deepEqual(ids(store.getState().findings.visible), ['a1', 'b2', 'c3'], 'listed while false positives are shown');

  const reason = await store.getState().markFinding('ffffffffffffffff', 'fixed', '');
  assert.match(reason ?? '', /no finding ffffffffffffffff/);
  assert.match(store.getState().notices.at(-1)!.text, /no finding ffffffffffffffff/);
  assert.deepEqual(ids(store.getState().findings.visible), ['a1', 'b2', 'c3']);
  assert.equal(store.getState().findings.saving, null);
});

test('findings store: a finding opens its transcript from a few lines before its line, highlighted; "read from line 1" keeps the highlight', async () => {
  const entry = (line: number): TranscriptEntry => ({
    line,
    kind: 'user',
    text: `line ${line}`,
    toolName: null,
    isError: false,
    timestamp: null,
    sidechain: false,
  });
  const { store, transport } = makeStore({
    'sessions/get': ({ sessionKey }) => ({
      session: sessionRow({ sessionKey, sizeBytes: 1, modifiedAt: '2025-09-01T00:00:00.000Z' }),
      path: `/data/${sessionKey}`,
      processors: [],
    }),
    'sessions/transcript': ({ fromLine, limit }) => {
      const from = fromLine ?? 1;
      const count = Math.min(limit ?? 200, 1000 - from + 1);
      return {
        entries: Array.from({ length: count }, (_, i) => entry(from + i)),
        nextLine: from + count <= 1000 ? from + count : null,
        malformedLines: 1,
        sourceDeleted: false,
      };
    },
  });
  await store.getState().openFinding(OTHER_PROJECT);
  assert.deepEqual(transport.callsOf('sessions/transcript'), [{ sessionKey: 'bob/b.jsonl', fromLine: 900 - CONTEXT_LINES, limit: 300 }], 'not from line 1');
  let detail = store.getState().detail;
  assert.deepEqual([detail.key, detail.highlightLine, detail.firstLine], ['bob/b.jsonl', 900, 890]);
  assert.equal(detail.entries[0].line, 890);
  assert.ok(detail.entries.some((e) => e.line === 900));

  await store.getState().readTranscriptFromStart();
  assert.deepEqual(transport.callsOf('sessions/transcript').at(-1), { sessionKey: 'bob/b.jsonl', limit: 300 });
  detail = store.getState().detail;
  assert.deepEqual([detail.highlightLine, detail.firstLine, detail.entries[0].line, detail.malformedLines], [900, 1, 1, 1], 'replaced, not appended');
  await store.getState().loadMoreTranscript();
  assert.deepEqual(transport.callsOf('sessions/transcript').at(-1), { sessionKey: 'bob/b.jsonl', fromLine: 301, limit: 300 });
  assert.equal(store.getState().detail.entries.length, 600);
  assert.equal(store.getState().detail.malformedLines, 2);

  // Near the top: from line 1; opened from the sessions list: no highlight.
  await store.getState().openFinding(SECRET);
  assert.deepEqual(transport.callsOf('sessions/transcript').at(-1), { sessionKey: 'alice/a.jsonl', limit: 300 });
  assert.deepEqual([store.getState().detail.highlightLine, store.getState().detail.firstLine], [1, 1]);
  await store.getState().openSession('alice/a.jsonl');
  assert.equal(store.getState().detail.highlightLine, null);
});

test('findings store: read again after runs and state changes (an undone review) only while the page is on screen', async () => {
  const fake = fakeFindings([SECRET]);
  const { store, transport } = makeStore({
    ...fake.handlers,
    ...REFRESH_HANDLERS,
    'health/get': () => ({ processors: [], problems: [] }),
  });
  const events = bindTestEvents(store, transport);
  transport.emit({ type: 'state-changed', processors: ['secrets'] });
  await events.flush();
  assert.equal(transport.callsOf('findings/list').length, 0, 'not on screen');
  store.getState().setView('findings');
  transport.emit({ type: 'state-changed', processors: ['secrets'] });
  transport.emit({ type: 'sessions-changed' });
  await events.flush();
  assert.equal(transport.callsOf('findings/list').length, 1);
  const stats = runStats({ processor: 'errors' });
  transport.emit({ type: 'run-finished', processor: 'errors', stats });
  await events.flush();
  assert.equal(transport.callsOf('findings/list').length, 2);
  events.dispose();
});
