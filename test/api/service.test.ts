import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assistantRecord, countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../helpers.js';
import { openService } from './harness.js';
import { stateTest } from '../core/harness.js';

function pluginsDir() {
  const dir = tempDir('si-api-plugins-');
  writePlugin(dir, 'count', countingPlugin('count'));
  writePlugin(
    dir,
    'picky',
    `export default { name: 'picky', processSession(s) { ` +
      `if (s.sessionKey.includes('bad')) throw new Error('cannot read this one'); return { items: [{ ok: true }] }; } };`,
  );
  return dir;
}

function seed(root: string) {
  for (let i = 0; i < 12; i++)
    writeSession(root, `${i % 2 ? 'bob' : 'alice'}/s${String(i).padStart(2, '0')}.jsonl`, [userRecord(`q${i}`), assistantRecord(`a${i}`)]);
  writeSession(root, 'bob/bad.jsonl', [userRecord('poison')]);
}

test('arguments are validated in main: wrong types, extra fields, traversal and bad names are refused, naming the field', async () => {
  const api = await openService();
  const cases: [string, unknown, RegExp][] = [
    ['sessions/list', { offset: -1, limit: 10 }, /offset/],
    ['sessions/list', { offset: 0, limit: 100000 }, /limit/],
    ['sessions/list', { offset: 0, limit: 10, extra: true }, /unexpected field\(s\) extra/],
    ['sessions/get', { sessionKey: '../../etc/passwd' }, /sessionKey: must be a session key/],
    ['sessions/get', { sessionKey: '/etc/passwd' }, /sessionKey: must be a session key/],
    ['sessions/transcript', { sessionKey: 'a/../../b.jsonl' }, /sessionKey/],
    ['state/reset', { processor: '../x', target: { sessions: ['a.jsonl'] } }, /processor: must be a processor name/],
    [
      'state/update',
      { processor: 'count', sessionKey: 'a.jsonl', changes: { itemsExtracted: '7' }, expected: { itemsExtracted: 0, processedAt: null } },
      /changes.itemsExtracted/,
    ],
    ['nope/nothing', {}, /unknown method/],
  ];
  for (const [method, args, message] of cases) {
    const response = await api.service.handle(method, args);
    assert.equal(response.ok, false, method);
    if (!response.ok) {
      assert.equal(response.error.code, 'invalid', method);
      assert.match(response.error.message, message, `${method}: ${response.error.message}`);
    }
  }
});

stateTest('the session list is paged, filtered and sorted in the database, with one status per processor that follows runs', async (backend) => {
  const api = await openService({ plugins: [pluginsDir()], backend });
  seed(api.root);
  await api.call('sessions/refresh', {});
  const first = await api.call('sessions/list', { offset: 0, limit: 5 });
  assert.equal(first.total, 13);
  assert.equal(first.rows.length, 5);
  assert.deepEqual(first.groups, ['alice', 'bob']);
  assert.deepEqual(
    first.rows[0].statuses.map((s) => [s.processor, s.status]),
    [
      ['count', 'pending'],
      ['picky', 'pending'],
    ],
  );
  assert.equal((await api.call('sessions/list', { offset: 10, limit: 5 })).rows.length, 3);
  const bob = await api.call('sessions/list', { offset: 0, limit: 50, group: 'bob', sort: { by: 'path', dir: 'desc' } });
  assert.equal(bob.total, 7);
  assert.equal(bob.rows[0].sessionKey, 'bob/s11.jsonl');
  assert.equal((await api.call('sessions/list', { offset: 0, limit: 50, text: 'S0' })).total, 10);

  const started = await api.call('runs/start', {});
  assert.deepEqual(started.started.sort(), ['count', 'picky']);
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'picky');
  await api.waitFor((e) => e.type === 'state-changed');
  assert.ok(
    api.events.some((e) => e.type === 'run-progress' && e.run.processor === 'count'),
    'progress events',
  );
  const failed = await api.call('sessions/list', { offset: 0, limit: 50, status: ['failed'], processor: 'picky' });
  assert.deepEqual(
    failed.rows.map((r) => r.sessionKey),
    ['bob/bad.jsonl'],
  );
  const cell = failed.rows[0].statuses.find((s) => s.processor === 'picky')!;
  assert.deepEqual([cell.status, cell.attempts, cell.lastError], ['failed', 1, 'cannot read this one']);
  assert.deepEqual(failed.counts.picky, { processed: 12, stale: 0, pending: 0, running: 0, failed: 1, quarantined: 0 });

  appendFileSync(join(api.root, 'alice/s00.jsonl'), `${JSON.stringify(userRecord('more'))}\n`);
  await api.call('sessions/refresh', {});
  const stale = await api.call('sessions/list', { offset: 0, limit: 50, status: ['stale'], processor: 'count' });
  assert.deepEqual(
    stale.rows.map((r) => r.sessionKey),
    ['alice/s00.jsonl'],
  );

  const detail = await api.call('sessions/get', { sessionKey: 'bob/bad.jsonl' });
  const picky = detail.processors.find((p) => p.processor === 'picky')!;
  assert.equal(picky.failure?.lastError, 'cannot read this one');
  const count = detail.processors.find((p) => p.processor === 'count')!;
  assert.deepEqual([count.status, count.itemsTotal, count.items], ['processed', 1, [{ type: 'user' }]]);
  await assert.rejects(api.call('sessions/get', { sessionKey: 'alice/missing.jsonl' }), /not-found/);
});

test('runs: a processor already running is reported, not started twice; cancel stops it without an error row', async () => {
  const dir = tempDir('si-api-plugins-');
  writePlugin(
    dir,
    'slow',
    `export default { name: 'slow', async processSession(s, ctx) { await new Promise((r, j) => { const t = setTimeout(r, 400); ` +
      `ctx.signal.addEventListener('abort', () => { clearTimeout(t); j(ctx.signal.reason); }); }); return {}; } };`,
  );
  const api = await openService({ plugins: [dir] });
  seed(api.root);
  await api.call('sessions/refresh', {});
  assert.deepEqual(await api.call('runs/start', { processors: ['slow'] }), { started: ['slow'], alreadyRunning: [] });
  assert.deepEqual(await api.call('runs/start', { processors: ['slow'] }), { started: [], alreadyRunning: ['slow'] });
  assert.equal((await api.call('runs/active', {}))[0].processor, 'slow');
  await api.waitFor((e) => e.type === 'run-progress' && e.run.done >= 1);
  assert.deepEqual(await api.call('runs/cancel', {}), { cancelled: ['slow'] });
  const finished = await api.waitFor((e) => e.type === 'run-finished');
  assert.ok(finished.type === 'run-finished' && finished.stats.cancelled && finished.stats.capped > 0 && finished.stats.errors === 0, JSON.stringify(finished));
  const history = await api.call('runs/history', {});
  assert.equal(history[0].stats?.cancelled, true);
});

stateTest('state edits: validated, refused on a stale view with the current value, audited and undoable', async (backend) => {
  const api = await openService({ plugins: [pluginsDir()], backend });
  seed(api.root);
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['count'] });
  await api.waitFor((e) => e.type === 'run-finished');
  const { rows, total } = await api.call('state/list', { processor: 'count', offset: 0, limit: 100 });
  assert.equal(total, 13);
  const row = rows[0];
  const expected = { itemsExtracted: row.itemsExtracted, processedAt: row.processedAt };
  for (const changes of [{ itemsExtracted: -1 }, { itemsExtracted: 1.5 }, { processedAt: 'yesterday' }, { processedAt: '2999-01-01T00:00:00Z' }]) {
    await assert.rejects(api.call('state/update', { processor: 'count', sessionKey: row.sessionKey, changes, expected }), /invalid/, JSON.stringify(changes));
  }
  assert.deepEqual((await api.call('state/list', { processor: 'count', offset: 0, limit: 1 })).rows[0], row, 'nothing written');

  const updated = await api.call('state/update', {
    processor: 'count',
    sessionKey: row.sessionKey,
    changes: { itemsExtracted: 99, processedAt: '2025-01-02T03:04:05Z' },
    expected,
  });
  assert.deepEqual([updated.itemsExtracted, updated.processedAt], [99, '2025-01-02T03:04:05.000Z']);
  await assert.rejects(
    api.call('state/update', { processor: 'count', sessionKey: row.sessionKey, changes: { itemsExtracted: 5 }, expected }),
    /conflict: the row changed since you loaded it \(now items_extracted 99/,
  );

  const [latest] = await api.call('state/history', {});
  assert.deepEqual(
    [
      latest.action,
      latest.processor,
      latest.sessionKey,
      (latest.before as { items_extracted: number }).items_extracted,
      (latest.after as { items_extracted: number }).items_extracted,
    ],
    ['update', 'count', row.sessionKey, row.itemsExtracted, 99],
  );
  const undo = await api.call('state/undo', { auditId: latest.auditId });
  assert.equal(undo.action, `undo:${latest.auditId}`);
  assert.deepEqual((await api.call('state/list', { processor: 'count', offset: 0, limit: 1 })).rows[0], row, 'restored exactly');
  await assert.rejects(api.call('state/undo', { auditId: latest.auditId }), /conflict: change #\d+ was already undone/);
  const history = await api.call('state/history', {});
  assert.equal(history.find((h) => h.auditId === latest.auditId)?.undoneBy, undo.auditId);

  // bulk reset by filter, then undo one of them
  const reset = await api.call('state/reset', { processor: 'count', target: { filter: { group: 'bob' } } });
  assert.equal(reset.changed, 7);
  assert.equal((await api.call('sessions/list', { offset: 0, limit: 50, status: ['pending'], processor: 'count' })).total, 7);
  // Undo the reset of a session other than bob/s01, whose mark-and-undo follows.
  const resetEntry = (await api.call('state/history', {})).find((h) => h.action === 'reset' && h.sessionKey !== 'bob/s01.jsonl')!;
  await api.call('state/undo', { auditId: resetEntry.auditId });
  assert.equal((await api.call('sessions/list', { offset: 0, limit: 50, status: ['pending'], processor: 'count' })).total, 6);

  const marked = await api.call('state/markProcessed', { processor: 'count', target: { sessions: ['bob/s01.jsonl'] } });
  assert.equal(marked.changed, 1);
  const markEntry = (await api.call('state/history', {})).find((h) => h.action === 'mark-processed')!;
  await api.call('state/undo', { auditId: markEntry.auditId });
  assert.equal(
    (await api.call('sessions/get', { sessionKey: 'bob/s01.jsonl' })).processors.find((p) => p.processor === 'count')?.state,
    null,
    'undo of a mark removes the row it created',
  );
  assert.ok(api.events.some((e) => e.type === 'state-changed'));
});

test('transcripts come back as plain text, HTML payloads untouched, with line numbers and paging', async () => {
  const api = await openService();
  const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>';
  writeSession(api.root, 'alice/x.jsonl', [
    userRecord(payload),
    {
      type: 'assistant',
      message: {
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'ok' },
          { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
        ],
      },
    },
    { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'denied', is_error: true }] } },
    { type: 'file-history-snapshot' },
  ]);
  appendFileSync(join(api.root, 'alice/x.jsonl'), '{broken\n');
  await api.call('sessions/refresh', {});
  const page = await api.call('sessions/transcript', { sessionKey: 'alice/x.jsonl' });
  assert.deepEqual(
    page.entries.map((e) => [e.line, e.kind, e.toolName, e.isError]),
    [
      [1, 'user', null, false],
      [2, 'thinking', null, false],
      [2, 'assistant', null, false],
      [2, 'tool_use', 'Bash', false],
      [3, 'tool_result', null, true],
      [4, 'other', null, false],
    ],
  );
  assert.equal(page.entries[0].text, payload);
  assert.equal(page.malformedLines, 1);
  const paged = await api.call('sessions/transcript', { sessionKey: 'alice/x.jsonl', limit: 2 });
  assert.equal(paged.nextLine, 3);
  assert.equal((await api.call('sessions/transcript', { sessionKey: 'alice/x.jsonl', fromLine: 3, limit: 1 })).entries[0].kind, 'tool_result');
});

test('plugins: inspecting a folder runs none of its code; install with approval loads it and tells the renderer', async () => {
  const api = await openService();
  seed(api.root);
  const marker = join(api.dir, 'ran.txt');
  const source = writePlugin(
    tempDir(),
    'dropped',
    `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x');
export default { name: 'dropped', processSession() { return {}; } };`,
    { sessionInspector: { apiVersion: 1, processors: ['dropped'] } },
  );
  const preview = await api.call('plugins/inspect', { path: source });
  assert.deepEqual([preview.name, preview.version, preview.processors, preview.problems], ['dropped', '1.0.0', ['dropped'], []]);
  assert.match(preview.contentHash!, /^[0-9a-f]{64}$/);
  assert.ok(!existsSync(marker));
  const unapproved = await api.call('plugins/install', { path: source, approve: false });
  assert.deepEqual([unapproved.approval, unapproved.loaded], ['unapproved', false]);
  assert.ok(!existsSync(marker), 'an unapproved plugin is never imported');
  const approved = await api.call('plugins/approve', { name: 'dropped' });
  assert.deepEqual([approved.approval, approved.loaded, approved.processors], ['approved', true, ['dropped']]);
  await api.waitFor((e) => e.type === 'plugins-changed');
  assert.ok((await api.call('processors/list', {})).some((p) => p.name === 'dropped'));
  const bad = await api.call('plugins/inspect', { path: api.dir });
  assert.match(bad.problems.join(), /missing: a plugin folder needs a package.json/);
});

stateTest('query console: read-only, typed columns, limited rows; export writes CSV and Parquet', async (backend) => {
  const api = await openService({ plugins: [pluginsDir()], backend });
  seed(api.root);
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['count'] });
  await api.waitFor((e) => e.type === 'run-finished');
  const result = await api.call('query/run', { sql: 'SELECT session_file, items_extracted FROM session_processor_state ORDER BY 1', limit: 5 });
  assert.deepEqual(result.columns, [
    { name: 'session_file', type: 'VARCHAR' },
    { name: 'items_extracted', type: 'INTEGER' },
  ]);
  assert.equal(result.rows.length, 5);
  assert.equal(result.truncated, true);
  assert.deepEqual(result.rows[0], ['alice/s00.jsonl', 2]);
  await assert.rejects(api.call('query/run', { sql: 'DROP TABLE processor_items' }), /invalid: query is read-only/);
  const catalog = await api.call('query/catalog', {});
  assert.ok(catalog.some((c) => c.name === 'session_processor_state' && c.kind === 'table' && c.columns.some((col) => col.name === 'file_hash')));
  const csv = await api.call('query/export', { sql: 'SELECT session_file, items_extracted FROM session_processor_state ORDER BY 1', format: 'csv' });
  assert.equal(csv.rows, 13);
  const text = readFileSync(join(api.dir, csv.fileName), 'utf8');
  assert.equal(text.split('\n')[0], 'session_file,items_extracted');
  assert.equal(text.trim().split('\n').length, 14);
  const parquet = await api.call('query/export', { sql: 'SELECT * FROM processor_items', format: 'parquet' });
  assert.equal(readFileSync(join(api.dir, parquet.fileName)).subarray(0, 4).toString(), 'PAR1');
  await assert.rejects(api.call('query/export', { sql: "SELECT 1; COPY processor_items TO '/tmp/x.csv'", format: 'csv' }), /invalid/);
});

test('runs can target everything a filter matches (a bulk rerun over a filter, not only a selection)', async () => {
  const api = await openService({ plugins: [pluginsDir()] });
  seed(api.root);
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['count'], filter: { group: 'bob' } });
  const finished = await api.waitFor((e) => e.type === 'run-finished');
  assert.ok(finished.type === 'run-finished' && finished.stats.processed === 7, JSON.stringify(finished));
  assert.equal((await api.call('sessions/list', { offset: 0, limit: 50, status: ['pending'], processor: 'count' })).total, 6);
  const both = await api.service.handle('runs/start', { sessions: ['bob/s01.jsonl'], filter: { group: 'bob' } });
  assert.ok(!both.ok && /sessions or a filter, not both/.test(both.error.message));
});

test('a new session folder is pushed to every window (info-changed), whoever chose it: the desktop menu calls the API with no window', async () => {
  const api = await openService({ seed });
  const other = tempDir('si-api-other-');
  writeSession(other, 'carol/x.jsonl', [userRecord('hi')]);
  const info = await api.call('app/setSessionRoot', { path: other });
  const pushed = api.events.filter((e) => e.type === 'info-changed');
  assert.equal(pushed.length, 1);
  assert.deepEqual(pushed[0], { type: 'info-changed', info });
  assert.equal(info.sessionRoot, other);
});
