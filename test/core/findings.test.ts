import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../main/core/engine.js';
import { listFindings, markFinding } from '../../main/core/findings.js';
import { undoChange } from '../../main/core/store/stateEdits.js';
import { runCli, tempDir, writeSession } from '../helpers.js';
import { freshState, stateTest } from './harness.js';
import { test } from 'node:test';
import { openService } from '../api/harness.js';

// A token the secrets scanner accepts (random, so no placeholder rule skips it), built at run time.
const token = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;

function seed(root: string): string {
  return writeSession(root, 'alice/s.jsonl', [
    {
      type: 'user',
      uuid: 'u1',
      timestamp: '2025-09-01T10:00:00.000Z',
      cwd: '/home/alice/app',
      message: { role: 'user', content: `deploy with ${token} please` },
    },
    {
      type: 'assistant',
      uuid: 'a1',
      timestamp: '2025-09-01T10:00:05.000Z',
      requestId: 'r1',
      message: {
        id: 'm1',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'make' } }],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    },
    {
      type: 'user',
      uuid: 'u2',
      timestamp: '2025-09-01T10:00:09.000Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'make: *** No rule to make target', is_error: true }] },
    },
  ]);
}

stateTest('findings: secrets and tool errors in one list with stable ids; a review survives reprocessing, is audited and undone', async (backend) => {
  const dir = tempDir('si-findings-');
  const root = join(dir, 'sessions');
  const file = seed(root);
  const engine = await Engine.open({ state: await freshState(backend, dir), sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home') });
  try {
    await engine.run(['secrets', 'errors']);
    const db = engine.store.db;
    const found = await listFindings(db);
    assert.deepEqual(
      found.map((f) => [f.category, f.kind, f.session_file, f.line_no, f.status]),
      [
        ['tool_error', 'tool_result', 'alice/s.jsonl', 3, 'open'],
        ['secret', 'github_token', 'alice/s.jsonl', 1, 'open'],
      ],
    );
    assert.ok(!JSON.stringify(found).includes(token), 'no finding holds the secret');
    const secret = found[1];
    await markFinding(db, String(secret.id), 'false-positive', 'a revoked demo token');
    assert.deepEqual(
      (await listFindings(db)).map((f) => f.category),
      ['tool_error'],
      'false positives are hidden',
    );
    const all = await listFindings(db, { all: true, kind: 'secret' });
    assert.deepEqual(
      all.map((f) => [f.id, f.status, f.note]),
      [[secret.id, 'false-positive', 'a revoked demo token']],
    );

    // Reprocessed (the session grew), the same secret is found again under the same id, its review kept.
    appendFileSync(
      file,
      `${JSON.stringify({ type: 'user', uuid: 'u3', timestamp: '2025-09-01T10:01:00.000Z', message: { role: 'user', content: 'thanks' } })}\n`,
    );
    const [secrets] = await engine.run(['secrets']);
    assert.equal(secrets.processed, 1);
    assert.deepEqual(
      (await listFindings(db, { all: true, kind: 'github_token' })).map((f) => [f.id, f.status]),
      [[secret.id, 'false-positive']],
    );

    await markFinding(db, String(secret.id), 'confirmed', null);
    const history = await db.all("SELECT audit_id, before, after FROM state_audit WHERE action = 'review' ORDER BY audit_id");
    assert.equal(history.length, 2);
    assert.equal((history[1].after as { status: string }).status, 'confirmed');
    await undoChange(db, Number(history[1].audit_id));
    assert.equal((await listFindings(db, { all: true, kind: 'secret' }))[0].status, 'false-positive', 'undo restores the earlier review');
    await undoChange(db, Number(history[0].audit_id));
    assert.equal((await listFindings(db, { kind: 'secret' }))[0].status, 'open', 'undoing the first review leaves none');

    await assert.rejects(markFinding(db, String(secret.id), 'maybe', null), /status "maybe": choose one of open, confirmed, false-positive, fixed/);
    await assert.rejects(markFinding(db, 'ffffffffffffffff', 'fixed', null), /no finding ffffffffffffffff/);
  } finally {
    await engine.close();
  }
});

test('findings CLI: list as a table or JSON, mark with a note, bad input exits 2 naming it', async () => {
  const dir = tempDir('si-findings-cli-');
  const root = join(dir, 'sessions');
  seed(root);
  const state = join(dir, 'state.duckdb');
  assert.equal((await runCli(['run', '--processor', 'secrets', '--processor', 'errors', '--sessions', root, '--state', state])).code, 0);
  const listed = JSON.parse((await runCli(['findings', 'list', '--json', '--state', state])).stdout);
  assert.equal(listed.length, 2);
  const id = listed.find((f: { category: string }) => f.category === 'secret').id;
  const marked = await runCli(['findings', 'mark', id, 'fixed', '--note', 'rotated', '--state', state]);
  assert.equal(marked.code, 0, marked.stderr);
  assert.equal(marked.stdout, `${id}: fixed (rotated)\n`);
  const table = await runCli(['findings', '--state', state, '--kind', 'secret']);
  assert.match(table.stdout, new RegExp(`${id} │ fixed`));
  // The review is in the history, and undone from the CLI as from the app.
  const [review] = JSON.parse((await runCli(['state', 'history', '--json', '--state', state])).stdout);
  assert.equal(review.action, 'review');
  const undo = await runCli(['state', 'undo', String(review.audit_id), '--state', state]);
  assert.equal(undo.code, 0, undo.stderr);
  assert.match(undo.stdout, new RegExp(`^undid change #${review.audit_id} \\(recorded as #\\d+\\)`));
  assert.equal(JSON.parse((await runCli(['findings', 'list', '--json', '--kind', 'secret', '--state', state])).stdout)[0].status, 'open');
  const again = await runCli(['state', 'undo', String(review.audit_id), '--state', state]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /was already undone/);
  for (const [args, message] of [
    [['findings', 'mark', id, 'maybe'], /status "maybe"/],
    [['findings', 'mark', 'nope', 'fixed'], /no finding nope/],
  ] as const) {
    const result = await runCli([...args, '--state', state]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
});

test('findings API: list and mark through the contract; a bad id or status is refused naming the field', async () => {
  const api = await openService();
  assert.deepEqual(await api.call('findings/list', {}), [], 'no findings before the processors ran');
  for (const [args, message] of [
    [{ id: 'nope', status: 'fixed' }, /id: must be a finding id/],
    [{ id: '0123456789abcdef', status: 'maybe' }, /status/],
  ] as const) {
    const response = await api.service.handle('findings/mark', args);
    assert.equal(response.ok, false);
    if (!response.ok) assert.match(response.error.message, message);
  }
  const unknown = await api.service.handle('findings/mark', { id: '0123456789abcdef', status: 'fixed' });
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.match(unknown.error.message, /no finding 0123456789abcdef/);
});

test("findings: the audit processors' rows are findings too (destructive commands, outside writes, permission bypasses), with stable ids", async () => {
  const dir = tempDir('si-findings-audit-');
  const root = join(dir, 'sessions');
  const call = (uuid: string, id: string, name: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'assistant',
    uuid,
    timestamp: '2025-09-02T08:00:00.000Z',
    cwd: '/home/alice/app',
    requestId: `r-${uuid}`,
    message: {
      id: `m-${uuid}`,
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'tool_use', id, name, input }],
      usage: { input_tokens: 1, output_tokens: 1 },
    },
    ...extra,
  });
  const file = writeSession(root, 'alice/audit.jsonl', [
    {
      type: 'user',
      uuid: 'u1',
      timestamp: '2025-09-02T08:00:00.000Z',
      cwd: '/home/alice/app',
      permissionMode: 'bypassPermissions',
      message: { role: 'user', content: 'go' },
    },
    call('a1', 'toolu_rm', 'Bash', { command: 'rm -rf /srv/data && rm -rf /srv/data' }),
    call('a2', 'toolu_write', 'Write', { file_path: '/etc/hosts', content: '127.0.0.1 x' }),
  ]);
  const engine = await Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home') });
  try {
    await engine.run(['destructive-commands', 'outside-writes', 'permission-bypass']);
    const found = await listFindings(engine.store.db);
    assert.deepEqual(
      found.map((f) => [f.category, f.processor, f.kind, f.line_no, f.summary, f.occurred_at !== null]),
      [
        ['outside_write', 'outside-writes', 'outside', 3, '/etc/hosts', true],
        ['destructive_command', 'destructive-commands', 'rm_rf_outside', 2, 'rm -rf /srv/data', true],
        ['permission_bypass', 'permission-bypass', 'bypassPermissions', 1, 'switched to bypassPermissions from the start', true],
      ],
      'the same target twice in one command is one finding',
    );
    assert.deepEqual(
      (await listFindings(engine.store.db, { kind: 'destructive_command' })).map((f) => f.id),
      [found[1].id],
      '--kind takes the category',
    );
    await markFinding(engine.store.db, found[1].id, 'confirmed', 'wiped the shared data');

    // Reprocessed (the session grew, the processors' versions are the same), each keeps its id and review.
    appendFileSync(
      file,
      `${JSON.stringify({ type: 'user', uuid: 'u9', timestamp: '2025-09-02T08:01:00.000Z', message: { role: 'user', content: 'thanks' } })}\n`,
    );
    const stats = await engine.run(['destructive-commands', 'outside-writes', 'permission-bypass']);
    assert.deepEqual(
      stats.map((s) => s.processed),
      [1, 1, 1],
    );
    const again = await listFindings(engine.store.db);
    assert.deepEqual(
      again.map((f) => f.id),
      found.map((f) => f.id),
    );
    assert.deepEqual([again[1].status, again[1].note], ['confirmed', 'wiped the shared data']);
  } finally {
    await engine.close();
  }
  const cli = await runCli(['findings', 'list', '--kind', 'outside_write', '--json', '--state', join(dir, 'state.duckdb')]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(
    JSON.parse(cli.stdout).map((f: { kind: string; summary: string }) => [f.kind, f.summary]),
    [['outside', '/etc/hosts']],
  );
});
