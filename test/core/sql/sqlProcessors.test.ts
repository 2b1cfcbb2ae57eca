// SQL processors end to end: the public contract as a plugin author writes it, records exactly as the
// JavaScript path gives them (line numbers included), one failing session failing only itself, and hostile
// SQL refused when it loads or failing only its own processor's sessions, with nothing written anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, counts, stateTest } from '../harness.js';
import { writeSession } from '../../helpers.js';
import { mergedType, parseGroups } from '../../../main/core/sql/recordsSql.js';

/** The shape from the SDK docs, exactly as a plugin author would copy it. */
const TOOL_USES = `
import { definePlugin } from 'session-inspector/plugin';
export default definePlugin({
  name: 'tool-uses',
  version: '1',
  view: { name: 'tool_uses', columns: { line_no: 'BIGINT', tool: 'VARCHAR' } },
  columns: { type: 'VARCHAR', timestamp: 'VARCHAR', message: 'STRUCT(model VARCHAR, content JSON)' },
  sql: \`
    SELECT session_file, line_no, block ->> 'name' AS tool
    FROM (SELECT session_file, line_no, unnest(json_extract(message.content, '$[*]')) AS block FROM records WHERE type = 'assistant')
    WHERE (block ->> 'type') = 'tool_use'
    ORDER BY session_file, line_no
  \`,
});`;

/** Every record's uuid and line number: what a processor sees of a file, in both languages. */
const SQL_LINES = `
export default {
  name: 'sql-lines',
  columns: { uuid: 'VARCHAR' },
  sql: 'SELECT session_file, line_no, uuid FROM records ORDER BY line_no',
};`;
const JS_LINES = `
export default {
  name: 'js-lines',
  async processSession(session) {
    const items = [];
    for await (const record of session.records())
      items.push({ line_no: session.lineNo, uuid: record === null || typeof record !== 'object' ? null : (record.uuid ?? null) });
    // A second pass (a plugin process's private one) numbers the lines the same way.
    let n = 0;
    for await (const record of session.records()) if (items[n++].line_no !== session.lineNo) throw new Error('second pass: line ' + session.lineNo);
    return { items };
  },
};`;

const assistant = (uuid: string, tools: string[]) => ({
  type: 'assistant',
  uuid,
  timestamp: '2025-09-01T10:00:00.000Z',
  message: { model: 'claude-sonnet-4-5', content: tools.map((name, i) => ({ type: 'tool_use', id: `t${i}`, name, input: {} })) },
});

stateTest('a SQL processor as documented: one item per row, with the record line numbers, and a typed view', async (backend) => {
  const h = new Harness(2, backend).plugin('tool-uses', TOOL_USES);
  writeSession(h.root, 'alice/one.jsonl', [
    { type: 'user', uuid: 'u1', message: { content: 'hi' } },
    assistant('a1', ['Bash', 'Read']),
    { type: 'user', uuid: 'u2' },
    assistant('a2', ['Edit']),
  ]);
  writeSession(h.root, 'bob/none.jsonl', [{ type: 'user', uuid: 'u1', message: { content: 'no tools' } }]);
  const stats = await h.run('tool-uses');
  assert.deepEqual(counts(stats), { scanned: 2, processed: 2, skipped: 0, capped: 0, errors: 0, quarantined: 0, vanished: 0, items_extracted: 3 });
  const rows = await h.rows('SELECT session_file, line_no, tool FROM tool_uses ORDER BY session_file, line_no, tool');
  assert.deepEqual(rows, [
    { session_file: 'alice/one.jsonl', line_no: 2, tool: 'Bash' },
    { session_file: 'alice/one.jsonl', line_no: 2, tool: 'Read' },
    { session_file: 'alice/one.jsonl', line_no: 4, tool: 'Edit' },
  ]);
  // A due session with no rows is processed with 0 items.
  const state = await h.rows("SELECT session_file, items_extracted FROM session_processor_state WHERE processor_name = 'tool-uses' ORDER BY 1");
  assert.deepEqual(state, [
    { session_file: 'alice/one.jsonl', items_extracted: 3 },
    { session_file: 'bob/none.jsonl', items_extracted: 0 },
  ]);
  // Nothing changed: the rerun reads nothing.
  const again = await h.run('tool-uses');
  assert.equal(again.processed, 0);
  assert.equal(again.bytes_read, 0);
});

test("records equal the JavaScript path's: BOM, CRLF, blank lines, NUL bytes, invalid UTF-8, lone surrogates, malformed and truncated lines", async () => {
  const h = new Harness().plugin('sql-lines', SQL_LINES).plugin('js-lines', JS_LINES);
  const line = (uuid: string, extra = '') => `{"type":"user","uuid":"${uuid}"${extra}}`;
  const files: Record<string, Buffer | string> = {
    'x/bom.jsonl': `\ufeff${line('b1')}\n${line('b2')}\n`,
    'x/crlf.jsonl': `${line('c1')}\r\n\r\n${line('c2')}\r\n`,
    'x/blank.jsonl': `\n  \n${line('k1')}\n\t\n${line('k2')}\n\n`,
    'x/nul.jsonl': `${line('n1')}\n${line('n2', ',"t":"a\u0000b"')}\n\u0000\u0000\u0000\n${line('n3')}\n`,
    // A line cut after a key's colon: a streaming reader would take the next line as its value.
    'x/swallow.jsonl': `${line('s1')}\n{"type":"assistant","message":{"usage":{"input_tokens":\n${line('s2')}\n${line('s3')}\n`,
    'x/truncated.jsonl': `${line('t1')}\n${line('t2')}\n{"type":"user","uu`,
    'x/surrogate.jsonl': `${line('l1', ',"text":"\\ud83d"')}\n${line('l2')}\n`,
    'x/nonobject.jsonl': `42\n[1,2]\nnull\n${line('o1')}\n"text"\n`,
    'x/dupkey.jsonl': `${line('d1')}\n`,
  };
  for (const [key, content] of Object.entries(files)) writeSession(h.root, key, typeof content === 'string' ? content : content.toString());
  // Invalid UTF-8 inside a string: JavaScript decodes it to U+FFFD and keeps the record.
  writeFileSync(
    join(h.root, 'x', 'latin1.jsonl'),
    Buffer.concat([Buffer.from(`${line('i1')}\n{"type":"user","uuid":"i2","t":"caf`), Buffer.from([0xe9]), Buffer.from(`"}\n${line('i3')}\n`)]),
  );
  const engine = await h.open();
  const stats = await engine.run(['js-lines', 'sql-lines']);
  for (const s of stats) assert.equal(s.errors, 0, JSON.stringify(s.errors_detail));
  const [js, sql] = stats;
  assert.equal(js.processor, 'js-lines');
  assert.equal(sql.malformed_lines, js.malformed_lines);
  const items = async (processor: string) =>
    (
      await h.rows(
        `SELECT session_file, item->>'uuid' AS uuid, item->>'line_no' AS line_no FROM processor_items
         WHERE processor_name = '${processor}' ORDER BY session_file, item_index`,
      )
    ).map((r) => `${r.session_file} ${r.uuid} ${r.line_no}`);
  const jsItems = await items('js-lines');
  assert.deepEqual(await items('sql-lines'), jsItems);
  assert.ok(jsItems.includes('x/swallow.jsonl s2 3') && jsItems.includes('x/latin1.jsonl i2 2') && jsItems.includes('x/surrogate.jsonl l1 1'));
  // Line numbers are the file's own, counting every line (blank and malformed ones too), in both languages.
  const lineNos = await h.rows(
    `SELECT session_file, item->>'uuid' AS uuid, CAST(item->>'line_no' AS INTEGER) AS line_no FROM processor_items
     WHERE processor_name = 'sql-lines' AND session_file IN ('x/blank.jsonl', 'x/swallow.jsonl', 'x/crlf.jsonl') ORDER BY 1, 3`,
  );
  assert.deepEqual(lineNos, [
    { session_file: 'x/blank.jsonl', uuid: 'k1', line_no: 3 },
    { session_file: 'x/blank.jsonl', uuid: 'k2', line_no: 5 },
    { session_file: 'x/crlf.jsonl', uuid: 'c1', line_no: 1 },
    { session_file: 'x/crlf.jsonl', uuid: 'c2', line_no: 3 },
    { session_file: 'x/swallow.jsonl', uuid: 's1', line_no: 1 },
    { session_file: 'x/swallow.jsonl', uuid: 's2', line_no: 3 },
    { session_file: 'x/swallow.jsonl', uuid: 's3', line_no: 4 },
  ]);
  // The stored hash is of the bytes processed, the same for both paths.
  const hashes = await h.rows('SELECT count(DISTINCT processor_name) AS n FROM session_processor_state GROUP BY session_file, file_hash ORDER BY 1');
  assert.ok(hashes.every((r) => Number(r.n) === 2));
});

test('sessions has every session being processed, with its malformed lines; processors reading one field as different STRUCTs each get their own', async () => {
  const h = new Harness()
    .plugin(
      'per-session',
      `export default { name: 'per-session', columns: { message: 'STRUCT(model VARCHAR)' },
        sql: 'SELECT s.session_file, s.malformed_lines, count(r.line_no) AS records, max(r.message.model) AS model' +
          ' FROM sessions AS s LEFT JOIN records AS r USING (session_file) GROUP BY ALL' };`,
    )
    .plugin(
      'message-ids',
      `export default { name: 'message-ids', columns: { message: 'STRUCT(id VARCHAR)' }, sql: 'SELECT session_file, message FROM records ORDER BY line_no' };`,
    );
  writeSession(h.root, 'a/empty.jsonl', '');
  writeSession(h.root, 'a/two.jsonl', `{"message":{"id":"m1","model":"opus"}}\n{"cut\n{"message":{"id":"m2"}}\n`);
  const stats = await (await h.open()).run(['per-session', 'message-ids']);
  for (const s of stats) assert.equal(s.errors, 0, JSON.stringify(s.errors_detail));
  const items = async (processor: string) =>
    (
      await h.rows(
        `SELECT session_file, CAST(item AS VARCHAR) AS item FROM processor_items WHERE processor_name = '${processor}' ORDER BY session_file, item_index`,
      )
    ).map((r) => `${r.session_file} ${r.item}`);
  assert.deepEqual(await items('per-session'), [
    'a/empty.jsonl {"malformed_lines":0,"records":0,"model":null}',
    'a/two.jsonl {"malformed_lines":1,"records":2,"model":"opus"}',
  ]);
  // One parse read message as STRUCT(id, model); each processor's records hold exactly its own struct.
  assert.deepEqual(await items('message-ids'), ['a/two.jsonl {"message":{"id":"m1"}}', 'a/two.jsonl {"message":{"id":"m2"}}']);
});

test('parse groups: STRUCTs of one field merge (nested ones too); other differing types parse apart', () => {
  const spec = (name: string, columns: Record<string, string>) => ({ name, timeoutMs: 1, checked: { columns, query: '', fields: [] } });
  const groups = parseGroups([
    spec('a', { type: 'VARCHAR', message: 'STRUCT(model VARCHAR, usage STRUCT(input_tokens BIGINT))' }),
    spec('b', { message: 'STRUCT(id VARCHAR, usage STRUCT(output_tokens BIGINT))' }),
    spec('c', { type: 'JSON' }),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.members.map((m) => m.name), g.columns]),
    [
      [['a', 'b'], { type: 'VARCHAR', message: 'STRUCT(model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT), id VARCHAR)' }],
      [['c'], { type: 'JSON' }],
    ],
  );
  assert.equal(mergedType('STRUCT("a b" INTEGER)', 'STRUCT("a b" VARCHAR)'), null, 'one name, two types');
  assert.equal(mergedType('STRUCT(a INTEGER)[]', 'STRUCT(b INTEGER)[]'), null, 'lists of structs are not merged');
});

test('a query that fails on one session fails only that (processor, session); the others are stored', async () => {
  const h = new Harness().plugin(
    'picky',
    `export default { name: 'picky', columns: { text: 'VARCHAR' },
      sql: "SELECT session_file, CASE WHEN text = 'boom' THEN error('this session breaks me') ELSE text END AS text FROM records" };`,
  );
  for (let i = 0; i < 6; i++) writeSession(h.root, `u/s${i}.jsonl`, [{ type: 'user', text: i === 3 ? 'boom' : `ok ${i}` }]);
  const stats = await h.run('picky');
  assert.deepEqual(counts(stats), { scanned: 6, processed: 5, skipped: 0, capped: 0, errors: 1, quarantined: 0, vanished: 0, items_extracted: 5 });
  assert.equal(stats.errors_detail[0].session, 'u/s3.jsonl');
  assert.match(stats.errors_detail[0].error, /SQL processor "picky": .*this session breaks me/);
});

/** Each of these is refused when its plugin loads, with the reason named. */
const REFUSED: [string, string, RegExp][] = [
  ['reads a file', "SELECT session_file, content FROM records, read_text('/etc/passwd')", /may not call the table function read_text/],
  ['reads a file by name', "SELECT * FROM '/etc/passwd'", /may read only records/],
  ['copies out', "COPY (SELECT * FROM records) TO 'x.csv'", /single SELECT statement/],
  ['attaches', "ATTACH 'x.duckdb' AS x", /single SELECT statement/],
  ['installs', 'INSTALL httpfs', /single SELECT statement/],
  ['loads', 'LOAD httpfs', /single SELECT statement/],
  ['sets', "SET memory_limit = '10GB'", /single SELECT statement/],
  ['pragmas', 'PRAGMA database_list', /single SELECT statement/],
  ['creates', 'CREATE TABLE t AS SELECT * FROM records', /single SELECT statement/],
  ['runs two statements', 'SELECT session_file FROM records; SELECT session_file FROM records', /exactly one SELECT statement, not 2/],
  ['reads the host tables', 'SELECT session_file FROM si_fed', /may read only records/],
  ['runs a query string', "SELECT * FROM query('SELECT 1')", /table function query/],
  ['lists files', "SELECT session_file, file FROM records, glob('/*')", /table function glob/],
  ['has no session_file', 'SELECT 1 AS x FROM records', /must return a session_file column/],
];

test('hostile SQL is refused when its plugin loads, naming the reason; the other processors load', async () => {
  const h = new Harness();
  REFUSED.forEach(([, sql], i) => h.plugin(`bad-${i}`, `export default { name: 'bad-${i}', columns: { type: 'VARCHAR' }, sql: ${JSON.stringify(sql)} };`));
  h.plugin(
    'bad-type',
    `export default { name: 'bad-type', columns: { type: 'VARCHAR) FROM records; DROP TABLE x; SELECT (1' }, sql: 'SELECT session_file FROM records' };`,
  );
  h.plugin('good', `export default { name: 'good', columns: { type: 'VARCHAR' }, sql: 'SELECT session_file, type FROM records' };`);
  const engine = await h.open();
  const { processors, plugins } = await engine.plugins();
  assert.deepEqual(
    processors.map((p) => p.name),
    ['good'],
  );
  REFUSED.forEach(([what, , reason], i) => {
    const report = plugins.find((p) => p.name === `bad-${i}`)!;
    assert.equal(report.loaded, false, what);
    assert.match(report.errors.join('\n'), reason, what);
  });
  assert.match(plugins.find((p) => p.name === 'bad-type')!.errors.join('\n'), /columns\.type: .* is not a DuckDB type/);
});

test('SQL that runs away fails only its own sessions, within its time limit and memory, and writes nothing', async () => {
  const h = new Harness()
    .plugin(
      'endless',
      `export default { name: 'endless', timeoutMs: 1500, columns: { type: 'VARCHAR' },
        sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT records.session_file, max(n) AS n FROM records, r GROUP BY 1' };`,
    )
    .plugin(
      'spin',
      `export default { name: 'spin', timeoutMs: 1500, columns: { type: 'VARCHAR' },
        sql: 'SELECT session_file, count(*) AS n FROM records, range(100000000000) GROUP BY 1' };`,
    )
    .plugin(
      'explode',
      `export default { name: 'explode', timeoutMs: 20000, columns: { type: 'VARCHAR' },
        sql: "SELECT a.session_file, string_agg(repeat('x', 10000), '') AS s FROM records a, range(1000000) b GROUP BY 1" };`,
    )
    .plugin(
      'flood',
      `export default { name: 'flood', timeoutMs: 20000, columns: { type: 'VARCHAR' }, sql: 'SELECT session_file, i FROM records, range(10000000) t(i)' };`,
    )
    .plugin('fine', `export default { name: 'fine', columns: { type: 'VARCHAR' }, sql: 'SELECT session_file, type FROM records' };`);
  writeSession(h.root, 'a/one.jsonl', [{ type: 'user' }]);
  writeSession(h.root, 'a/two.jsonl', [{ type: 'assistant' }]);
  const before = readdirSync(h.root, { recursive: true }).sort();
  const engine = await h.open();
  const started = Date.now();
  const stats = await engine.run(['endless', 'explode', 'fine', 'flood', 'spin']);
  const by = Object.fromEntries(stats.map((s) => [s.processor, s]));
  assert.equal(by.fine.processed, 2);
  assert.equal(by.endless.errors, 2);
  // An endless recursion ends at its time limit or at the memory limit, whichever it reaches first.
  assert.match(by.endless.errors_detail[0].error, /did not finish within timeoutMs \(1500 ms\)|Out of Memory/);
  assert.equal(by.spin.errors, 2);
  assert.match(by.spin.errors_detail[0].error, /did not finish within timeoutMs \(1500 ms\)/);
  assert.equal(by.explode.errors, 2);
  assert.match(by.explode.errors_detail[0].error, /Out of Memory|memory/i);
  assert.equal(by.flood.errors, 2);
  assert.match(by.flood.errors_detail[0].error, /more than 1,000,000 rows/);
  assert.ok(Date.now() - started < 60_000);
  // Nothing written under the root, and no state or items for the failures.
  assert.deepEqual(readdirSync(h.root, { recursive: true }).sort(), before);
  assert.deepEqual(await h.rows('SELECT processor_name, count(*) AS n FROM session_processor_state GROUP BY 1'), [{ processor_name: 'fine', n: 2 }]);
  assert.ok(!existsSync(join(h.root, 'x.csv')));
});

test('a run whose due processors are all SQL starts no plugin process (once their descriptions are cached)', async () => {
  const h = new Harness().plugin('tool-uses', TOOL_USES);
  writeSession(h.root, 'alice/one.jsonl', [assistant('a1', ['Bash'])]);
  await h.open(); // describing the plugin the first time takes a plugin process
  const engine = await h.reopen();
  const stats = await h.run('tool-uses');
  assert.equal(stats.processed, 1);
  assert.equal(engine.pool.processesStarted, 0);
});

test('cancelling a run interrupts its SQL: the sessions are capped as cancelled, nothing is stored', async () => {
  const h = new Harness().plugin(
    'slow',
    `export default { name: 'slow', timeoutMs: 600000, columns: { type: 'VARCHAR' },
      sql: 'SELECT session_file, count(*) AS n FROM records, range(100000000000) GROUP BY 1' };`,
  );
  for (let i = 0; i < 3; i++) writeSession(h.root, `a/s${i}.jsonl`, [{ type: 'user' }]);
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 500);
  const stats = await h.run('slow', { signal: controller.signal });
  assert.ok(Date.now() - started < 15_000, 'the query was interrupted, not waited for');
  assert.equal(stats.cancelled, true);
  assert.deepEqual(counts(stats), { scanned: 3, processed: 0, skipped: 0, capped: 3, errors: 0, quarantined: 0, vanished: 0, items_extracted: 0 });
  assert.deepEqual(await h.rows("SELECT count(*) AS n FROM session_processor_state WHERE processor_name = 'slow'"), [{ n: 0 }]);
  assert.deepEqual(await h.rows("SELECT count(*) AS n FROM session_processor_failures WHERE processor_name = 'slow'"), [{ n: 0 }]);
});
