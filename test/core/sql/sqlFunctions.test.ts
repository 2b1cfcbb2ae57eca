// The SQL functions SQL processors get (core/sql/sqlFunctions.ts) against the SDK's TypeScript rules they
// mirror: the same answers on hand-picked hostile values and on seeded random text, in a real sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqlSandbox } from '../../../main/core/sql/sqlSandbox.js';
import { SQL_FUNCTION_NAMES } from '../../../main/core/sql/sqlFunctions.js';
import { isoTimestamp } from '../../../main/sdk/time.js';
import { blocksText, contentBlocks, isTypedText } from '../../../main/sdk/content.js';
import { oneLine, truncateUtf8 } from '../../../main/sdk/text.js';
import { parseSlashCommand } from '../../../main/sdk/commands.js';
import { parseMcpToolName } from '../../../main/sdk/tools.js';
import { stringField } from '../../../main/sdk/records.js';

let sandbox: SqlSandbox;
let root: string;
before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'si-sqlfn-'));
  sandbox = await SqlSandbox.open({ root, threads: 1 });
});
after(() => {
  sandbox.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** One SQL expression over parameters, for many argument lists (prepared once: the macros are large to bind). */
async function sqlValues(expression: string, args: unknown[][]): Promise<unknown[]> {
  const prepared = await sandbox.connection.prepare(`SELECT ${expression} AS v`);
  const out: unknown[] = [];
  for (const list of args) {
    if (list.length > 0) prepared.bind(list as never[]);
    out.push((await prepared.runAndReadAll()).getRowObjectsJS()[0].v);
  }
  return out;
}

function assertSame(name: string, inputs: unknown[], expected: unknown[], actual: unknown[]): void {
  const diffs = inputs.flatMap((input, i) =>
    JSON.stringify(expected[i]) === JSON.stringify(actual[i])
      ? []
      : [`${JSON.stringify(input)}: TypeScript ${JSON.stringify(expected[i])}, SQL ${JSON.stringify(actual[i])}`],
  );
  assert.deepEqual(diffs, [], `${name} differs`);
}

/** The SQL expression answers as `expected` does for every input, bound as `args(input)`. */
async function assertSqlMatches<T>(
  name: string,
  expression: string,
  inputs: readonly T[],
  args: (input: T) => unknown[],
  expected: (input: T) => unknown,
): Promise<void> {
  const actual = await sqlValues(expression, inputs.map(args));
  assertSame(name, [...inputs], inputs.map(expected), actual);
}

/** Seeded random text over characters the rules treat specially. */
function randomTexts(count: number, seed: number, pieces: string[], maxPieces: number): string[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * maxPieces) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
}

const SPACES = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u0085',
];

test('iso_timestamp equals isoTimestamp: canonical, other forms, offsets, impossible dates, non-strings', async () => {
  const strings = [
    '2025-06-14T11:00:00.000Z',
    '2025-02-28T23:59:59.999Z',
    '0000-01-01T00:00:00.000Z',
    '2025-06-14',
    '2025-06-14T11:00',
    '2025-06-14 11:00:00',
    '2025-06-14T11:00:00Z',
    '2025-06-14T11:00:00.5Z',
    '2025-06-14T11:00:00.123456789Z',
    '2025-06-14T11:00:00.9999999Z',
    '2025-06-14T11:00:00+02:00',
    '2025-06-14T11:00:00-0530',
    '2025-06-14T01:00:00+05',
    '2025-01-01T00:30:00+01:00',
    '1000-01-01T00:30:00+01:00',
    '9999-12-31T23:30:00-01:00',
    '2024-02-29T12:00:00Z',
    '2025-02-29T12:00:00Z',
    '2025-02-30',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-06-00',
    '2025-06-14T24:00:00Z',
    '2025-06-14T23:60:00Z',
    '2025-06-14T23:00:60Z',
    '2025-06-14T11:00:00+24:00',
    '2025-06-14T11:00:00+02:61',
    '2025-06-14T1:00:00Z',
    '2025-06-14x',
    '2025-06-30T10:00:00.000Z',
    '2025-06-31T10:00:00.000Z',
    '2024-02-29T10:00:00.000Z',
    '2025-02-29T10:00:00.000Z',
    '0999-06-30T00:00:00.000Z',
    '2025-06-14T11:00:00 GMT+2',
    'yesterday',
    '',
    ' 2025-06-14',
    '2025-06-14T11:00:00.Z',
    '0999-06-14',
    '12025-06-14',
    '2025-6-14',
    '２０２５-06-14',
  ];
  const values: unknown[] = [...strings, 1749898800000, null, true, { t: '2025-06-14' }, ['2025-06-14']];
  await assertSqlMatches('iso_timestamp', 'iso_timestamp($1::JSON)', values, (v) => [JSON.stringify(v)], isoTimestamp);
  assert.equal(isoTimestamp('2025-06-14T11:00:00+02:00'), '2025-06-14T09:00:00.000Z');
  assert.equal(isoTimestamp('2025-06-14T11:00'), '2025-06-14T11:00:00.000Z', 'no offset: UTC, whatever the machine zone');
  assert.equal(isoTimestamp('2025-02-30'), null, 'not rolled over into March');
});

test('blocks_text equals blocksText(contentBlocks(message)): strings, blocks of every shape, non-text', async () => {
  const contents: unknown[] = [
    'plain prompt',
    '',
    [],
    [
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ],
    [
      { type: 'text', text: '' },
      { type: 'text', text: '' },
    ],
    [
      { type: 'image', source: {} },
      { type: 'text', text: 'after image' },
    ],
    [{ type: 'text', text: 5 }, { type: 'text' }, { type: 5, text: 'x' }],
    ['text', null, 3, [{ type: 'text', text: 'nested' }], { type: 'text', text: 'kept' }],
    [{ type: 'tool_result', content: 'x', text: 'no' }],
    [{ type: 'text', text: 'é\u2028😀\n"quoted"\\' }],
    42,
    null,
    { type: 'text', text: 'an object, not a list' },
    true,
  ];
  await assertSqlMatches(
    'blocks_text',
    'blocks_text($1::JSON)',
    contents,
    (c) => [JSON.stringify(c)],
    (content) => blocksText(contentBlocks({ content })),
  );
  assert.equal(await sqlValues('blocks_text(NULL::JSON)', [[]]).then((v) => v[0]), '', 'no content at all');
});

test('truncate_utf8 equals truncateUtf8 at every cut through 1- to 4-byte characters', async () => {
  const texts = [
    '',
    'abc',
    'é',
    'ééé',
    '€€€',
    '😀😀😀',
    'a😀é€b',
    'x'.repeat(2047) + '😀',
    'é'.repeat(1030),
    ...randomTexts(60, 7, ['a', 'é', '€', '😀', ' ', '\u0000'], 14),
  ];
  const cases = texts.flatMap((text) => [1, 2, 3, 4, 5, 6, 7, 2048].map((max) => [text, max] as const));
  await assertSqlMatches(
    'truncate_utf8',
    'truncate_utf8($1::VARCHAR, $2::INTEGER)',
    cases,
    ([t, m]) => [t, m],
    ([t, m]) => truncateUtf8(t, m),
  );
});

test('one_line equals oneLine: every kind of whitespace, and cuts next to characters outside the BMP', async () => {
  const texts = [
    '',
    '   ',
    'a  b',
    ' \t lead and trail \n',
    SPACES.join('x'),
    'x'.repeat(10),
    'x'.repeat(11),
    'x'.repeat(8) + '😀😀',
    'x'.repeat(9) + '😀',
    '😀'.repeat(6),
    'abc d       efgh ij',
    ...randomTexts(400, 11, ['a', 'b', '😀', 'é', ...SPACES, '  '], 16),
  ];
  const cases = texts.flatMap((text) => [10, 5, 200].map((max) => [text, max] as const));
  await assertSqlMatches(
    'one_line',
    'one_line($1::VARCHAR, $2::INTEGER)',
    cases,
    ([t, m]) => [t, m],
    ([t, m]) => oneLine(t, m),
  );
});

test('slash_command and is_typed_text equal parseSlashCommand and isTypedText', async () => {
  const texts = [
    '<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>src</command-args>',
    '<command-name>compact</command-name><command-args></command-args>',
    '  <command-name> /x </command-name>',
    '<command-name>a b</command-name>',
    '<command-name></command-name>',
    '<command-name>\u00a0/y\u2028</command-name><command-args>\u2028 args \u00a0</command-args>',
    'What does <command-name>/review</command-name> mean?',
    '<command-args>first</command-args><command-name>/z</command-name><command-args>second</command-args>',
    '<command-message>x</command-args><command-name>/w</command-name>',
    '<command-contents>a</command-contents>\n<command-name>/p:q</command-name>',
    '<command-name>/n<x</command-name>',
    '<local-command-stdout>out</local-command-stdout>',
    '[Request interrupted by user]',
    ' \u3000[Request interrupted by user for tool use]',
    '<bash-stdout></bash-stdout>',
    'hello',
    '',
    ' \n\t',
    '\ufeff',
    'plain <bash-stdout>',
    '\u200b',
    ...randomTexts(
      300,
      3,
      [
        '<command-name>',
        '</command-name>',
        '<command-args>',
        '</command-args>',
        '<command-message>',
        '</command-message>',
        '/c',
        'x',
        ' ',
        '\u00a0',
        '\n',
        '<',
        '[Request interrupted by user',
        '<bash-stderr>',
      ],
      8,
    ),
  ];
  const commands = await sqlValues(
    'slash_command($1::VARCHAR)',
    texts.map((t) => [t]),
  );
  assertSame(
    'slash_command',
    texts,
    texts.map((t) => parseSlashCommand(t)),
    commands.map((c) => (c === null ? null : { name: (c as { name: string }).name, args: (c as { args: string }).args })),
  );
  await assertSqlMatches(
    'js_trim',
    'js_trim($1::VARCHAR)',
    texts,
    (t) => [t],
    (t) => t.trim(),
  );
  await assertSqlMatches('is_typed_text', 'is_typed_text($1::VARCHAR)', texts, (t) => [t], isTypedText);
});

test('mcp_server, string_field, json_string and json_true equal their TypeScript forms', async () => {
  const names = ['mcp__github__create_issue', 'mcp__a__b__c', 'mcp____x', 'mcp__s__', 'mcp__s\n__t', 'mcp__s__t\u2028', 'Bash', 'mcp_x__y', 'mcp__😀__t'];
  await assertSqlMatches(
    'mcp_server',
    'mcp_server($1::VARCHAR)',
    names,
    (n) => [n],
    (n) => parseMcpToolName(n)?.server ?? null,
  );
  const values: unknown[] = ['id', '', 5, null, true, false, 'true', { a: 1 }, ['x']];
  const json = (v: unknown) => [JSON.stringify(v)];
  await assertSqlMatches('string_field', 'string_field($1::JSON)', values, json, (v) => stringField({ f: v }, 'f'));
  await assertSqlMatches('json_string', 'json_string($1::JSON)', values, json, (v) => (typeof v === 'string' ? v : null));
  await assertSqlMatches('json_true', 'json_true($1::JSON)', values, json, (v) => v === true);
  assert.deepEqual(await sqlValues('json_true(NULL::JSON)', [[]]), [false]);
});

test('every documented SQL function is tested here', () => {
  const source = fs.readFileSync(new URL(import.meta.url), 'utf8');
  assert.deepEqual(
    SQL_FUNCTION_NAMES.filter((name) => !source.includes(`${name}(`)),
    [],
  );
});
