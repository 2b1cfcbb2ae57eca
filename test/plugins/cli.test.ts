// The built-in processors through the CLI: `run` loads them from plugins/ by default, and `query` reads
// their typed views. Checks the views' columns against each processor's declaration and their rows
// against the processors run directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, loadProcessor, NO_FIXTURES, repoRoot, runProcessor, sessionFiles, tempDir } from './support.js';
import { userLine } from './lines.js';
import { generateCorpus, GENERATOR_MISSING } from './corpus.js';

const run = promisify(execFile);
/** Every built-in processor, with the plugin folder it is in. */
const PROCESSORS: [name: string, plugin: string][] = [
  ['usage', 'usage'],
  ['tokens', 'tokens'],
  ['errors', 'errors'],
  ['summary', 'summary'],
  ['secrets', 'secrets'],
  ['destructive-commands', 'audit'],
  ['outside-writes', 'audit'],
  ['permission-bypass', 'audit'],
];

async function cli(...args: string[]): Promise<any> {
  // A private per-user data folder, so the real user's plugins never take part.
  const env = { ...process.env, SESSION_INSPECTOR_HOME: tempDir('cli-home') };
  const { stdout } = await run(process.execPath, [path.join(repoRoot(), 'bin', 'session-inspector.js'), ...args], { maxBuffer: 64 << 20, env });
  return JSON.parse(stdout);
}

test('cli: the built-in processors run by default and their views hold typed rows', { skip: fixturesDir() === null ? NO_FIXTURES : undefined }, async () => {
  const sessions = fixturesDir()!;
  const db = path.join(tempDir('cli'), 'state.duckdb');
  const runs: any[] = await cli('run', '--sessions', sessions, '--db', db, '--json');
  assert.deepEqual(runs.map((r) => r.processor).sort(), PROCESSORS.map(([name]) => name).sort());
  const files = sessionFiles(sessions);
  for (const r of runs) assert.equal(r.errors, 0, `${r.processor}: ${JSON.stringify(r.errors_detail)}`);

  for (const [name, plugin] of PROCESSORS) {
    const processor = await loadProcessor(name, plugin);
    const view = processor.view!;
    const columns: any[] = await cli('query', `DESCRIBE ${view.name}`, '--db', db, '--json');
    const declared = Object.entries(view.columns).map(([column, type]) => [column, type]);
    assert.deepEqual(
      columns.map((c) => [c.column_name, c.column_type]).filter(([c]) => c !== 'session_file' && c !== 'item_index'),
      declared,
      view.name,
    );

    // Same rows as the processor run directly, once DuckDB has typed them (timestamps lose their Z).
    const direct: any[] = [];
    for (const file of files) direct.push(...(await runProcessor<any>(processor, file)).items);
    const rows: any[] = await cli('query', `SELECT * EXCLUDE (session_file, item_index) FROM ${view.name}`, '--db', db, '--json');
    const key = (row: any) => JSON.stringify(Object.keys(view.columns).map((c) => (view.columns[c] === 'TIMESTAMP' && row[c] ? Date.parse(row[c]) : row[c])));
    assert.deepEqual(rows.map(key).sort(), direct.map(key).sort(), view.name);
  }

  const [totals] = await cli(
    'query',
    'SELECT count(*)::INTEGER AS messages, count(*) FILTER (WHERE cost_usd IS NULL)::INTEGER AS unpriced FROM token_usage',
    '--db',
    db,
    '--json',
  );
  const tokens = await loadProcessor('tokens');
  let messages = 0;
  for (const file of files) messages += (await runProcessor<any>(tokens, file)).items.length;
  assert.deepEqual(totals, { messages, unpriced: 0 });
});

test('cli: a leaked key reaches secret_findings redacted, and the database never holds the key', async () => {
  const root = tempDir('cli-secret');
  const sessions = path.join(root, 'sessions', 'alice');
  fs.mkdirSync(sessions, { recursive: true });
  const key = ['ghp', 'R8f2LqW9zX4mN7vB1cD5eH3jK6pT0sYuAa12'].join('_');
  fs.writeFileSync(path.join(sessions, 's1.jsonl'), `${JSON.stringify(userLine('u1', 0, `my token is ${key}`))}\n`);
  const db = path.join(root, 'state.duckdb');
  await cli('run', '--sessions', path.join(root, 'sessions'), '--db', db, '--json', '--processor', 'secrets');
  const rows = await cli('query', 'SELECT session_file, kind, location, preview, line_no FROM secret_findings', '--db', db, '--json');
  assert.deepEqual(rows, [{ session_file: 'alice/s1.jsonl', kind: 'github_token', location: 'u1:message.content', preview: 'ghp_…12', line_no: 1 }]);
  for (const file of fs.readdirSync(root).filter((f) => f.startsWith('state.duckdb'))) {
    assert.ok(!fs.readFileSync(path.join(root, file)).includes(key.slice(4, -2)), `${file} holds the key`);
  }
});

test('cli: view totals over a generated corpus equal its stats', { skip: GENERATOR_MISSING }, async () => {
  const { root, stats } = generateCorpus();
  const db = path.join(tempDir('cli-corpus'), 'state.duckdb');
  await cli('run', '--sessions', root, '--db', db, '--json');
  const query = async (sql: string) => (await cli('query', sql, '--db', db, '--json'))[0];
  assert.deepEqual(
    await query(
      'SELECT count(*)::INTEGER AS files, sum(malformed_lines)::INTEGER AS malformed, sum(assistant_messages)::INTEGER AS messages, ' +
        'sum(sidechain_messages)::INTEGER AS sidechain FROM session_summaries',
    ),
    { files: stats.files, malformed: stats.malformedLines + stats.truncatedTails, messages: stats.uniqueMessages, sidechain: stats.sidechainLines },
  );
  assert.deepEqual(
    await query(
      'SELECT sum(input_tokens)::BIGINT AS input, sum(output_tokens)::BIGINT AS output, ' +
        'sum(cache_creation_input_tokens)::BIGINT AS "cacheCreation", sum(cache_read_input_tokens)::BIGINT AS "cacheRead" FROM token_usage',
    ),
    stats.tokens,
  );
  assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM token_usage'), { n: stats.uniqueMessages }, 'one token_usage row per billed message');
  assert.deepEqual(await query("SELECT count(*)::INTEGER AS n FROM usage_events WHERE event_type = 'tool'"), {
    n: Object.values(stats.tools as Record<string, number>).reduce((a, b) => a + b, 0),
  });
  assert.deepEqual(await query("SELECT count(*)::INTEGER AS n FROM tool_errors WHERE kind = 'tool_result'"), { n: stats.toolErrors });
  assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM secret_findings'), { n: 0 });
});
