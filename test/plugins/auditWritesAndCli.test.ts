// The audit plugin's outside-writes and permission-bypass processors over hand-written sessions (items carry
// their file line), then all three processors through the real CLI, over hand-written sessions and the real
// transcripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, loadProcessor, NO_FIXTURES, repoRoot, runProcessor, sessionFiles, tempDir, writeSession } from './support.js';
import { assistantLine, at, NOISE, toolUse, userLine } from './lines.js';
import { CALL, PROJECT } from './auditSupport.js';

const PROCESSORS = ['destructive-commands', 'outside-writes', 'permission-bypass'];

test('outside-writes: file tools writing outside the first cwd, with where they land', async () => {
  const processor = await loadProcessor('outside-writes', 'audit');
  const write = (uuid: string, seconds: number, id: string, tool: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    assistantLine(uuid, seconds, CALL, [toolUse(id, tool, input)], extra);
  const lines: unknown[] = [
    ...NOISE,
    userLine('u1', 0, 'go'),
    write('a1', 1, 'w1', 'Write', { file_path: `${PROJECT}/src/index.ts`, content: 'x' }),
    write('a2', 2, 'w2', 'Edit', { file_path: '/home/alice/.bashrc', old_string: 'a', new_string: 'b' }),
    write('a3', 3, 'w3', 'Write', { file_path: '/tmp/scratch/notes.md', content: 'x' }),
    write('a4', 4, 'w4', 'Write', { file_path: '/home/alice/.claude/plans/quiet-fox.md', content: 'plan' }),
    write('a5', 5, 'w5', 'MultiEdit', { file_path: `${PROJECT}/../app-other/x.ts`, edits: [] }), // .. escapes
    write('a6', 6, 'w6', 'NotebookEdit', { notebook_path: '/srv/notebooks/a.ipynb', new_source: '' }),
    write('a7', 7, 'w7', 'Write', { file_path: `${PROJECT}2/x.ts`, content: '' }), // a sibling sharing the prefix
    // The shell is in src (after a cd): a write elsewhere in the project is still inside it.
    write('a8', 8, 'w8', 'Write', { file_path: `${PROJECT}/README.md`, content: '' }, { cwd: `${PROJECT}/src` }),
    write('a9', 9, 'w9', 'Write', { file_path: 'relative/out.txt', content: '' }, { cwd: '/tmp' }),
    write('a10', 10, 'w10', 'Read', { file_path: '/etc/passwd' }),
    write('a11', 11, 'w11', 'Write', { file_path: 42 }),
    write('a12', 12, 'w12', 'Edit', { file_path: `${PROJECT}/./src/../lib/a.ts` }, { isSidechain: true }),
  ];
  const lineOf = (uuid: string) => lines.findIndex((line) => (line as { uuid?: string }).uuid === uuid) + 1;
  const { items } = await runProcessor(processor, writeSession(lines));
  const item = (uuid: string, seconds: number, id: string, tool: string, filePath: string, scope: string) => ({
    path: filePath,
    scope,
    tool_name: tool,
    tool_use_id: id,
    project_dir: PROJECT,
    is_sidechain: false,
    occurred_at: at(seconds),
    line_no: lineOf(uuid),
  });
  assert.deepEqual(items, [
    item('a2', 2, 'w2', 'Edit', '/home/alice/.bashrc', 'outside'),
    item('a3', 3, 'w3', 'Write', '/tmp/scratch/notes.md', 'temp'),
    item('a4', 4, 'w4', 'Write', '/home/alice/.claude/plans/quiet-fox.md', 'claude'),
    item('a5', 5, 'w5', 'MultiEdit', '/home/alice/code/app-other/x.ts', 'outside'),
    item('a6', 6, 'w6', 'NotebookEdit', '/srv/notebooks/a.ipynb', 'outside'),
    item('a7', 7, 'w7', 'Write', '/home/alice/code/app2/x.ts', 'outside'),
    item('a9', 9, 'w9', 'Write', '/tmp/relative/out.txt', 'temp'),
  ]);
});

test('outside-writes: Windows paths compare without case, and a session without any cwd has no findings', async () => {
  const processor = await loadProcessor('outside-writes', 'audit');
  const windows = 'C:\\Users\\Carol\\src\\app';
  const lines = [
    assistantLine('a1', 0, CALL, [toolUse('w1', 'Write', { file_path: 'c:\\users\\carol\\SRC\\app\\main.py' })], { cwd: windows }),
    assistantLine('a2', 1, CALL, [toolUse('w2', 'Write', { file_path: 'C:\\Users\\Carol\\AppData\\Local\\Temp\\x.txt' })], { cwd: windows }),
    assistantLine('a3', 2, CALL, [toolUse('w3', 'Edit', { file_path: 'D:\\data\\x.csv' })], { cwd: windows }),
  ];
  const { items } = await runProcessor<any>(processor, writeSession(lines));
  assert.deepEqual(
    items.map((i) => [i.path, i.scope, i.project_dir, i.line_no]),
    [
      ['C:\\Users\\Carol\\AppData\\Local\\Temp\\x.txt', 'temp', windows, 2],
      ['D:\\data\\x.csv', 'outside', windows, 3],
    ],
  );
  const noCwd = [assistantLine('a1', 0, CALL, [toolUse('w1', 'Write', { file_path: '/etc/hosts' })], { cwd: undefined })];
  assert.deepEqual((await runProcessor(processor, writeSession(noCwd))).items, []);
});

test('outside-writes: a subagent file starting in a subfolder is judged against the project it belongs to', async () => {
  const writes = await loadProcessor('outside-writes', 'audit');
  const file = writeSession(
    [assistantLine('a1', 0, CALL, [toolUse('w1', 'Write', { file_path: `${PROJECT}/README.md`, content: '' })], { cwd: `${PROJECT}/src`, isSidechain: true })],
    'agent-1.jsonl',
  );
  assert.deepEqual((await runProcessor(writes, file, '-home-alice-code-app/agent-1.jsonl')).items, []);
  // Outside Claude Code's layout the first cwd is all there is to go by.
  assert.deepEqual(
    (await runProcessor<any>(writes, file, 'copied/agent-1.jsonl')).items.map((i) => [i.path, i.scope, i.project_dir]),
    [[`${PROJECT}/README.md`, 'outside', `${PROJECT}/src`]],
  );
});

test('outside-writes: declares the outside_writes view', async () => {
  assert.deepEqual((await loadProcessor('outside-writes', 'audit')).view, {
    name: 'outside_writes',
    columns: {
      path: 'VARCHAR',
      scope: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      project_dir: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  });
});

/**
 * Mode switches (repeated, on a subagent's chain, unknown modes), claude runs with bypassing flags among
 * look-alikes, and settings files written with a default mode among other files.
 */
function bypassLines(): unknown[] {
  const mode = (uuid: string, seconds: number, permissionMode: string, extra: Record<string, unknown> = {}) =>
    userLine(uuid, seconds, 'next', { permissionMode, ...extra });
  const bash = (uuid: string, seconds: number, id: string, command: string) => assistantLine(uuid, seconds, CALL, [toolUse(id, 'Bash', { command })]);
  return [
    ...NOISE,
    { type: 'permission-mode', permissionMode: 'default', sessionId: 'sess-1' },
    mode('u1', 1, 'default'),
    mode('u2', 2, 'acceptEdits'),
    mode('u3', 3, 'acceptEdits'), // no change: reported once
    mode('u4', 4, 'plan'),
    mode('u5', 5, 'bypassPermissions'),
    // A subagent in its own mode is followed apart: no switch back and forth on the main chain.
    mode('s1', 6, 'default', { isSidechain: true }),
    mode('u6', 7, 'bypassPermissions'),
    mode('s2', 8, 'default', { isSidechain: true }),
    { type: 'permission-mode', permissionMode: 'default', sessionId: 'sess-1' },
    { type: 'permission-mode', permissionMode: 'auto', sessionId: 'sess-1', timestamp: at(9) },
    mode('u7', 10, 'dontAsk'),
    mode('u8', 11, 'somethingNew'),
    { type: 'system', subtype: 'init', permissionMode: 'bypassPermissions', uuid: 'init', timestamp: at(12) },
    bash('b1', 13, 'c1', 'claude --dangerously-skip-permissions -p "fix the tests"'),
    bash('b2', 14, 'c2', 'cd sub && npx -y @anthropic-ai/claude-code --permission-mode=acceptEdits'),
    bash('b3', 15, 'c3', 'grep -rn -- --dangerously-skip-permissions docs/'),
    bash('b4', 16, 'c4', 'echo "run claude --dangerously-skip-permissions"'),
    bash('b5', 17, 'c5', 'claude --permission-mode plan'),
    assistantLine('w1', 18, CALL, [
      toolUse('e1', 'Write', { file_path: `${PROJECT}/.claude/settings.local.json`, content: '{\n  "permissions": { "defaultMode": "bypassPermissions" }\n}' }),
    ]),
    assistantLine('w2', 19, CALL, [
      toolUse('e2', 'Edit', {
        file_path: '/home/alice/.claude/settings.json',
        old_string: '"defaultMode": "default"',
        new_string: '"defaultMode": "acceptEdits"',
      }),
    ]),
    assistantLine('w3', 20, CALL, [toolUse('e3', 'Write', { file_path: `${PROJECT}/docs/settings.md`, content: '"defaultMode": "bypassPermissions"' })]),
    assistantLine('w4', 21, CALL, [
      toolUse('e4', 'Edit', { file_path: `${PROJECT}/.claude/settings.json`, old_string: 'x', new_string: '"defaultMode": "plan"' }),
    ]),
  ];
}

/** One permission_bypass item, its columns in order. */
const bypassRow = (
  kind: string,
  modeName: string,
  previous: string | null,
  recordType: string,
  tool: string | null,
  id: string | null,
  detail: string | null,
  seconds: number,
  line: number,
  sidechain = false,
) => ({
  kind,
  mode: modeName,
  previous_mode: previous,
  record_type: recordType,
  tool_name: tool,
  tool_use_id: id,
  detail,
  is_sidechain: sidechain,
  occurred_at: at(seconds),
  line_no: line,
});

test('permission-bypass: each switch into a bypassing mode once, CLI flags and settings the agent wrote', async () => {
  const processor = await loadProcessor('permission-bypass', 'audit');
  const lines = bypassLines();
  const lineOf = (key: string) =>
    lines.findIndex((line) => (line as { uuid?: string; timestamp?: string }).uuid === key || (line as { timestamp?: string }).timestamp === key) + 1;
  const { items } = await runProcessor<any>(processor, writeSession(lines));
  assert.deepEqual(items, [
    bypassRow('mode_change', 'acceptEdits', 'default', 'user', null, null, null, 2, lineOf('u2')),
    bypassRow('mode_change', 'bypassPermissions', 'plan', 'user', null, null, null, 5, lineOf('u5')),
    bypassRow('mode_change', 'auto', 'default', 'permission-mode', null, null, null, 9, lineOf(at(9))),
    bypassRow('mode_change', 'bypassPermissions', 'somethingNew', 'system', null, null, null, 12, lineOf('init')),
    bypassRow('cli_flag', 'bypassPermissions', null, 'assistant', 'Bash', 'c1', 'claude --dangerously-skip-permissions -p "fix the tests"', 13, lineOf('b1')),
    bypassRow(
      'cli_flag',
      'acceptEdits',
      null,
      'assistant',
      'Bash',
      'c2',
      'cd sub && npx -y @anthropic-ai/claude-code --permission-mode=acceptEdits',
      14,
      lineOf('b2'),
    ),
    bypassRow('settings_write', 'bypassPermissions', null, 'assistant', 'Write', 'e1', `${PROJECT}/.claude/settings.local.json`, 18, lineOf('w1')),
    bypassRow('settings_write', 'acceptEdits', null, 'assistant', 'Edit', 'e2', '/home/alice/.claude/settings.json', 19, lineOf('w2')),
  ]);
});

test('permission-bypass: declares the permission_bypass view', async () => {
  assert.deepEqual((await loadProcessor('permission-bypass', 'audit')).view, {
    name: 'permission_bypass',
    columns: {
      kind: 'VARCHAR',
      mode: 'VARCHAR',
      previous_mode: 'VARCHAR',
      record_type: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      detail: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  });
});

const run = promisify(execFile);

async function cli(...args: string[]): Promise<any> {
  // A private per-user data folder, so the real user's plugins never take part.
  const env = { ...process.env, SESSION_INSPECTOR_HOME: tempDir('audit-home') };
  const { stdout } = await run(process.execPath, [path.join(repoRoot(), 'bin', 'session-inspector.js'), ...args], { maxBuffer: 64 << 20, env });
  return JSON.parse(stdout);
}

/** Runs the audit processors through the CLI, then checks each view's columns and rows against the processors run directly. */
async function runAndCompare(sessions: string, db: string): Promise<Record<string, any[]>> {
  const runs: any[] = await cli('run', '--sessions', sessions, '--db', db, '--json', ...PROCESSORS.flatMap((name) => ['--processor', name]));
  assert.deepEqual(
    runs.map((r) => [r.processor, r.errors]),
    PROCESSORS.map((name) => [name, 0]),
  );
  const rows: Record<string, any[]> = {};
  for (const name of PROCESSORS) {
    const processor = await loadProcessor(name, 'audit');
    const view = processor.view!;
    const described: any[] = await cli('query', `DESCRIBE ${view.name}`, '--db', db, '--json');
    assert.deepEqual(
      described.map((c) => [c.column_name, c.column_type]).filter(([c]) => c !== 'session_file' && c !== 'item_index'),
      Object.entries(view.columns),
      view.name,
    );
    const stored: any[] = await cli('query', `SELECT * EXCLUDE (item_index) FROM ${view.name} ORDER BY session_file, item_index`, '--db', db, '--json');
    const direct: any[] = [];
    for (const file of sessionFiles(sessions)) {
      const key = path.relative(sessions, file).split(path.sep).join('/');
      for (const item of (await runProcessor<any>(processor, file, key)).items) direct.push({ session_file: key, ...item });
    }
    // DuckDB's TIMESTAMP comes back without the Z: compare instants.
    const columns = ['session_file', ...Object.keys(view.columns)];
    const comparable = (row: any) => JSON.stringify(columns.map((c) => (view.columns[c] === 'TIMESTAMP' && row[c] ? Date.parse(row[c]) : row[c])));
    assert.deepEqual(stored.map(comparable), direct.map(comparable), view.name);
    rows[view.name] = stored;
  }
  return rows;
}

test('audit: through the CLI, each view holds what its processor finds', async () => {
  const root = tempDir('audit-cli');
  // Laid out as ~/.claude/projects is: the folder is named after the project, so the session's first
  // line (in src/) does not make src/ the project.
  const sessions = path.join(root, 'sessions', '-home-alice-code-app');
  fs.mkdirSync(sessions, { recursive: true });
  const lines = [
    { type: 'permission-mode', permissionMode: 'bypassPermissions', sessionId: 'sess-1' },
    userLine('u1', 0, 'tidy up', { permissionMode: 'bypassPermissions', cwd: `${PROJECT}/src` }),
    assistantLine('a1', 1, CALL, [toolUse('t1', 'Bash', { command: 'git reset --hard origin/main && rm -rf ~/old-app ../dist' })], { cwd: `${PROJECT}/src` }),
    assistantLine('a2', 2, CALL, [
      toolUse('t2', 'Write', { file_path: '/tmp/notes.md', content: 'x' }),
      toolUse('t3', 'Write', { file_path: `${PROJECT}/docs/a.md`, content: 'x' }),
    ]),
  ];
  fs.writeFileSync(path.join(sessions, 's1.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  const rows = await runAndCompare(path.join(root, 'sessions'), path.join(root, 'state.duckdb'));
  assert.deepEqual(
    rows.destructive_commands.map((r) => [r.session_file, r.rule, r.target, r.project_dir, r.line_no]),
    [
      ['-home-alice-code-app/s1.jsonl', 'git_reset_hard', 'origin/main', PROJECT, 3],
      ['-home-alice-code-app/s1.jsonl', 'rm_rf_outside', '/home/alice/old-app', PROJECT, 3],
    ],
  );
  assert.deepEqual(
    rows.outside_writes.map((r) => [r.path, r.scope, r.project_dir, r.line_no]),
    [['/tmp/notes.md', 'temp', PROJECT, 4]],
  );
  // The permission-mode record carries no cwd or uuid; it is read although the processor selects lines.
  assert.deepEqual(
    rows.permission_bypass.map((r) => [r.kind, r.mode, r.previous_mode, r.record_type, r.line_no]),
    [['mode_change', 'bypassPermissions', null, 'permission-mode', 1]],
  );
});

test(
  'audit: over the real transcripts the views exist and hold what the processors find',
  { skip: fixturesDir() === null ? NO_FIXTURES : undefined },
  async () => {
    const sessions = fixturesDir()!;
    const rows = await runAndCompare(sessions, path.join(tempDir('audit-fixtures'), 'state.duckdb'));
    // The shell of fe5e1c67 wanders into todo-app/ and todo-app/types/ while files are written all over
    // /path/to/Demo: judged against the first cwd, none of those writes is outside the project.
    const wandering = sessionFiles(sessions).find((file) => path.basename(file).startsWith('fe5e1c67'));
    assert.ok(wandering, 'sample-project/fe5e1c67-….jsonl is among the fixtures');
    const cwds = new Set(
      fs
        .readFileSync(wandering, 'utf8')
        .split('\n')
        .flatMap((line) => (line.includes('"cwd"') ? [JSON.parse(line).cwd] : [])),
    );
    assert.ok(cwds.has('/path/to/Demo/todo-app/types'), 'the session does change folders');
    assert.deepEqual(
      rows.outside_writes.filter((r) => r.session_file.includes('fe5e1c67')),
      [],
    );
  },
);
