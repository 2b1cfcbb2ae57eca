import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, StateRow } from '../../../main/api/contract.js';
import { checkItemsExtracted, checkProcessedAt } from '../../../renderer/src/lib/validateStateEdit.js';
import { ApiRefusal, makeStore } from '../fakeTransport.js';

const NOW = Date.parse('2026-01-10T12:00:00Z');

test('state edit validation: items extracted must be a whole number ≥ 0', () => {
  for (const bad of ['-3', '1.5', 'abc', '', ' ', '1e3', '0x10', '99999999999']) {
    const r = checkItemsExtracted(bad);
    assert.equal(r.ok, false, `"${bad}" must be refused`);
    if (!r.ok) assert.match(r.reason, /items extracted/);
  }
  assert.deepEqual(checkItemsExtracted(' 42 '), { ok: true, value: 42 });
  assert.deepEqual(checkItemsExtracted('0'), { ok: true, value: 0 });
});

test('state edit validation: processed at must be a real ISO time with a zone, not in the future', () => {
  const refused = {
    yesterday: /ISO-8601/,
    '2025-09-01': /ISO-8601/,
    '2025-09-01T10:00:00': /ISO-8601/, // no zone: ambiguous
    '2025-02-30T10:00:00Z': /not a real date/,
    '2025-13-01T10:00:00Z': /not a real date/,
    '2026-01-11T12:00:00Z': /future/,
  };
  for (const [text, reason] of Object.entries(refused)) {
    const r = checkProcessedAt(text, NOW);
    assert.equal(r.ok, false, `"${text}" must be refused`);
    if (!r.ok) assert.match(r.reason, reason);
  }
  assert.deepEqual(checkProcessedAt('2025-09-01T12:00:00+02:00', NOW), { ok: true, value: '2025-09-01T10:00:00.000Z' });
  assert.deepEqual(checkProcessedAt('2025-09-01 10:00Z', NOW), { ok: true, value: '2025-09-01T10:00:00.000Z' });
});

const ROW: StateRow = {
  processor: 'usage',
  sessionKey: 'alice/a.jsonl',
  group: 'alice',
  processedAt: '2025-09-01T10:00:00.000Z',
  itemsExtracted: 5,
  fileHash: 'abc',
  processorVersion: '1',
};

function stateHandlers() {
  let row = { ...ROW };
  const audit: AuditEntry[] = [];
  return {
    get row() {
      return row;
    },
    audit,
    handlers: {
      'state/list': () => ({ total: 1, rows: [row] }),
      'state/history': () => audit,
      'state/update': (args: { changes: { itemsExtracted?: number }; expected: { itemsExtracted: number } }) => {
        if (args.expected.itemsExtracted !== row.itemsExtracted) throw new ApiRefusal('conflict', `row changed: items_extracted is now ${row.itemsExtracted}`);
        const before = row;
        row = { ...row, ...args.changes };
        audit.unshift({
          auditId: audit.length + 1,
          at: '2026-01-01T00:00:00.000Z',
          action: 'update',
          processor: row.processor,
          sessionKey: row.sessionKey,
          before,
          after: row,
          undoneBy: null,
        });
        return row;
      },
      'state/undo': ({ auditId }: { auditId: number }) => {
        const entry = audit.find((a) => a.auditId === auditId)!;
        row = entry.before as StateRow;
        entry.undoneBy = audit.length + 1;
        return entry;
      },
    },
  };
}

test('state editor: a value the UI refuses is never sent', async () => {
  const fake = stateHandlers();
  const { store, transport } = makeStore(fake.handlers);
  const reason = await store.getState().updateStateRow(ROW, { itemsExtracted: '-1' });
  assert.match(reason ?? '', /whole number/);
  assert.equal(transport.callsOf('state/update').length, 0);
  assert.equal(fake.row.itemsExtracted, 5);
});

test('state editor: an update sends what the editor showed as expected, then reloads rows and history; undo restores', async () => {
  const fake = stateHandlers();
  const { store, transport } = makeStore(fake.handlers);
  await store.getState().loadStateRows();
  assert.equal(await store.getState().updateStateRow(ROW, { itemsExtracted: '42' }), null);
  assert.deepEqual(transport.callsOf('state/update')[0], {
    processor: 'usage',
    sessionKey: 'alice/a.jsonl',
    changes: { itemsExtracted: 42 },
    expected: { itemsExtracted: 5, processedAt: '2025-09-01T10:00:00.000Z' },
  });
  let t = store.getState().stateTable;
  assert.equal(t.rows[0].itemsExtracted, 42);
  assert.equal(t.history.length, 1);
  await store.getState().undoAudit(t.history[0].auditId);
  t = store.getState().stateTable;
  assert.equal(t.rows[0].itemsExtracted, 5);
  assert.notEqual(t.history[0].undoneBy, null);
});

test("state editor: main's refusal is shown as the reason and the current row is reloaded", async () => {
  const fake = stateHandlers();
  const { store } = makeStore(fake.handlers);
  await store.getState().updateStateRow(ROW, { itemsExtracted: '7' }); // now 7 on the server
  const stale = { ...ROW }; // the editor still shows 5
  const reason = await store.getState().updateStateRow(stale, { itemsExtracted: '9' });
  assert.match(reason ?? '', /row changed: items_extracted is now 7/);
  assert.equal(fake.row.itemsExtracted, 7);
  assert.equal(store.getState().stateTable.rows[0].itemsExtracted, 7);
});

test('state editor: bulk reset and mark processed send a SessionTarget and clear the selection', async () => {
  const { store, transport } = makeStore({
    'state/reset': () => ({ changed: 2 }),
    'state/markProcessed': () => ({ changed: 3 }),
    'state/list': () => ({ total: 0, rows: [] }),
    'state/history': () => [],
  });
  store.getState().toggleStateRow(ROW);
  assert.equal(store.getState().stateTable.selection.length, 1);
  assert.equal(await store.getState().resetState('usage', { sessions: ['alice/a.jsonl', 'bob/b.jsonl'] }), 2);
  assert.equal(await store.getState().markStateProcessed('usage', { filter: { text: 'alice' } }), 3);
  assert.deepEqual(transport.callsOf('state/reset'), [{ processor: 'usage', target: { sessions: ['alice/a.jsonl', 'bob/b.jsonl'] } }]);
  assert.deepEqual(transport.callsOf('state/markProcessed'), [{ processor: 'usage', target: { filter: { text: 'alice' } } }]);
  assert.deepEqual(store.getState().stateTable.selection, []);
});
