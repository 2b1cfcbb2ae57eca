import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir, writePlugin, writeSession } from '../helpers.js';

test('the complete example in docs/plugins.md works as written', async () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'plugins.md'), 'utf8');
  const source = /### A complete example\s+```js\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(source, 'docs/plugins.md has the example');
  const dir = tempDir();
  const plugin = writePlugin(dir, 'bash-commands', source);
  const root = join(dir, 'sessions');
  writeSession(root, 'alice/s.jsonl', [
    {
      type: 'assistant',
      timestamp: '2025-09-01T10:00:00.000Z',
      message: { content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls -la' } }] },
    },
    { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'no such file', is_error: true }] } },
    { type: 'assistant', timestamp: '2025-09-01T10:00:05.000Z', message: { content: [{ type: 'tool_use', id: 't2', name: 'Read', input: {} }] } },
    { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't2', content: 'x' }] } },
  ]);
  const db = join(dir, 'db.duckdb');
  const run = await runCli(['run', '--plugins', plugin, '--sessions', root, '--db', db, '--no-builtins', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout)[0].processed, 1, run.stdout);
  const rows = JSON.parse((await runCli(['query', 'SELECT command, failed, occurred_at FROM bash_commands', '--db', db, '--json'])).stdout);
  assert.deepEqual(rows, [{ command: 'ls -la', failed: true, occurred_at: '2025-09-01T10:00:00.000Z' }]);
});

test('the complete SQL example in docs/plugins.md works as written, with line numbers', async () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'plugins.md'), 'utf8');
  const source = /### A complete SQL example\s+```js\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(source, 'docs/plugins.md has the SQL example');
  const dir = tempDir();
  const plugin = writePlugin(dir, 'bash-lines', source);
  const root = join(dir, 'sessions');
  writeSession(root, 'alice/s.jsonl', [
    { type: 'user', message: { content: 'run it' } },
    {
      type: 'assistant',
      timestamp: '2025-09-01T10:00:00.000Z',
      message: { content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls -la' } }] },
    },
    { type: 'assistant', timestamp: '2025-09-01T10:00:05.000Z', message: { content: [{ type: 'tool_use', id: 't2', name: 'Read', input: {} }] } },
  ]);
  const db = join(dir, 'db.duckdb');
  const run = await runCli(['run', '--plugins', plugin, '--sessions', root, '--db', db, '--no-builtins', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout)[0].processed, 1, run.stdout);
  const rows = JSON.parse((await runCli(['query', 'SELECT line_no, command, occurred_at FROM bash_lines', '--db', db, '--json'])).stdout);
  assert.deepEqual(rows, [{ line_no: 2, command: 'ls -la', occurred_at: '2025-09-01T10:00:00.000Z' }]);
});
