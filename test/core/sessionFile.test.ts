import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SessionFile } from '../../main/core/sessionFile.js';
import { lineChunks } from '../../main/core/lineChunks.js';
import { tempDir } from '../helpers.js';

async function readAll(path: string) {
  const file = await SessionFile.open({ path, sessionKey: 'k.jsonl', group: 'u', sizeBytes: 0, mtimeMs: 0 });
  const records: unknown[] = [];
  for await (const r of file.records()) records.push(r);
  const md5 = await file.md5();
  await file.close();
  return { records, malformed: file.malformedLines, md5, bytesRead: file.bytesRead, size: file.sizeBytes };
}

const md5Of = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

test('records: skips blank lines, counts malformed ones, parses the rest in order', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, '{"a":1}\n\n   \n{"a":\n{"a":2}\r\n\t\r\n[1,2]\nnot json\n');
  const { records, malformed, md5 } = await readAll(path);
  assert.deepEqual(records, [{ a: 1 }, { a: 2 }, [1, 2]]);
  assert.equal(malformed, 2);
  assert.equal(md5, md5Of(path));
});

test('records: a UTF-8 BOM, CRLF endings, non-ASCII, NUL bytes inside strings and a last line without newline', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"t":"é→日本"}\r\n{"n":"a\\u0000b"}\r\n{"last":true}')]));
  const { records, malformed } = await readAll(path);
  assert.deepEqual(records, [{ t: 'é→日本' }, { n: 'a\u0000b' }, { last: true }]);
  assert.equal(malformed, 0);
});

test('records: a truncated last line (live append) is counted malformed, not fatal', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":2,"b":"cut');
  const { records, malformed } = await readAll(path);
  assert.deepEqual(records, [{ a: 1 }]);
  assert.equal(malformed, 1);
});

test('records: lines longer than the read chunk are joined across chunks', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  const big = 'x'.repeat(3 * 1024 * 1024 + 17);
  writeFileSync(path, `{"a":1}\n{"big":"${big}"}\n{"a":2}\n`);
  const { records, malformed, md5, bytesRead, size } = await readAll(path);
  assert.equal(records.length, 3);
  assert.equal((records[1] as { big: string }).big.length, big.length);
  assert.equal(malformed, 0);
  assert.equal(md5, md5Of(path));
  assert.equal(bytesRead, size); // one pass: records and hash share the read
});

test('an empty file has no records and the MD5 of nothing', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, '');
  const { records, md5 } = await readAll(path);
  assert.deepEqual(records, []);
  assert.equal(md5, createHash('md5').digest('hex'));
});

test('the size is fixed when opened: content appended afterwards is neither parsed nor hashed', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, '{"a":1}\n');
  const before = md5Of(path);
  const file = await SessionFile.open({ path, sessionKey: 's.jsonl', group: 'u', sizeBytes: 0, mtimeMs: 0 });
  appendFileSync(path, '{"a":2}\n');
  const records: unknown[] = [];
  for await (const r of file.records()) records.push(r);
  assert.deepEqual(records, [{ a: 1 }]);
  assert.equal(await file.md5(), before);
  await file.close();
});

test('md5() without a records pass reads the file once; a second records pass does not re-hash', async () => {
  const dir = tempDir();
  const path = join(dir, 's.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":2}\n');
  const file = await SessionFile.open({ path, sessionKey: 's.jsonl', group: 'u', sizeBytes: 0, mtimeMs: 0 });
  assert.equal(await file.md5(), md5Of(path));
  assert.equal(file.bytesRead, file.sizeBytes);
  let n = 0;
  for await (const _ of file.records()) n++;
  assert.equal(n, 2);
  assert.equal(await file.md5(), md5Of(path));
  await file.close();
});

test('lineChunks: whole lines with the number of their first line, a BOM dropped, an over-long line left out, the hash of every byte', async () => {
  const dir = tempDir();
  const path = join(dir, 'chunks.jsonl');
  // Over 4 MiB, so it is read in 1 MiB chunks and the long lines span them, as in a big session.
  const lines = [
    '\ufeff{"n":1}',
    '{"n":2}',
    '',
    `{"n":4,"pad":"${'x'.repeat(1_400_000)}"}`,
    '{"n":5}',
    `{"long":"${'y'.repeat(3_000_000)}"}`,
    '{"n":7}',
    '{"n":8',
  ];
  writeFileSync(path, lines.join('\n'));
  const file = await SessionFile.open({ path, sessionKey: 'k.jsonl', group: 'u', sizeBytes: 0, mtimeMs: 0 });
  const got: { line: number; text: string | null }[] = [];
  try {
    // Tiny chunks (20 bytes) and a 1.5 MB line limit, so that every boundary case happens in a small file.
    for await (const chunk of lineChunks(file, 20, 1_500_000)) {
      if (chunk.oversized) got.push({ line: chunk.firstLine, text: null });
      else
        chunk.bytes
          .toString('utf8')
          .split('\n')
          .forEach((text, i, all) => (i < all.length - 1 || text !== '' ? got.push({ line: chunk.firstLine + i, text }) : undefined));
    }
    assert.equal(await file.md5(), md5Of(path));
  } finally {
    await file.close();
  }
  assert.deepEqual(got, [
    { line: 1, text: '{"n":1}' },
    { line: 2, text: '{"n":2}' },
    { line: 3, text: '' },
    { line: 4, text: lines[3] },
    { line: 5, text: '{"n":5}' },
    { line: 6, text: null },
    { line: 7, text: '{"n":7}' },
    { line: 8, text: '{"n":8' },
  ]);
});
