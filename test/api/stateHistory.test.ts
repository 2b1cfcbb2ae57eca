import assert from 'node:assert/strict';
import { StateStore } from '../../main/core/store/stateStore.js';
import { updateState } from '../../main/core/store/stateEdits.js';
import { tempDir } from '../helpers.js';
import { freshState, stateTest } from '../core/harness.js';
import { openService } from './harness.js';

stateTest('state/undo: a change older than the newest 10,000 audit entries is undone, and the undo is what comes back', async (backend) => {
  const state = await freshState(backend, tempDir('si-api-undo-'));
  const store = await StateStore.open(state);
  const key = { processor: 'count', session: 'alice/a.jsonl' };
  await store.db.run(
    `INSERT INTO session_processor_state (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
     VALUES ($processor, $session, 'alice', '2025-01-02T03:04:05'::TIMESTAMP, 3, 'abc', '1')`,
    key,
  );
  await updateState(store.db, key.processor, key.session, { itemsExtracted: 9 }, { itemsExtracted: 3, processedAt: '2025-01-02T03:04:05Z' });
  const [{ id: changeId }] = await store.db.all('SELECT max(audit_id) AS id FROM state_audit');
  // Newer changes of other sessions push it out of any history page.
  const others = Array.from({ length: 10_001 }, (_, i) => `bob/${i}.jsonl`);
  await store.db.run(
    `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
     SELECT now()::TIMESTAMP, 'reset', 'count', k, NULL, NULL FROM unnest($others::VARCHAR[]) AS t(k)`,
    { others },
  );
  await store.close();

  const api = await openService({ state });
  const history = await api.call('state/history', { limit: 10_000 });
  assert.ok(!history.some((h) => h.auditId === Number(changeId)), 'the change is not in the newest 10,000');
  const undo = await api.call('state/undo', { auditId: Number(changeId) });
  assert.deepEqual([undo.action, undo.processor, undo.sessionKey, undo.undoneBy], [`undo:${changeId}`, 'count', 'alice/a.jsonl', null]);
  assert.equal((undo.before as { items_extracted: number }).items_extracted, 9);
  assert.equal((undo.after as { items_extracted: number }).items_extracted, 3);
  assert.equal((await api.call('state/history', { limit: 1 }))[0].auditId, undo.auditId, 'the undo is the newest entry');
  const [row] = (await api.call('state/list', { processor: 'count', offset: 0, limit: 1 })).rows;
  assert.deepEqual([row.sessionKey, row.itemsExtracted, row.processedAt], ['alice/a.jsonl', 3, '2025-01-02T03:04:05.000Z']);
  assert.ok(api.events.some((e) => e.type === 'state-changed' && e.processors.includes('count')));
  await assert.rejects(
    api.call('state/undo', { auditId: Number(changeId) }),
    new RegExp(`conflict: change #${changeId} was already undone \\(by #${undo.auditId}\\)`),
  );
  await assert.rejects(api.call('state/undo', { auditId: 99_999_999 }), /not-found: no change #99999999 in the history/);
});

stateTest('state/list: a page of rows in (processor, session) order, of one processor and holding a text in any case, with the total', async (backend) => {
  const state = await freshState(backend, tempDir('si-api-state-list-'));
  const store = await StateStore.open(state);
  const rows = [
    ...['alice/a', 'alice/b', 'bob/c', 'carol/e', 'dave/ALICE'].map((k) => ['count', `${k}.jsonl`]),
    ['other', 'alice/a.jsonl'],
    ['other', 'bob/c.jsonl'],
  ];
  for (const [processor, session] of rows) {
    await store.db.run(
      `INSERT INTO session_processor_state (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
       VALUES ($processor, $session, 'u', NULL, 1, NULL, '1')`,
      { processor, session },
    );
  }
  await store.close();
  const api = await openService({ state });
  const page = (args: { processor?: string; text?: string; offset: number; limit: number }) =>
    api.call('state/list', args).then((p) => [p.total, p.rows.map((r) => `${r.processor}:${r.sessionKey}`)]);
  assert.deepEqual(await page({ offset: 0, limit: 3 }), [7, ['count:alice/a.jsonl', 'count:alice/b.jsonl', 'count:bob/c.jsonl']]);
  assert.deepEqual(await page({ offset: 5, limit: 3 }), [7, ['other:alice/a.jsonl', 'other:bob/c.jsonl']]);
  assert.deepEqual(await page({ processor: 'count', text: 'ALICE', offset: 1, limit: 2 }), [3, ['count:alice/b.jsonl', 'count:dave/ALICE.jsonl']]);
  assert.deepEqual(await page({ text: 'c.json', offset: 0, limit: 10 }), [2, ['count:bob/c.jsonl', 'other:bob/c.jsonl']]);
  assert.deepEqual(await page({ processor: 'none', offset: 0, limit: 10 }), [0, []]);
});
