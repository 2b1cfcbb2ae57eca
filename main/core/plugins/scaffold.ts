import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PROCESSOR_NAME } from './processorSchema.js';

/**
 * A new plugin folder that works as it is: a processor counting tool calls per tool (in JavaScript, or as
 * one DuckDB SELECT with `sql`), a sample session and a test (`npm test` in the folder, Node's own runner,
 * no dependencies; the SQL one runs the session-inspector command over the sample).
 */
export function scaffoldPlugin(name: string, parentDir: string, options: { sql?: boolean } = {}): string {
  if (!PROCESSOR_NAME.test(name))
    throw new UsageError(`plugins new: "${name}" is not a valid name: use lower-case letters, digits, - and _ (up to 64), starting with a letter or digit`);
  const folder = resolve(parentDir, name);
  if (existsSync(folder)) throw new UsageError(`plugins new: ${folder} already exists`);
  const view = name.replace(/-/g, '_');
  mkdirSync(join(folder, 'test', 'sessions', 'demo'), { recursive: true });
  const files: Record<string, string> = {
    'package.json': packageJson(name),
    'index.js': jsIndex(name, view),
    'test/index.test.js': JS_TEST,
    'test/sessions/demo/session.jsonl': sampleSession(),
    'README.md': readme(name, view),
  };
  if (options.sql) Object.assign(files, sqlFiles(name, view));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(folder, path), text);
  return folder;
}

function packageJson(name: string): string {
  return `${JSON.stringify(
    {
      name,
      version: '0.1.0',
      description: `Session Inspector plugin: ${name}`,
      type: 'module',
      main: 'index.js',
      scripts: { test: 'node --test' },
      sessionInspector: { apiVersion: 1, processors: [name] },
    },
    null,
    2,
  )}\n`;
}

/** The JavaScript processor: tool calls per tool, counted record by record. */
function jsIndex(name: string, view: string): string {
  return `// @ts-check
/** @typedef {import('session-inspector/plugin').Processor} Processor */

/**
 * Counts tool calls per tool name in each session.
 * Bump \`version\` whenever the items change: every session is then processed again.
 * @type {Processor}
 */
const processor = {
  name: ${JSON.stringify(name)},
  version: '1',
  view: { name: ${JSON.stringify(view)}, columns: { tool_name: 'VARCHAR', calls: 'INTEGER' } },
  async processSession(session, ctx) {
    /** @type {Map<string, number>} */
    const calls = new Map();
    for await (const record of session.records()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const r = /** @type {any} */ (record);
      if (r?.type !== 'assistant' || !Array.isArray(r.message?.content)) continue;
      for (const block of r.message.content) {
        if (block?.type === 'tool_use' && typeof block.name === 'string') calls.set(block.name, (calls.get(block.name) ?? 0) + 1);
      }
    }
    return { items: [...calls].map(([tool_name, count]) => ({ tool_name, calls: count })) };
  },
};

export default processor;
`;
}

/** The JavaScript processor's test, over the sample session. */
const JS_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import processor from '../index.js';

/** A minimal session over a file, like the one Session Inspector passes (it streams; this reads at once). */
function sessionFrom(path) {
  const lines = readFileSync(path, 'utf8').split('\\n').filter((l) => l.trim());
  return {
    path,
    sessionKey: 'demo/session.jsonl',
    group: 'demo',
    username: 'demo',
    sizeBytes: 0,
    malformedLines: 0,
    async *records() {
      for (const line of lines) yield JSON.parse(line);
    },
  };
}

test('counts tool calls per tool', async () => {
  const session = sessionFrom(new URL('./sessions/demo/session.jsonl', import.meta.url).pathname);
  const emitted = []; // what ctx.emit hands over, for a processor that streams its items
  const ctx = { signal: new AbortController().signal, log: { info() {}, warn() {}, error() {} }, emit: (item) => emitted.push(item) };
  const result = await processor.processSession(session, ctx);
  assert.deepEqual(emitted, []);
  assert.deepEqual(result.items, [
    { tool_name: 'Bash', calls: 2 },
    { tool_name: 'Read', calls: 1 },
  ]);
});
`;

/** Three tool calls (two Bash, one Read) after a prompt. */
function sampleSession(): string {
  return [
    { type: 'user', uuid: 'u1', timestamp: '2025-09-01T10:00:00.000Z', message: { role: 'user', content: 'list the files' } },
    {
      type: 'assistant',
      uuid: 'a1',
      timestamp: '2025-09-01T10:00:01.000Z',
      message: { id: 'msg_1', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] },
    },
    {
      type: 'assistant',
      uuid: 'a2',
      timestamp: '2025-09-01T10:00:02.000Z',
      message: { id: 'msg_2', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: 'README.md' } }] },
    },
    {
      type: 'assistant',
      uuid: 'a3',
      timestamp: '2025-09-01T10:00:03.000Z',
      message: { id: 'msg_3', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_3', name: 'Bash', input: { command: 'pwd' } }] },
    },
  ]
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');
}

function readme(name: string, view: string): string {
  return (
    `# ${name}\n\nA Session Inspector plugin.\n\n- Test it: \`npm test\`\n` +
    `- Try it on your sessions: \`session-inspector run --plugins . --processor ${name}\`, then \`session-inspector query "SELECT * FROM ${view}"\`\n` +
    '- Install it for the desktop app: `session-inspector plugins install .`\n'
  );
}

/** The SQL processor's index.js and test, replacing the JavaScript ones. */
function sqlFiles(name: string, view: string): Record<string, string> {
  return {
    'index.js': `// @ts-check
import { definePlugin } from 'session-inspector/plugin';

// Counts tool calls per tool name in each session. DuckDB reads the sessions and parses only the
// columns declared here; the query runs over \`records\` (session_file, line_no and these columns).
// Each result row is one item of its session_file. Bump \`version\` whenever the items change.
export default definePlugin({
  name: ${JSON.stringify(name)},
  version: '1',
  view: { name: ${JSON.stringify(view)}, columns: { tool_name: 'VARCHAR', calls: 'INTEGER' } },
  // Only lines with a tool call are parsed (matched on the raw text, before parsing).
  linesContaining: ['"tool_use"'],
  columns: { type: 'VARCHAR', message: 'STRUCT(content JSON)' },
  sql: \`
    SELECT session_file, block ->> 'name' AS tool_name, count(*) AS calls
    FROM (SELECT session_file, unnest(json_extract(message.content, '$[*]')) AS block FROM records WHERE type = 'assistant')
    WHERE (block ->> 'type') = 'tool_use'
    GROUP BY session_file, tool_name
    ORDER BY session_file, tool_name
  \`,
});
`,
    'test/index.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A SQL processor runs inside Session Inspector's DuckDB, so this test runs the real command over the
// sample session: SESSION_INSPECTOR_BIN names it (its bin/session-inspector.js, or a command), else
// \`session-inspector\` on the PATH.
const bin = process.env.SESSION_INSPECTOR_BIN ?? 'session-inspector';
const cli = (args) =>
  bin.endsWith('.js') ? execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' }) : execFileSync(bin, args, { encoding: 'utf8' });
const here = fileURLToPath(new URL('.', import.meta.url));

test('counts tool calls per tool', (t) => {
  try {
    cli(['--help']);
  } catch {
    return t.skip(\`\${bin} not found: set SESSION_INSPECTOR_BIN to session-inspector's bin/session-inspector.js\`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'plugin-test-'));
  try {
    const state = join(dir, 'state.duckdb');
    const env = ['--sessions', join(here, 'sessions'), '--state', state];
    cli(['run', ...env, '--plugins', join(here, '..'), '--no-builtins', '--processor', ${JSON.stringify(name)}, '--json']);
    const rows = JSON.parse(cli(['query', 'SELECT tool_name, calls FROM ${view} ORDER BY tool_name', '--state', state, '--json']));
    assert.deepEqual(rows, [
      { tool_name: 'Bash', calls: 2 },
      { tool_name: 'Read', calls: 1 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
`,
  };
}
