import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionPage, SessionQuery, SessionRow } from '../../../main/api/contract.js';
import { MAX_CACHED_PAGES, SESSION_PAGE_SIZE, sessionAt } from '../../../renderer/src/store/sessionsSlice.js';
import { deferred, makeStore, sessionRow, settle } from '../fakeTransport.js';

const TOTAL = 100_000;
function row(i: number): SessionRow {
  return sessionRow({
    sessionKey: `g${i % 200}/s${String(i).padStart(6, '0')}.jsonl`,
    sizeBytes: i,
    modifiedAt: new Date(Date.UTC(2025, 8, 1) + i * 1000).toISOString(),
    statuses: [
      {
        processor: 'usage',
        status: i % 10 === 0 ? 'failed' : 'processed',
        attempts: i % 10 === 0 ? 1 : null,
        lastError: null,
        processedAt: null,
        itemsExtracted: 1,
      },
    ],
  });
}
const ALL = Array.from({ length: TOTAL }, (_, i) => row(i));

/** What main does: filter, sort, page; refuses pages over 500 like the contract says. */
function listSessions(q: SessionQuery): SessionPage {
  assert.ok(q.limit > 0 && q.limit <= 500, `limit ${q.limit} must be 1..500`);
  let rows = ALL;
  if (q.text) rows = rows.filter((r) => r.sessionKey.includes(q.text!));
  if (q.group) rows = rows.filter((r) => r.group === q.group);
  if (q.status?.length) rows = rows.filter((r) => r.statuses.some((s) => q.status!.includes(s.status)));
  if (q.sort?.by === 'size' && q.sort.dir === 'desc') rows = [...rows].reverse();
  return {
    total: rows.length,
    offset: q.offset,
    rows: rows.slice(q.offset, q.offset + q.limit),
    columns: [],
    groups: ['g0', 'g1'],
    projects: [],
    counts: { usage: { processed: 90_000, stale: 0, pending: 0, running: 0, failed: 10_000, quarantined: 0 } },
  };
}

/** A store over the fake list with rows [start, end] asked for and their pages settled. */
async function listWithRows(start: number, end: number) {
  const made = makeStore({ 'sessions/list': listSessions });
  made.store.getState().ensureSessionRows(start, end);
  await settle();
  return made;
}

test('sessions: only the pages around the visible rows are fetched and kept, at 100,000 sessions', async () => {
  const { store, transport } = await listWithRows(0, 30);
  let s = store.getState().sessions;
  assert.equal(s.total, TOTAL);
  assert.deepEqual(Object.keys(s.pages), ['0']);
  assert.equal(sessionAt(s, 30)?.sessionKey, ALL[30].sessionKey);
  assert.equal(transport.callsOf('sessions/list').length, 1);

  // Scroll through the whole list a screen at a time: memory stays bounded, every page is read at most once per visit.
  for (let start = 0; start < TOTAL; start += 2_000) {
    store.getState().ensureSessionRows(start, start + 30);
    await settle();
    const pages = Object.keys(store.getState().sessions.pages).length;
    assert.ok(pages <= MAX_CACHED_PAGES, `${pages} pages cached`);
  }
  store.getState().ensureSessionRows(TOTAL - 25, TOTAL + 50); // past the end is clamped
  await settle();
  s = store.getState().sessions;
  assert.equal(sessionAt(s, TOTAL - 1)?.sessionKey, ALL[TOTAL - 1].sessionKey);
  const rowsHeld = Object.values(s.pages).reduce((n, p) => n + p.length, 0);
  assert.ok(rowsHeld <= MAX_CACHED_PAGES * SESSION_PAGE_SIZE);
  for (const args of transport.callsOf('sessions/list')) assert.ok(args.limit <= 500 && args.offset < TOTAL);
});

test('sessions: a page already loaded or loading is not fetched again', async () => {
  const { store, transport } = makeStore({ 'sessions/list': listSessions });
  store.getState().ensureSessionRows(0, 10);
  store.getState().ensureSessionRows(5, 20);
  await settle();
  store.getState().ensureSessionRows(0, 50);
  await settle();
  assert.equal(transport.callsOf('sessions/list').length, 1);
});

test('sessions: a filter change starts a new generation; answers for the old one are dropped', async () => {
  const slow = deferred<SessionPage>();
  let first = true;
  const { store, transport } = makeStore({
    'sessions/list': (q) => {
      if (first) {
        first = false;
        return slow.promise;
      }
      return listSessions(q);
    },
  });
  store.getState().ensureSessionRows(0, 30);
  store.getState().selectSession(0, 'only'); // no row loaded yet: nothing to select
  assert.deepEqual(store.getState().sessions.selection, []);
  store.getState().setSessionFilter({ text: 's0000', status: ['failed'] });
  await settle();
  slow.resolve(listSessions({ offset: 0, limit: 200 })); // the unfiltered answer arrives late
  await settle();
  const s = store.getState().sessions;
  assert.equal(s.generation, 1);
  assert.equal(s.total, 10); // s000000..s000099, of which every 10th fails
  assert.ok(
    Object.values(s.pages)
      .flat()
      .every((r) => r.sessionKey.includes('s0000') && r.statuses[0].status === 'failed'),
  );
  const last = transport.callsOf('sessions/list').at(-1)!;
  assert.deepEqual({ text: last.text, status: last.status, offset: last.offset }, { text: 's0000', status: ['failed'], offset: 0 });
});

test('sessions: empty filter values are not sent', async () => {
  const { store, transport } = makeStore({ 'sessions/list': listSessions });
  store.getState().setSessionFilter({ text: '   ', status: [], group: undefined, processor: '' as unknown as undefined });
  await settle();
  const args = transport.callsOf('sessions/list').at(-1)!;
  assert.equal('text' in args, false);
  assert.equal('status' in args, false);
  assert.equal('processor' in args, false);
});

test('sessions: click, ctrl-click and shift-click selection; the filter clears it', async () => {
  const { store } = await listWithRows(0, 50);
  const key = (i: number) => ALL[i].sessionKey;
  store.getState().selectSession(3, 'only');
  assert.deepEqual(store.getState().sessions.selection, [key(3)]);
  store.getState().selectSession(7, 'toggle');
  assert.deepEqual(store.getState().sessions.selection, [key(3), key(7)]);
  store.getState().selectSession(10, 'range'); // from the anchor (7) to 10, keeping 3
  assert.deepEqual(new Set(store.getState().sessions.selection), new Set([3, 7, 8, 9, 10].map(key)));
  store.getState().selectSession(7, 'toggle');
  assert.equal(store.getState().sessions.selection.includes(key(7)), false);
  assert.equal(store.getState().sessions.cursor, 7);
  store.getState().setSessionSort({ by: 'size', dir: 'desc' });
  assert.deepEqual(store.getState().sessions.selection, []);
  await settle();
  assert.equal(sessionAt(store.getState().sessions, 0)?.sessionKey, key(TOTAL - 1));
});

test('sessions: keyboard moves set the anchor; shift-moves select from it', async () => {
  const { store } = await listWithRows(0, 50);
  store.getState().setSessionCursor(2);
  store.getState().selectSession(3, 'range');
  store.getState().selectSession(4, 'range');
  assert.deepEqual(
    store.getState().sessions.selection,
    [2, 3, 4].map((i) => ALL[i].sessionKey),
  );
  store.getState().setSessionCursor(-5);
  assert.equal(store.getState().sessions.cursor, 0);
  store.getState().setSessionCursor(TOTAL + 5);
  assert.equal(store.getState().sessions.cursor, TOTAL - 1);
});

test('sessions: a refresh re-reads the loaded pages and drops pages past a shrunk end', async () => {
  let total = 1000;
  const { store, transport } = makeStore({
    'sessions/list': (q) => ({ ...listSessions(q), total, rows: ALL.slice(q.offset, Math.min(total, q.offset + q.limit)) }),
  });
  store.getState().ensureSessionRows(0, 10);
  store.getState().ensureSessionRows(800, 820);
  await settle();
  assert.deepEqual(Object.keys(store.getState().sessions.pages).sort(), ['0', '4']);
  total = 300;
  const before = transport.callsOf('sessions/list').length;
  await store.getState().refreshSessions();
  assert.equal(transport.callsOf('sessions/list').length - before, 2);
  assert.deepEqual(Object.keys(store.getState().sessions.pages), ['0']);
  assert.equal(store.getState().sessions.total, 300);
});

test('sessions: a failed page load shows its error and is retried on the next request', async () => {
  let fail = true;
  const { store } = makeStore({
    'sessions/list': (q) => {
      if (fail) throw new Error('boom');
      return listSessions(q);
    },
  });
  store.getState().ensureSessionRows(0, 10);
  await settle();
  assert.match(store.getState().sessions.error ?? '', /not reachable|boom/);
  fail = false;
  store.getState().ensureSessionRows(0, 10);
  await settle();
  assert.equal(store.getState().sessions.error, null);
  assert.equal(store.getState().sessions.total, TOTAL);
});
