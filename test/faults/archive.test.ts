// The archive under crashes and a full disk: a SIGKILL at any moment leaves every archived session readable
// and equal to a prefix of its source, and the next run completes it; a full archive disk is reported, leaves
// what was archived intact, and processing completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionArchive } from '../../main/core/archive/sessionArchive.js';
import { SessionFile } from '../../main/core/sessionFile.js';
import { runCli, tempDir, userRecord } from '../helpers.js';
import { runAndKill } from './processes.js';
import { seeded, writeCorpus } from './corpus.js';
import { filesNamed, filesOnDisk } from '../core/archive/archiveHarness.js';

const KILLS = 12;
const SESSIONS = 150;

/** Every archived session read back: it must equal the start of its source file (which may have grown since). */
async function checkPrefixes(archiveDir: string, root: string): Promise<number> {
  const archive = await SessionArchive.open(archiveDir);
  try {
    const [rootReal] = (await archive.manifest.db.all('SELECT DISTINCT root FROM archived_sessions')).map((r) => String(r.root));
    if (rootReal === undefined) return 0;
    const current = await archive.current(rootReal);
    for (const v of current.values()) {
      const file = await SessionFile.open(archive.entryOf(rootReal, v));
      const copy = Buffer.from(file.readAll());
      await file.close();
      const source = readFileSync(join(root, ...v.sessionKey.split('/')));
      assert.ok(copy.length <= source.length && source.subarray(0, copy.length).equals(copy), `${v.sessionKey}: the copy is a prefix of its source`);
    }
    return current.size;
  } finally {
    await archive.close();
  }
}

test(`archive: ${KILLS} SIGKILLs while archiving, sessions growing between them, leave prefixes only; the next run completes every copy`, async () => {
  const dir = tempDir('si-archive-crash-');
  const root = join(dir, 'sessions');
  const archive = join(dir, 'archive');
  writeCorpus(root, SESSIONS, 11);
  const random = seeded(5);
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const args = ['run', '--processor', 'summary', '--sessions', root, '--state', join(dir, 'state.duckdb'), '--archive', archive];
  const sessions = execFileSync('find', [root, '-name', '*.jsonl']).toString().trim().split('\n').sort();
  let killed = 0;
  for (let i = 0; i < KILLS; i++) {
    if ((await runAndKill(args, env, 250 + Math.floor(random() * 900))) === 'killed') killed++;
    await checkPrefixes(archive, root);
    // Claude Code appends while nobody is looking: the next run must extend, never mix up, these copies.
    for (const path of sessions.filter(() => random() < 0.2)) appendFileSync(path, `${JSON.stringify(userRecord(`appended ${i}`))}\n`);
  }
  assert.ok(killed >= KILLS / 2, `most runs were killed mid-way (${killed} of ${KILLS})`);
  const finish = await runCli(args, { env });
  assert.equal(finish.code, 0, finish.stderr);
  assert.equal(await checkPrefixes(archive, root), sessions.length);
  const check = await SessionArchive.open(archive);
  try {
    const [row] = await check.manifest.db.all('SELECT DISTINCT root FROM archived_sessions');
    for (const v of (await check.current(String(row.root))).values()) {
      const source = readFileSync(join(root, ...v.sessionKey.split('/')));
      assert.equal(v.rawBytes, source.length, `${v.sessionKey} is archived whole`);
    }
  } finally {
    await check.close();
  }
  const verify = await runCli(['archive', 'verify', '--archive', archive]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

test('archive: a full disk stops archiving with a warning; what was archived stays intact; every session is processed', async (t) => {
  const dir = tempDir('si-archive-full-');
  const mount = join(dir, 'small');
  mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    return t.skip('cannot mount a small tmpfs here (needs root and a kernel that allows it): the full-disk case is not exercised');
  }
  try {
    const root = join(dir, 'sessions');
    // Text that does not compress: more than the 2 MB disk holds, even packed.
    const random = seeded(9);
    const noise = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 36 ** 6).toString(36)).join(' ');
    for (let i = 0; i < 30; i++) {
      const path = join(root, 'proj', `s${String(i).padStart(2, '0')}.jsonl`);
      mkdirSync(join(root, 'proj'), { recursive: true });
      appendFileSync(path, `${JSON.stringify(userRecord(noise(25_000)))}\n`);
    }
    const archive = join(mount, 'archive');
    const run = await runCli(['run', '--processor', 'summary', '--sessions', root, '--state', join(dir, 'state.duckdb'), '--archive', archive, '--json'], {
      env: { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout)[0].processed, 30, 'every session processed');
    assert.match(run.stderr, /archiv.*(ENOSPC|No space left|cannot be written|failed)/i);
    const archived = await checkPrefixes(archive, root).catch((error: Error) => {
      throw new Error(`the archive cannot be read after the disk filled: ${error.message}`);
    });
    assert.ok(archived > 0 && archived < 30, `some sessions were archived before the disk filled (${archived})`);
    const verify = await runCli(['archive', 'verify', '--archive', archive]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  } finally {
    execFileSync('umount', [mount]);
  }
});

test(`archive: ${KILLS} SIGKILLs while packing, sessions growing between them, leave every copy readable; the next packing sweeps what they left`, async () => {
  const dir = tempDir('si-archive-pack-crash-');
  const root = join(dir, 'sessions');
  const archive = join(dir, 'archive');
  writeCorpus(root, SESSIONS, 13);
  const random = seeded(9);
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const run = ['run', '--processor', 'summary', '--sessions', root, '--state', join(dir, 'state.duckdb'), '--archive', archive];
  const compact = ['archive', 'compact', '--all', '--archive', archive];
  const sessions = execFileSync('find', [root, '-name', '*.jsonl']).toString().trim().split('\n').sort();
  let killed = 0;
  let leftovers = 0;
  for (let i = 0; i < KILLS; i++) {
    // New tails for packed sessions, and new sessions of text that packs slowly, for each packing to move.
    for (const path of sessions.filter(() => random() < 0.3)) appendFileSync(path, `${JSON.stringify(userRecord(`appended ${i}`))}\n`);
    for (let n = 0; n < 2; n++) {
      const lines = Array.from({ length: 3000 }, (_, j) => JSON.stringify(userRecord(`${i}.${n}.${j} ${random().toString(36)} ${random().toString(36)}`)));
      mkdirSync(join(root, 'grown'), { recursive: true });
      appendFileSync(join(root, 'grown', `s${i}-${n}.jsonl`), `${lines.join('\n')}\n`);
    }
    assert.equal((await runCli(run, { env })).code, 0);
    if ((await runAndKill(compact, env, 150 + Math.floor(random() * 450))) === 'killed') killed++;
    await checkPrefixes(archive, root);
    const verify = await runCli(['archive', 'verify', '--archive', archive]);
    assert.equal(verify.code, 0, `after kill ${i + 1}: ${verify.stdout}${verify.stderr}`);
    const check = await SessionArchive.open(archive);
    if (filesOnDisk(archive).join() !== (await filesNamed(check)).join()) leftovers++;
    await check.close();
  }
  // How many kills landed between a pack's writing and the removal of what it replaced (timing decides).
  process.stdout.write(`packing: ${killed} of ${KILLS} killed, ${leftovers} left files behind\n`);
  assert.ok(killed >= KILLS / 3, `packings were killed mid-way (${killed} of ${KILLS})`);
  const finish = await runCli(compact, { env });
  assert.equal(finish.code, 0, finish.stderr);
  assert.equal(await checkPrefixes(archive, root), sessions.length + 2 * KILLS);
  const check = await SessionArchive.open(archive);
  try {
    assert.deepEqual(filesOnDisk(archive), await filesNamed(check), 'no file is left that the manifest does not name');
    const [row] = await check.manifest.db.all('SELECT count(*) AS own FROM archived_sessions WHERE packed_bytes > 0');
    assert.equal(Number(row.own), 0, 'everything is packed');
  } finally {
    await check.close();
  }
});
