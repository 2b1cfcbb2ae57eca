// The transcript view's reader (main/api/transcript.ts over SessionFile and lineIndex.ts): the runner's
// line numbers on hostile files, pages that start anywhere in a big session without reading it from the
// start again, and long texts sent whole so "show all" shows all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscript } from '../../main/api/transcript.js';
import { lineStartBefore } from '../../main/core/lineIndex.js';
import { SessionFile } from '../../main/core/sessionFile.js';
import { tempDir } from '../helpers.js';

const user = (text: string) => JSON.stringify({ type: 'user', uuid: `u-${text.slice(0, 12)}`, message: { role: 'user', content: text } });
const entry = (path: string) => ({ path, sessionKey: 'x.jsonl', group: 'x', sizeBytes: 0, mtimeMs: 0 });
const open = (path: string) => SessionFile.open(entry(path));

test('transcript: the line numbers every processor uses, on a file with a BOM, CRLF, blank and malformed lines', async () => {
  const path = join(tempDir('si-transcript-'), 's.jsonl');
  writeFileSync(path, `\uFEFF${user('one')}\r\n\n{not json\n${user('four')}\n   \n${user('six')}`);
  const page = await readTranscript(entry(path), 1, 100);
  assert.deepEqual(
    page.entries.map((e) => [e.line, e.text]),
    [
      [1, 'one'],
      [4, 'four'],
      [6, 'six'],
    ],
  );
  assert.equal(page.malformedLines, 1);
  assert.equal(page.nextLine, null);

  const runner: number[] = [];
  const file = await open(path);
  for await (const record of file.records()) if (record) runner.push(file.lineNo);
  await file.close();
  assert.deepEqual(runner, [1, 4, 6], "the processors' line_no");

  const second = await readTranscript(entry(path), 2, 1);
  assert.deepEqual([second.entries.map((e) => e.line), second.nextLine, second.malformedLines], [[4], 6, 1]);
});

test('transcript: a page anywhere in a big session starts near its line, and equals reading from the start', async () => {
  const path = join(tempDir('si-transcript-big-'), 'big.jsonl');
  const lines: string[] = [];
  // ~25 MB: lines of varying length, every 97th malformed, every 89th blank.
  for (let i = 1; i <= 12_000; i++) {
    if (i % 97 === 0) lines.push('{"broken":');
    else if (i % 89 === 0) lines.push('');
    else lines.push(user(`line ${i} ${'x'.repeat((i * 7919) % 4000)}`));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);

  const file = await open(path);
  const start = await lineStartBefore(file, 11_000);
  assert.ok(start.lineNo <= 11_000 && start.lineNo > 9_000, `a checkpoint close before line 11,000 (${start.lineNo})`);
  const expectedByte = Buffer.byteLength(
    lines
      .slice(0, start.lineNo - 1)
      .map((l) => `${l}\n`)
      .join(''),
  );
  assert.equal(start.byte, expectedByte, 'the checkpoint is where its line starts');
  let first: number | null = null;
  for await (const batch of file.recordBatches({ from: start })) {
    first ??= batch.lineNos[0][0];
    break;
  }
  assert.equal(first, start.lineNo);
  assert.ok(file.bytesRead <= 2 * file.sizeBytes, 'the index is one pass');
  const before = file.bytesRead;
  await lineStartBefore(file, 11_500);
  assert.equal(file.bytesRead, before, 'remembered: no second pass over the file');
  await file.close();

  for (const from of [1, 3_333, 8_190, 11_000, 11_990]) {
    const page = await readTranscript(entry(path), from, 50);
    const expected: [number, string][] = [];
    let malformed = 0;
    for (let i = from; i <= lines.length && expected.length < 50; i++) {
      if (i % 97 === 0) malformed++;
      else if (i % 89 !== 0) expected.push([i, JSON.parse(lines[i - 1]).message.content]);
    }
    assert.deepEqual(
      page.entries.map((e) => [e.line, e.text]),
      expected,
      `page from line ${from}`,
    );
    assert.equal(page.malformedLines, malformed, `malformed lines on the page from ${from}`);
  }
});

test('transcript: a long text is sent whole, so "show all" shows all; a huge one is cut, saying how much is left', async () => {
  const path = join(tempDir('si-transcript-long-'), 'long.jsonl');
  const long = 'a'.repeat(60_000);
  const huge = 'b'.repeat(1_200_000);
  writeFileSync(path, `${user(long)}\n${user(huge)}\n`);
  const page = await readTranscript(entry(path), 1, 10);
  assert.equal(page.entries[0].text, long);
  assert.equal(page.entries[1].text.length < huge.length, true);
  assert.match(page.entries[1].text, /… \(200000 more characters, in the file\)$/);
});
