// Packs on real folders, DuckDB files and plugin processes: settled sessions compressed together read back
// byte for byte and feed both kinds of processor; growth after packing, prune and redaction; leftovers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyArchive, archiveStatus, pruneArchive } from '../../../main/core/archive/archiveMaintenance.js';
import { BLOCK_BYTES } from '../../../main/core/archive/archivePacks.js';
import { userRecord, assistantRecord, writeSession } from '../../helpers.js';
import { archivedBytes, filesNamed, filesOnDisk, items, records, setup, GITHUB_TOKEN } from './archiveHarness.js';

const HOUR = 3600_000;

/**
 * A project's sessions quote the same files (text no session compresses alone: pseudo-random), and each
 * has lines of its own.
 */
function projectRecords(n: number, tag: string, project: number) {
  let x = project + 1;
  let file = '';
  for (let i = 0; i < 4000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    file += (x >>> 8).toString(36).slice(-1);
  }
  const out: unknown[] = [userRecord(`${tag}: read src/module${project}.ts`), assistantRecord(`the file holds ${file}`)];
  for (let i = 0; i < n; i++) out.push(i % 2 === 0 ? userRecord(`${tag} question ${i}`) : assistantRecord(`${tag} answer ${i}`));
  return out;
}

function backdate(path: string, ms: number) {
  const at = (Date.now() - ms) / 1000;
  utimesSync(path, at, at);
}

test('packs: settled sessions are packed together, read back byte for byte, and feed SQL and JavaScript processors once their source is gone', async () => {
  const s = await setup();
  const paths: string[] = [];
  for (let i = 0; i < 12; i++) paths.push(writeSession(s.root, `proj${i % 3}/s${String(i).padStart(2, '0')}.jsonl`, projectRecords(10 + i, `s${i}`, i % 3)));
  writeSession(s.root, 'proj0/fresh.jsonl', records(10, 'fresh'));
  for (const path of paths) backdate(path, 2 * HOUR);
  const reference = await s.open();
  await reference.run(['counting', 'sql-lines']);
  const live = { counting: await items(reference, 'counting'), sql: await items(reference, 'sql-lines') };
  await reference.close();

  const engine = await s.open();
  const archive = (await engine.archive())!;
  const before = await archiveStatus(archive);
  assert.equal(
    before.unpackedSettledBytes,
    paths.reduce((sum, p) => sum + statSync(p).size, 0),
    'the fresh session is not settled',
  );
  const report = await archive.compact();
  assert.deepEqual([report.versions, report.packs, report.warnings], [12, 1, []]);
  assert.equal(report.filesRemoved, 12, 'the packed sessions own data files are removed');
  const after_ = await archiveStatus(archive);
  assert.ok(after_.packedBytes < before.packedBytes / 2, `packed together: ${after_.packedBytes} bytes against ${before.packedBytes} one by one`);
  assert.deepEqual([after_.packs, after_.unpackedSettledBytes, after_.rawBytes], [1, 0, before.rawBytes]);
  assert.deepEqual(filesOnDisk(s.archive), await filesNamed(archive), 'no file left that the manifest does not name');
  const fresh1 = (await archive.manifest.versions()).find((v) => v.sessionKey === 'proj0/fresh.jsonl')!;
  assert.equal(fresh1.members[0].pack, undefined, 'a session changed within the hour stays on its own');

  const scan = await engine.scan();
  for (const v of await archive.manifest.versions()) {
    assert.deepEqual(await archivedBytes(archive.entryOf(scan.root, v)), readFileSync(join(s.root, ...v.sessionKey.split('/'))), v.sessionKey);
  }
  assert.deepEqual(await verifyArchive(archive), []);

  // Sources gone (an empty root reads as an unmounted one, so the fresh session stays), and no state: every
  // packed session is read from its pack.
  for (const path of paths) rmSync(path);
  await engine.close();
  rmSync(join(s.dir, 'state.duckdb'));
  const again = await s.open();
  after(() => again.close());
  const stats = await again.run(['counting', 'sql-lines']);
  for (const run of stats) assert.equal(run.processed, 13, `${run.processor} processed every session from the archive`);
  assert.deepEqual(await items(again, 'counting'), live.counting);
  assert.deepEqual(await items(again, 'sql-lines'), live.sql);
});

test('packs: a packed session that grows gets its new bytes in a file of its own, and the next packing moves only them', async () => {
  const s = await setup();
  const path = writeSession(s.root, 'proj/a.jsonl', projectRecords(80, 'a', 1));
  writeSession(s.root, 'proj/b.jsonl', projectRecords(50, 'b', 2));
  const engine = await s.open();
  after(() => engine.close());
  await (
    await engine.scanSessions()
  ).archiving;
  const archive = (await engine.archive())!;
  assert.equal((await archive.compact({ settledBeforeMs: Date.now() + 1 })).versions, 2);
  const [packed] = await archive.manifest.packs();

  appendFileSync(
    path,
    records(6, 'more')
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  const grown = await (await engine.scanSessions()).archiving;
  assert.deepEqual(grown?.counts, { new: 0, extended: 1, 'new-version': 0, touched: 0 });
  const [a] = (await archive.manifest.versions("session_key = 'proj/a.jsonl'")).filter((v) => v.supersededAtMs === null);
  assert.equal(a.version, 1, 'still the same version: only bytes were added');
  assert.deepEqual(
    a.members.map((m) => m.pack ?? 'own'),
    [packed.file, 'own'],
  );
  const root = (await engine.scan()).root;
  assert.deepEqual(await archivedBytes(archive.entryOf(root, a)), readFileSync(path));

  const again = await archive.compact({ settledBeforeMs: Date.now() + 1 });
  assert.deepEqual([again.versions, again.rawBytes], [1, a.members[1].rawBytes], 'only the appended bytes are packed');
  const [b] = await archive.manifest.versions("session_key = 'proj/a.jsonl'");
  assert.equal(b.members[0].pack, packed.file, 'the first pack is left as it was');
  assert.equal(b.packedBytes, 0);
  assert.deepEqual(await archivedBytes(archive.entryOf(root, b)), readFileSync(path));
  assert.deepEqual(filesOnDisk(s.archive), await filesNamed(archive));
  assert.deepEqual(await verifyArchive(archive), []);
});

test('packs: prune and redaction write the packs that held removed versions anew, so their bytes are in no file', async () => {
  const s = await setup();
  const token = GITHUB_TOKEN;
  writeSession(s.root, 'alice/secret.jsonl', [userRecord(`deploy with ${token} please`), assistantRecord('done')]);
  const goner = writeSession(s.root, 'alice/gone.jsonl', projectRecords(30, 'gone', 3));
  writeSession(s.root, 'alice/keep.jsonl', projectRecords(30, 'keep', 4));
  const engine = await s.openBuiltins();
  after(() => engine.close());
  await engine.run(['secrets']);
  rmSync(goner);
  await (
    await engine.scanSessions()
  ).archiving;
  const archive = (await engine.archive())!;
  await archive.compact({ settledBeforeMs: Date.now() + 1 });
  const [first] = await archive.manifest.packs();

  const report = await engine.redactSecrets({ all: true }, { apply: true, force: true, via: 'test' });
  assert.deepEqual(
    report.rows.map((r) => r.outcome),
    ['redacted'],
  );
  const packs = await archive.manifest.packs();
  assert.ok(!packs.some((p) => p.file === first.file), 'the pack that held the secret is gone');
  assert.deepEqual(filesOnDisk(s.archive), await filesNamed(archive));
  const root = (await engine.scan()).root;
  for (const v of await archive.manifest.versions()) {
    const bytes = await archivedBytes(archive.entryOf(root, v));
    assert.equal(bytes.includes(token), false, `${v.sessionKey} holds no secret`);
  }
  const onDisk = filesOnDisk(s.archive).map((f) => readFileSync(join(s.archive, f)));
  assert.ok(
    onDisk.every((bytes) => !bytes.includes(token)),
    'nor does any file, compressed or not',
  );

  const dry = await pruneArchive(archive, Date.now() + HOUR, false);
  assert.deepEqual(
    dry.versions.map((v) => v.sessionKey),
    ['alice/gone.jsonl'],
  );
  assert.ok(dry.packedBytes > 0, 'its share of its pack counts as freed');
  await pruneArchive(archive, Date.now() + HOUR, true);
  assert.deepEqual((await archive.manifest.versions()).map((v) => v.sessionKey).sort(), ['alice/keep.jsonl', 'alice/secret.jsonl']);
  assert.deepEqual(filesOnDisk(s.archive), await filesNamed(archive));
  assert.deepEqual(await verifyArchive(archive), []);
  const audit = await archive.manifest.db.all('SELECT action FROM archive_audit ORDER BY at_ms');
  assert.deepEqual(
    audit.map((r) => r.action),
    ['redaction', 'prune'],
  );
});

test('packs: a session bigger than a block spans blocks and reads back whole; pack leftovers of a killed packing are swept', async () => {
  const s = await setup();
  // Varied lines (a counter in each), so the session is over a block before and after compression.
  const line = (i: number) => JSON.stringify(userRecord(`line ${i} ${(i * 2654435761) % 4294967296} ${'abcdefghij'.repeat(3 + (i % 7))}`));
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < BLOCK_BYTES + (1 << 20); i++) {
    lines.push(line(i));
    size += lines[i].length + 1;
  }
  const big = join(s.root, 'proj', 'big.jsonl');
  writeSession(s.root, 'proj/big.jsonl', '');
  writeFileSync(big, `${lines.join('\n')}\n`);
  writeSession(s.root, 'proj/small.jsonl', records(4, 'small'));
  const engine = await s.open();
  after(() => engine.close());
  await (
    await engine.scanSessions()
  ).archiving;
  const archive = (await engine.archive())!;
  const packFolder = join(s.archive, (await archive.manifest.versions())[0].dataFile.split('/')[0], 'packs');
  writeSession(packFolder, 'stray.pack', 'what a packing killed before its commit left');
  await archive.compact({ settledBeforeMs: Date.now() + 1 });
  const [v] = await archive.manifest.versions("session_key = 'proj/big.jsonl'");
  assert.ok(new Set(v.members.map((m) => m.packedOffset)).size >= 2, 'its members sit in two blocks');
  assert.deepEqual(await archivedBytes(archive.entryOf((await engine.scan()).root, v)), readFileSync(big));
  assert.deepEqual(filesOnDisk(s.archive), await filesNamed(archive), 'the stray pack was swept');
  assert.deepEqual(await verifyArchive(archive), []);
});
