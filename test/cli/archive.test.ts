// The `archive` commands through the real CLI, over a real archive that `run` filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assistantRecord, runCli, tempDir, userRecord, writeSession } from '../helpers.js';
import { writeSettledSessions } from '../core/archive/archiveHarness.js';
import { BLOCK_BYTES } from '../../main/core/archive/archivePacks.js';

function setup() {
  const dir = tempDir();
  const root = join(dir, 'sessions');
  const archive = join(dir, 'archive');
  const state = join(dir, 'state.duckdb');
  const a = writeSession(root, 'proj/a.jsonl', [userRecord('first'), assistantRecord('one')]);
  const b = writeSession(root, 'proj/b.jsonl', [userRecord('second'), assistantRecord('two')]);
  return { dir, root, archive, state, a, b, flags: ['--sessions', root, '--state', state, '--archive', archive] };
}

test('archive CLI: run archives, status counts, a deleted session is exported back byte for byte with its mtime', async () => {
  const s = setup();
  const run = await runCli(['run', '--processor', 'summary', ...s.flags]);
  assert.equal(run.code, 0, run.stderr);
  const original = readFileSync(s.b);
  const mtime = statSync(s.b).mtimeMs;
  rmSync(s.b);
  assert.equal((await runCli(['run', '--processor', 'summary', ...s.flags])).code, 0);
  const status = await runCli(['archive', 'status', '--archive', s.archive, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout);
  assert.deepEqual([parsed.sessions, parsed.versions, parsed.sourceGone], [2, 2, 1]);
  assert.ok(parsed.packedBytes > 0 && parsed.ratio > 0);

  const target = join(s.dir, 'restored');
  const exported = await runCli(['archive', 'export', target, '--archive', s.archive, '--sessions', s.root]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /2 written, 0 already there/);
  assert.deepEqual(readFileSync(join(target, 'proj', 'b.jsonl')), original);
  assert.ok(Math.abs(statSync(join(target, 'proj', 'b.jsonl')).mtimeMs - mtime) < 0.01, 'the mtime it had');
  const again = await runCli(['archive', 'export', target, '--archive', s.archive, '--sessions', s.root]);
  assert.match(again.stdout, /0 written, 2 already there/);
});

test('archive CLI: verify names a damaged session and exits 1; prune is a dry run unless --apply; a bad date exits 2 naming --before', async () => {
  const s = setup();
  assert.equal((await runCli(['run', '--processor', 'summary', ...s.flags])).code, 0);
  const intact = await runCli(['archive', 'verify', '--archive', s.archive]);
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /archive intact/);

  const files = JSON.parse((await runCli(['archive', 'status', '--archive', s.archive, '--json'])).stdout);
  assert.equal(files.sessions, 2);
  const { execFileSync } = await import('node:child_process');
  const dataFiles = execFileSync('find', [s.archive, '-name', '*.br']).toString().trim().split('\n').sort();
  const damaged = dataFiles[0];
  const bytes = readFileSync(damaged);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(damaged, bytes);
  const verify = await runCli(['archive', 'verify', '--archive', s.archive, '--json']);
  assert.equal(verify.code, 1);
  const report = JSON.parse(verify.stdout);
  assert.equal(report.damaged.length, 1);
  assert.equal(report.damaged[0].sessionKey, 'proj/a.jsonl');

  rmSync(s.b);
  assert.equal((await runCli(['run', '--processor', 'summary', ...s.flags])).code, 0);
  const dry = await runCli(['archive', 'prune', '--before', '2999-01-01', '--archive', s.archive]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /proj\/b\.jsonl/);
  assert.match(dry.stdout, /would remove \(dry run: add --apply\): 1 version/);
  const applied = await runCli(['archive', 'prune', '--before', '2999-01-01', '--apply', '--archive', s.archive, '--json']);
  assert.equal(JSON.parse(applied.stdout).versions.length, 1);
  assert.equal(JSON.parse((await runCli(['archive', 'status', '--archive', s.archive, '--json'])).stdout).sessions, 1);

  const bad = await runCli(['archive', 'prune', '--before', 'last tuesday', '--archive', s.archive]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--before/);
});

test('archive CLI: --no-archive writes no archive; a file where the folder should be is a warning in status', async () => {
  const s = setup();
  const home = join(s.dir, 'home');
  const off = await runCli(['run', '--processor', 'summary', '--no-archive', ...s.flags.slice(0, 4)], { env: { SESSION_INSPECTOR_HOME: home } });
  assert.equal(off.code, 0, off.stderr);
  assert.throws(() => statSync(join(home, 'archive')), 'no archive in the data folder');
  const on = await runCli(['run', '--processor', 'summary', ...s.flags.slice(0, 4)], { env: { SESSION_INSPECTOR_HOME: home } });
  assert.equal(on.code, 0, on.stderr);
  assert.ok(statSync(join(home, 'archive', 'archive.duckdb')).isFile(), 'on by default, in the data folder');
  const blocker = join(s.dir, 'blocker');
  writeFileSync(blocker, 'not a folder');
  const status = await runCli(['status', '--sessions', s.root, '--state', s.state, '--archive', join(blocker, 'archive')]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stderr, /warning: the archive at .*blocker.* cannot be opened/);
});

test('archive CLI: compact packs only settled sessions unless --all; export and verify read packs; a damaged block names every session in it', async () => {
  const s = setup();
  assert.equal((await runCli(['run', '--processor', 'summary', ...s.flags])).code, 0);
  const none = await runCli(['archive', 'compact', '--archive', s.archive]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /packed 0 session version\(s\)/, 'both sessions changed within the hour');
  const all = await runCli(['archive', 'compact', '--all', '--archive', s.archive, '--json']);
  assert.equal(all.code, 0, all.stderr);
  const report = JSON.parse(all.stdout);
  assert.deepEqual([report.versions, report.packs, report.warnings], [2, 1, []]);
  const status = JSON.parse((await runCli(['archive', 'status', '--archive', s.archive, '--json'])).stdout);
  assert.deepEqual([status.packs, status.unpackedSettledBytes, status.packedBytes], [1, 0, report.packedBytes]);
  assert.match((await runCli(['archive', 'status', '--archive', s.archive])).stdout, /│ packs │/);
  assert.match((await runCli(['archive', 'verify', '--archive', s.archive])).stdout, /archive intact/);

  const original = readFileSync(s.a);
  rmSync(s.a);
  const target = join(s.dir, 'restored');
  assert.equal((await runCli(['archive', 'export', target, '--archive', s.archive, '--sessions', s.root])).code, 0);
  assert.deepEqual(readFileSync(join(target, 'proj', 'a.jsonl')), original);

  const { execFileSync } = await import('node:child_process');
  const [pack] = execFileSync('find', [s.archive, '-name', '*.pack']).toString().trim().split('\n');
  const bytes = readFileSync(pack);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(pack, bytes);
  const verify = await runCli(['archive', 'verify', '--archive', s.archive, '--json']);
  assert.equal(verify.code, 1);
  assert.deepEqual(
    JSON.parse(verify.stdout).damaged.map((d: { sessionKey: string }) => d.sessionKey),
    ['proj/a.jsonl', 'proj/b.jsonl'],
  );
});

test('archive CLI: run says when a block of settled sessions waits to be packed (not with --json); after compact it says nothing', async () => {
  const s = setup();
  writeSettledSessions(s.root, BLOCK_BYTES + (1 << 20));
  const json = await runCli(['run', '--processor', 'summary', '--json', ...s.flags]);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stderr, /not packed yet/, 'JSON output is for machines');
  const run = await runCli(['run', '--processor', 'summary', ...s.flags]);
  assert.match(run.stderr, /note: the archive holds \d+ MB of settled sessions not packed yet: `session-inspector archive compact`/);
  assert.equal((await runCli(['archive', 'compact', '--archive', s.archive])).code, 0);
  const again = await runCli(['run', '--processor', 'summary', ...s.flags]);
  assert.doesNotMatch(again.stderr, /not packed yet/);
});
