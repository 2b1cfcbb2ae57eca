import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SessionFile } from '../../main/core/sessionFile.js';
import { parseProcessor } from '../../main/core/plugins/processorSchema.js';
import { tempDir } from '../helpers.js';

const entry = (path: string) => ({ path, sessionKey: 's.jsonl', group: 'u', sizeBytes: 0, mtimeMs: 0 });

async function collect(path: string, selection: readonly string[] | null) {
  const file = await SessionFile.open(entry(path));
  const records: unknown[] = [];
  for await (const r of file.records(selection)) records.push(r);
  const md5 = await file.md5();
  await file.close();
  return { records, malformed: file.malformedLines, md5, bytesRead: file.bytesRead };
}

test('a line selection parses only lines holding one of its strings; the hash still covers every byte', async () => {
  const path = join(tempDir(), 's.jsonl');
  writeFileSync(
    path,
    '{"type":"user","t":"usage of tools"}\n{"type":"assistant","usage":{"o":1}}\n{"usage":\n{"x":"\\"usage\\""}\n{"type":"system"}\n{"usage":2}',
  );
  const { records, malformed, md5, bytesRead } = await collect(path, ['"usage"']);
  assert.deepEqual(records, [{ type: 'assistant', usage: { o: 1 } }, { usage: 2 }]);
  assert.equal(malformed, 1, 'only the malformed line that was selected counts');
  assert.equal(md5, createHash('md5').update(readFileSync(path)).digest('hex'));
  assert.equal(bytesRead, readFileSync(path).length, 'one read for records and hash');
  assert.deepEqual((await collect(path, [])).records, [], 'an empty selection takes nothing');
  assert.equal((await collect(path, null)).records.length, 5, 'null takes every line');
});

test('groups of one pass: each gets its own lines and malformed count; a needle split across chunks still matches', async () => {
  const path = join(tempDir(), 's.jsonl');
  // The first line ends right after the 1 MiB chunk boundary, so "NEEDLE" straddles two reads.
  const pad = 'x'.repeat((1 << 20) - 14);
  const lines = [`{"p":"${pad}","NEEDLE":1}`, '{"other":true}', '{"NEEDLE":2,"other":true}', '{"NEEDLE":', '{"rare":1}'];
  writeFileSync(path, lines.join('\n') + '\n');
  const file = await SessionFile.open(entry(path));
  const got: unknown[][] = [[], [], []];
  const lineNos: number[][] = [[], [], []];
  for await (const batch of file.recordBatches({ groups: [['"NEEDLE"'], null, ['"rare"', '"other"']] })) {
    batch.records.forEach((records, g) => got[g].push(...records));
    batch.lineNos.forEach((numbers, g) => lineNos[g].push(...numbers));
  }
  assert.deepEqual(
    lineNos,
    [
      [1, 3],
      [1, 2, 3, 5],
      [2, 3, 5],
    ],
    'each record with its file line, across the chunk boundary and the malformed line',
  );
  await file.close();
  const keys = (records: unknown[]) => records.map((r) => Object.keys(r as object).join(','));
  assert.deepEqual(keys(got[0]), ['p,NEEDLE', 'NEEDLE,other']);
  assert.deepEqual(keys(got[1]), ['p,NEEDLE', 'other', 'NEEDLE,other', 'rare']);
  assert.deepEqual(keys(got[2]), ['other', 'NEEDLE,other', 'rare']);
  assert.deepEqual(file.malformedByGroup, [1, 1, 0]);
  assert.equal(got[0][1], got[1][2], 'groups share one parse of a line');
});

test('processor schema: linesContaining must be non-empty strings without newlines', () => {
  const base = { name: 'p', processSession: () => undefined };
  assert.deepEqual(parseProcessor({ ...base, linesContaining: ['"usage"'] }, 'p').linesContaining, ['"usage"']);
  assert.equal(parseProcessor(base, 'p').linesContaining, undefined);
  assert.throws(() => parseProcessor({ ...base, linesContaining: [''] }, 'p'), /linesContaining\.0 must not be empty/);
  assert.throws(() => parseProcessor({ ...base, linesContaining: ['a\nb'] }, 'p'), /newline/);
});

test('hash first, then parse (a changed session): a small file is read from disk once', async () => {
  const path = join(tempDir(), 's.jsonl');
  writeFileSync(path, '{"a":1}\n{"a":2}\n');
  const file = await SessionFile.open(entry(path));
  await file.md5();
  const records: unknown[] = [];
  for await (const r of file.records()) records.push(r);
  await file.close();
  assert.equal(records.length, 2);
  assert.equal(file.bytesRead, file.sizeBytes);
});
