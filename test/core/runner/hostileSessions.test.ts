import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingPlugin, tempDir, writeSession } from '../../helpers.js';
import { Harness } from '../harness.js';

const good = '{"type":"user","message":{"content":"hi"}}';

/** Each hostile transcript, what the counting processor must see, and how many lines are malformed. */
const cases: { key: string; content: string | Buffer; records: number; malformed: number }[] = [
  { key: 'h/empty.jsonl', content: '', records: 0, malformed: 0 },
  { key: 'h/blank-lines.jsonl', content: '\n\n  \n\t\n\r\n', records: 0, malformed: 0 },
  { key: 'h/truncated-tail.jsonl', content: `${good}\n{"type":"assistant","mess`, records: 1, malformed: 1 },
  { key: 'h/malformed-between.jsonl', content: `${good}\nnot json\n{"a":\n${good}\n]\n`, records: 2, malformed: 3 },
  {
    key: 'h/invalid-utf8.jsonl',
    content: Buffer.concat([Buffer.from('{"type":"user","t":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}\n')]),
    records: 1,
    malformed: 0,
  },
  { key: 'h/lone-surrogates.jsonl', content: '{"type":"user","t":"\\ud83d x \\udc00"}\n', records: 1, malformed: 0 },
  { key: 'h/bom.jsonl', content: `\ufeff${good}\n${good}\n`, records: 2, malformed: 0 },
  { key: 'h/crlf.jsonl', content: `${good}\r\n${good}\r\n`, records: 2, malformed: 0 },
  { key: 'h/nul-bytes.jsonl', content: `${good}\n{"type":"user","t":"a\u0000b"}\n\u0000\u0000\n${good}\n`, records: 2, malformed: 2 },
  { key: 'h/deep-nesting.jsonl', content: `${'['.repeat(100_000)}${']'.repeat(100_000)}\n${good}\n`, records: 2, malformed: 0 },
  { key: 'h/not-objects.jsonl', content: '1\n"text"\nnull\ntrue\n[1,2]\n', records: 5, malformed: 0 },
  { key: 'h/ünïcödé 日本語 🎉.jsonl', content: `${good}\n`, records: 1, malformed: 0 },
  { key: `h/${'l'.repeat(240)}.jsonl`, content: `${good}\n`, records: 1, malformed: 0 },
];

test('hostile transcripts: each is processed or fails alone, with malformed lines counted, never stopping the run', async () => {
  const h = new Harness().plugin('count', countingPlugin('count'));
  for (const c of cases) writeSession(h.root, c.key, typeof c.content === 'string' ? c.content : c.content.toString('latin1'));
  // binary content must be written byte for byte
  writeFileSync(join(h.root, 'h', 'invalid-utf8.jsonl'), cases.find((c) => c.key === 'h/invalid-utf8.jsonl')!.content);
  mkdirSync(join(h.root, 'h', 'a-folder.jsonl')); // a directory named like a session
  const outside = tempDir();
  writeSession(outside, 'secret.jsonl', `${good}\n`);
  symlinkSync(join(outside, 'secret.jsonl'), join(h.root, 'h', 'link-out.jsonl'));
  symlinkSync(h.root, join(h.root, 'h', 'loop'));
  const stats = await h.run('count');
  assert.deepEqual([stats.scanned, stats.processed, stats.errors], [cases.length, cases.length, 0], JSON.stringify(stats.errors_detail));
  const rows = await h.rows('SELECT session_file, items_extracted FROM session_processor_state');
  const counts = new Map(rows.map((r) => [String(r.session_file), Number(r.items_extracted)]));
  for (const c of cases) assert.equal(counts.get(c.key), c.records, c.key);
  assert.equal(
    stats.malformed_lines,
    cases.reduce((n, c) => n + c.malformed, 0),
  );
  console.log(`hostile sessions: ${cases.length + 3} tried, ${cases.length} processed, 3 correctly not sessions (folder, link out, loop), 0 lost`);
});

test('the built-in processors survive the same transcripts (deep nesting may fail a processor alone, with its reason)', async () => {
  const h = new Harness();
  for (const c of cases) writeSession(h.root, c.key, typeof c.content === 'string' ? c.content : c.content.toString('latin1'));
  const engine = await (
    await import('../../../main/core/engine.js')
  ).Engine.open({ state: h.db, sessions: h.root, builtins: true, pluginProcesses: 2, home: join(h.dir, 'home') });
  try {
    const stats = await engine.run([]);
    for (const s of stats) {
      assert.equal(s.processed + s.errors, cases.length, s.processor);
      for (const e of s.errors_detail) assert.match(e.error, /\S/, `${s.processor} ${e.session} has a reason`);
    }
    const total = stats.reduce((n, s) => n + s.processed, 0);
    assert.ok(total >= stats.length * (cases.length - 1), `nearly everything processed (${total})`);
  } finally {
    await engine.close();
  }
});

test('a session truncated between the scan and the read is processed as it is when opened', async () => {
  const h = new Harness().plugin('count', countingPlugin('count'));
  const file = writeSession(h.root, 'a/shrinks.jsonl', `${good}\n${good}\n${good}\n`);
  const engine = await h.open();
  const { sessions } = await engine.scan();
  truncateSync(file, good.length + 1);
  const [processor] = await engine.processors(['count']);
  const stats = await engine.runner.run(processor, sessions);
  assert.deepEqual([stats.processed, stats.errors, stats.items_extracted], [1, 0, 1]);
});
