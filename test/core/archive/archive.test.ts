// The archive end to end on real folders, DuckDB files and plugin processes: copies, extensions, versions,
// deleted sources read back by both kinds of processor, and the crash and bad-folder cases.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync as append } from 'node:fs';
import { join } from 'node:path';
import { SessionFile } from '../../../main/core/sessionFile.js';
import { SessionArchive } from '../../../main/core/archive/sessionArchive.js';
import { scanSessionRoot } from '../../../main/core/scan.js';
import { assistantRecord, countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../../helpers.js';
import { archivedBytes, items, md5, records, setup, GITHUB_TOKEN } from './archiveHarness.js';

test('archive: a run copies every session; a no-op rerun reads nothing; growth adds only the new bytes', async () => {
  const s = await setup();
  writeSession(s.root, 'proj/a.jsonl', records(40, 'a'));
  writeSession(s.root, 'proj/b.jsonl', records(3, 'b'));
  let engine = await s.open();
  after(() => engine.close());
  const first = await engine.scanSessions();
  assert.deepEqual((await first.archiving)?.counts, { new: 2, extended: 0, 'new-version': 0, touched: 0 });
  const sourceBytes = statSync(join(s.root, 'proj', 'a.jsonl')).size + statSync(join(s.root, 'proj', 'b.jsonl')).size;
  assert.equal((await first.archiving)?.bytesRead, sourceBytes);

  const again = await engine.scanSessions();
  assert.deepEqual((await again.archiving)?.counts, { new: 0, extended: 0, 'new-version': 0, touched: 0 });
  assert.equal((await again.archiving)?.bytesRead, 0, 'nothing changed: nothing is read');
  assert.equal((await again.archiving)?.bytesWritten, 0);

  const before = readFileSync(join(s.root, 'proj', 'a.jsonl'));
  appendFileSync(
    join(s.root, 'proj', 'a.jsonl'),
    records(5, 'more')
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  const grown = await engine.scanSessions();
  assert.deepEqual((await grown.archiving)?.counts, { new: 0, extended: 1, 'new-version': 0, touched: 0 });
  const archive = (await engine.archive())!;
  const [v] = (await archive.manifest.versions("session_key = 'proj/a.jsonl'")).filter((x) => x.supersededAtMs === null);
  assert.equal(v.version, 1);
  assert.equal(v.members.length, 2, 'the appended bytes are a member of their own');
  assert.equal(v.members[1].rawOffset, before.length);
  const now = readFileSync(join(s.root, 'proj', 'a.jsonl'));
  assert.equal(v.md5, md5(now));
  assert.deepEqual(await archivedBytes(archive.entryOf(first.root, v)), now);
  await engine.close();
  engine = await s.open(); // a new process: the manifest is read back from its file
  const reopened = await engine.scanSessions();
  assert.equal((await reopened.archiving)?.bytesRead, 0);
});

test('archive: earlier bytes that changed are kept as a new version beside the old one', async () => {
  const s = await setup();
  const path = writeSession(s.root, 'proj/a.jsonl', records(10, 'first'));
  const engine = await s.open();
  after(() => engine.close());
  await (
    await engine.scanSessions()
  ).archiving;
  const original = readFileSync(path);
  writeFileSync(path, original.toString().replace('first question 0', 'FIRST question 0'));
  const changed = await engine.scanSessions();
  assert.equal((await changed.archiving)?.counts['new-version'], 1);
  const archive = (await engine.archive())!;
  const versions = await archive.manifest.versions("session_key = 'proj/a.jsonl'");
  assert.deepEqual(
    versions.map((v) => [v.version, v.supersededAtMs === null]),
    [
      [1, false],
      [2, true],
    ],
  );
  assert.deepEqual(await archivedBytes(archive.entryOf(changed.root, versions[0])), original, 'version 1 still holds the original');
  assert.deepEqual(await archivedBytes(archive.entryOf(changed.root, versions[1])), readFileSync(path));
});

test('archive: a deleted session is marked orphaned (source gone) and a new processor still reads it from the archive, SQL and JavaScript alike', async () => {
  const s = await setup();
  writeSession(s.root, 'proj/keep.jsonl', records(6, 'keep'));
  const gonePath = writeSession(
    s.root,
    'proj/gone.jsonl',
    `\uFEFF${records(7, 'gone')
      .map((r) => JSON.stringify(r))
      .join('\r\n')}\r\nnot json\n{"type":"user","cut`,
  );
  // What both processors give over the live files is the reference.
  const reference = await s.open();
  await reference.run(['counting', 'sql-lines']);
  const live = { counting: await items(reference, 'counting'), sql: await items(reference, 'sql-lines') };
  await reference.close();

  rmSync(gonePath);
  writePlugin(s.plugins, 'counting', countingPlugin('counting', { version: '2' })); // a version bump: everything is due again
  rmSync(join(s.dir, 'state.duckdb'));
  const engine = await s.open();
  after(() => engine.close());
  const stats = await engine.run(['counting', 'sql-lines']);
  for (const run of stats) assert.equal(run.processed, 2, `${run.processor} processed both sessions`);
  assert.deepEqual(await items(engine, 'counting'), live.counting);
  assert.deepEqual(await items(engine, 'sql-lines'), live.sql);
  await (
    await engine.scanSessions()
  ).archiving; // the store knows the session now, so the next scan marks its source gone
  assert.deepEqual(await engine.store.db.all('SELECT session_file FROM orphaned_sessions'), [{ session_file: 'proj/gone.jsonl' }]);
  const listed = await engine.scanWithArchive();
  assert.equal(listed.sourceGone, 1);
  assert.deepEqual(
    listed.sessions.map((x) => [x.sessionKey, x.archived !== undefined]),
    [
      ['proj/gone.jsonl', true],
      ['proj/keep.jsonl', false],
    ],
  );
});

test('archive: bytes a killed run wrote past the manifest are dropped, and readers never see them', async () => {
  const s = await setup();
  const path = writeSession(s.root, 'proj/a.jsonl', records(10, 'a'));
  const engine = await s.open();
  after(() => engine.close());
  const scan = await engine.scanSessions();
  await scan.archiving;
  const archive = (await engine.archive())!;
  const [v] = await archive.manifest.versions();
  const dataFile = join(s.archive, v.dataFile);
  append(dataFile, Buffer.from('half a member from a run that was killed'));
  assert.deepEqual(await archivedBytes(archive.entryOf(scan.root, v)), readFileSync(path), 'the reader stops at the manifest');
  appendFileSync(
    path,
    records(2, 'b')
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  await (
    await engine.scanSessions()
  ).archiving;
  const [w] = await archive.manifest.versions();
  assert.equal(statSync(dataFile).size, w.packedBytes, 'the stray bytes were cut before the new member was written');
  assert.deepEqual(await archivedBytes(archive.entryOf(scan.root, w)), readFileSync(path));
  truncateSync(dataFile, w.packedBytes - 3);
  await assert.rejects(archivedBytes(archive.entryOf(scan.root, w)), /shorter than the archive's manifest says/);
});

test('archive: a file in place of the archive folder is a warning naming it; sessions are processed', async () => {
  const dir = tempDir();
  const notAFolder = join(dir, 'not-a-folder');
  writeFileSync(notAFolder, 'x');
  const s = await setup({ archive: join(notAFolder, 'archive') });
  writeSession(s.root, 'proj/a.jsonl', records(4, 'a'));
  const engine = await s.open();
  after(() => engine.close());
  const logs: string[] = [];
  const [stats] = await engine.run(['counting'], { log: (_level, message) => logs.push(message) });
  assert.equal(stats.processed, 1);
  assert.match(logs.join('\n'), /the archive at .*not-a-folder.* cannot be opened/);
});

test('archive: a session deleted between the scan and its copy is simply not archived', async () => {
  const s = await setup();
  const path = writeSession(s.root, 'proj/a.jsonl', records(4, 'a'));
  const scan = await scanSessionRoot(s.root);
  rmSync(path);
  const archive = await SessionArchive.open(s.archive);
  after(() => archive.close());
  const result = await (await archive.sync(scan, true)).copies;
  assert.deepEqual(result.counts, { new: 0, extended: 0, 'new-version': 0, touched: 0 });
  assert.deepEqual(result.warnings, []);
});

test('archive: a redaction leaves no copy of the secret in the archive (earlier versions removed, audited)', async () => {
  const s = await setup();
  const token = GITHUB_TOKEN;
  writeSession(s.root, 'alice/s.jsonl', [userRecord(`deploy with ${token} please`), assistantRecord('done')]);
  const engine = await s.openBuiltins();
  after(() => engine.close());
  await engine.run(['secrets']);
  const report = await engine.redactSecrets({ all: true }, { apply: true, force: true, via: 'test' });
  assert.deepEqual(
    report.rows.map((r) => r.outcome),
    ['redacted'],
  );
  const archive = (await engine.archive())!;
  const versions = await archive.manifest.versions();
  assert.equal(versions.length, 1, 'only the redacted copy is kept');
  const bytes = await archivedBytes(archive.entryOf((await engine.scan()).root, versions[0]));
  assert.equal(bytes.includes(token), false);
  assert.match(bytes.toString(), /\[REDACTED:github_token\]/);
  const [audit] = await archive.manifest.db.all("SELECT action FROM archive_audit WHERE action = 'redaction'");
  assert.equal(audit.action, 'redaction');
});

test('archive: a session over one member is split at 4 MiB and read back whole; an empty one is archived too', async () => {
  const s = await setup();
  const big = records(9000, 'big').concat([userRecord('z'.repeat(3 << 20))]);
  const bigPath = writeSession(s.root, 'proj/big.jsonl', big);
  const emptyPath = writeSession(s.root, 'proj/empty.jsonl', '');
  const engine = await s.open();
  after(() => engine.close());
  const scan = await engine.scanSessions();
  await scan.archiving;
  const archive = (await engine.archive())!;
  const [bigCopy, emptyCopy] = await archive.manifest.versions();
  const bytes = readFileSync(bigPath);
  assert.equal(bigCopy.members.length, Math.ceil(bytes.length / (4 << 20)));
  assert.equal(bigCopy.md5, md5(bytes));
  assert.deepEqual(await archivedBytes(archive.entryOf(scan.root, bigCopy)), bytes);
  assert.deepEqual([emptyCopy.rawBytes, emptyCopy.md5, emptyCopy.members.length], [0, md5(readFileSync(emptyPath)), 0]);
  // The transcript reader pages through it from a line in the middle, as from the live file.
  const entry = archive.entryOf(scan.root, bigCopy);
  const file = await SessionFile.open(entry);
  const lines: number[] = [];
  for await (const batch of file.recordBatches({ from: { lineNo: 1, byte: 0 } })) lines.push(...batch.lineNos[0]);
  await file.close();
  assert.equal(lines.length, big.length);
});
