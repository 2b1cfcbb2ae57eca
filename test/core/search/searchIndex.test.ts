// The search index over real temp folders and a real DuckDB file: what is indexed under which role and
// line, incremental updates (changed files read again, deleted ones kept), regex errors and the time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../main/core/errors.js';
import { scanSessionRoot } from '../../../main/core/scan.js';
import { SearchIndex, type SearchQuery } from '../../../main/core/search/searchIndex.js';
import { SearchTimeoutError, caselessFragment } from '../../../main/core/search/searchQuery.js';
import { assistantRecord, tempDir, userRecord, writeSession } from '../../helpers.js';

const toolUse = (input: unknown) => ({
  type: 'assistant',
  timestamp: '2025-09-02T10:00:00.000Z',
  message: { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input }] },
});
const toolResult = (content: unknown) => ({
  type: 'user',
  timestamp: '2025-09-02T10:00:01.000Z',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content }] },
});
const thinking = (text: string) => ({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'thinking', thinking: text }] } });

async function indexed(root: string, home: string) {
  const index = await SearchIndex.open(home);
  const scan = await scanSessionRoot(root);
  const update = await index.update(scan.root, scan.sessions);
  const find = async (text: string, extra: Partial<SearchQuery> = {}) =>
    (await index.search(scan.root, { text, offset: 0, limit: 100, timeLimitMs: 30_000, ...extra })).hits;
  return { index, scan, update, find };
}

test('search: prompts, replies, thinking, tool inputs and tool results are found under their role, at their exact file line', async () => {
  const dir = tempDir('si-search-');
  const root = join(dir, 'sessions');
  const lines = [
    JSON.stringify(userRecord('Please fix the Flaky Test in parser.ts')),
    '{"type":"user", this line is broken quokka',
    '',
    JSON.stringify(assistantRecord('I will look at the quokka parser')),
    JSON.stringify(thinking('the user wants the wombat fixed')),
    JSON.stringify(toolUse({ command: 'grep -rn "numbat" src/', description: 'find it' })),
    JSON.stringify(toolResult([{ type: 'text', text: 'src/a.ts:3: const numbat = <script>alert(1)</script>' }])),
    JSON.stringify({ type: 'summary', summary: 'quokka summary is not indexed' }),
  ];
  // A byte order mark, CRLF line ends and a malformed line: line numbers are the file's, as the transcript view counts them.
  writeSession(root, 'p/s.jsonl', `\ufeff${lines.join('\r\n')}\r\n`);
  const { index, find } = await indexed(root, join(dir, 'home'));
  try {
    assert.deepEqual(
      (await find('flaky test')).map((h) => [h.lineNo, h.role, h.before, h.match, h.after]),
      [[1, 'user', 'Please fix the ', 'Flaky Test', ' in parser.ts']],
    );
    assert.deepEqual(
      (await find('quokka')).map((h) => [h.lineNo, h.role]),
      [[4, 'assistant']],
    );
    assert.deepEqual(
      (await find('WOMBAT')).map((h) => [h.lineNo, h.role]),
      [[5, 'assistant']],
    );
    assert.deepEqual(
      (await find('numbat')).map((h) => [h.lineNo, h.role, h.match]),
      [
        [6, 'tool', 'numbat'],
        [7, 'tool', 'numbat'],
      ],
    );
    assert.deepEqual(
      (await find('numbat', { roles: ['user', 'assistant'] })).map((h) => h.lineNo),
      [],
    );
    // Untrusted text comes back as text, whole, for the face to show as text.
    assert.equal((await find('<script>'))[0].after, 'alert(1)</script>');
    assert.equal((await find('find it'))[0].lineNo, 6, 'every string of a tool input is searchable');
  } finally {
    await index.close();
  }
});

test('search: an update reads only new or changed sessions; a changed one loses its old text; a deleted one stays searchable', async () => {
  const dir = tempDir('si-search-');
  const root = join(dir, 'sessions');
  const home = join(dir, 'home');
  const a = writeSession(root, 'p/a.jsonl', [userRecord('alpha aardvark')]);
  const b = writeSession(root, 'p/b.jsonl', [userRecord('beta badger')]);
  utimesSync(a, new Date('2025-01-01'), new Date('2025-01-01'));
  utimesSync(b, new Date('2025-02-01'), new Date('2025-02-01'));
  let run = await indexed(root, home);
  assert.equal(run.update.total, 2);
  assert.deepEqual(
    (await run.find('a')).map((h) => h.sessionKey),
    ['p/b.jsonl', 'p/a.jsonl'],
    'the most recently changed session first',
  );
  await run.index.close();

  run = await indexed(root, home);
  assert.equal(run.update.total, 0, 'nothing changed: nothing read');
  await run.index.close();

  writeFileSync(a, `${JSON.stringify(userRecord('alpha anteater'))}\n`);
  rmSync(b);
  run = await indexed(root, home);
  try {
    assert.equal(run.update.total, 1, 'only the changed file is read');
    assert.deepEqual(await run.find('aardvark'), [], 'text no longer in the file is no longer in the index');
    assert.deepEqual(
      (await run.find('anteater')).map((h) => h.sessionKey),
      ['p/a.jsonl'],
    );
    assert.deepEqual(
      (await run.find('badger')).map((h) => h.sessionKey),
      ['p/b.jsonl'],
      'a deleted session stays searchable',
    );
    assert.equal((await run.index.status(run.scan.root)).indexed, 2);
  } finally {
    await run.index.close();
  }
});

test('search: filters by project and day, pages with `more`', async () => {
  const dir = tempDir('si-search-');
  const root = join(dir, 'sessions');
  writeSession(root, '-home-carol-site/a.jsonl', [
    { ...userRecord('kiwi one'), cwd: '/home/carol/site', timestamp: '2025-03-01T10:00:00.000Z' },
    { ...userRecord('kiwi two'), cwd: '/home/carol/site', timestamp: '2025-03-05T10:00:00.000Z' },
  ]);
  writeSession(root, '-home-dan-api/b.jsonl', [{ ...userRecord('kiwi three'), cwd: '/home/dan/api' }]);
  const { index, find } = await indexed(root, join(dir, 'home'));
  try {
    assert.deepEqual(
      (await find('kiwi', { project: 'site' })).map((h) => h.after),
      [' one', ' two'],
    );
    assert.deepEqual(
      (await find('kiwi', { project: '-home-dan-api' })).map((h) => h.after),
      [' three'],
    );
    assert.deepEqual(await find('kiwi', { project: 'nowhere' }), []);
    assert.deepEqual(
      (await find('kiwi', { project: 'site', sinceMs: Date.parse('2025-03-02T00:00:00Z') })).map((h) => h.after),
      [' two'],
    );
    const first = await index.search((await scanSessionRoot(root)).root, { text: 'kiwi', offset: 0, limit: 2, timeLimitMs: 30_000 });
    assert.equal(first.hits.length, 2);
    assert.equal(first.more, true);
  } finally {
    await index.close();
  }
});

test('search: a regex RE2 refuses is an error naming the argument; a search past its time limit is stopped', async () => {
  const dir = tempDir('si-search-');
  const root = join(dir, 'sessions');
  const big = Array.from({ length: 400 }, (_, i) => toolResult(`${'lorem ipsum dolor sit amet '.repeat(2000)} ${i}`));
  writeSession(root, 'p/big.jsonl', big);
  const { index, find } = await indexed(root, join(dir, 'home'));
  try {
    await assert.rejects(
      find('a(b', { regex: true, argument: 'TEXT' }),
      (e: Error) => e instanceof UsageError && /^TEXT: "a\(b" is not a regular expression/.test(e.message),
    );
    assert.equal((await find('a(b')).length, 0, 'as plain text the same characters are fine');
    assert.equal((await find('ipsum [0-9]+', { regex: true })).length, 0, 'a regex is case as written and matches across the text');
    assert.equal((await find('amet  3[0-9]{2}$', { regex: true })).length, 100);
    await assert.rejects(
      find('(?i)[a-zé]{30}q', { regex: true, timeLimitMs: 1 }),
      (e: Error) => e instanceof SearchTimeoutError && /stopped at its time limit of 0.001 s/.test(e.message),
    );
    assert.equal((await find('dolor sit', { limit: 1 })).length, 1, 'the connection is usable after an interrupt');
  } finally {
    await index.close();
  }
});

test('search: the caseless fragment checked before the case-insensitive match is one every match contains', () => {
  assert.equal(caselessFragment('é 2274'), ' 2274');
  assert.equal(caselessFragment('Flaky Test'), null);
  assert.equal(caselessFragment('a.b-c/123_x'), '/123_');
  assert.equal(caselessFragment('日本語'), '日本語');
});
