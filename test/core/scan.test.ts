import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { homedir } from 'node:os';
import { scanSessionRoot } from '../../main/core/scan.js';
import { defaultSessionRoot, defaultStateTarget } from '../../main/core/paths.js';
import { UsageError } from '../../main/core/errors.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir, writeSession } from '../helpers.js';

test('finds every *.jsonl recursively with /-separated keys and the first segment as its group', async () => {
  const root = tempDir();
  writeSession(root, 'alice/a.jsonl', '{}\n');
  writeSession(root, 'alice/a/subagents/agent-1.jsonl', '{}\n');
  writeSession(root, 'bob/b.jsonl', '');
  writeSession(root, 'top.jsonl', '{}\n');
  writeSession(root, 'bob/notes.txt', 'x');
  writeSession(root, 'bob/b.jsonl.bak', 'x');
  mkdirSync(join(root, 'bob', 'dir.jsonl')); // a folder named like a session is not a session
  const { sessions } = await scanSessionRoot(root);
  assert.deepEqual(
    sessions.map((s) => [s.sessionKey, s.group]),
    [
      ['alice/a.jsonl', 'alice'],
      ['alice/a/subagents/agent-1.jsonl', 'alice'],
      ['bob/b.jsonl', 'bob'],
      ['top.jsonl', basename(root)],
    ],
  );
  assert.equal(sessions[0].sizeBytes, 3);
  assert.ok(sessions[0].mtimeMs > 0);
});

test('never follows links: not out of the root, not into a loop, not to files inside', async () => {
  const root = tempDir();
  const outside = tempDir();
  writeSession(outside, 'secret/s.jsonl', '{}\n');
  writeSession(root, 'alice/a.jsonl', '{}\n');
  symlinkSync(join(outside, 'secret'), join(root, 'escape'));
  symlinkSync(root, join(root, 'alice', 'loop'));
  symlinkSync(join(root, 'alice', 'a.jsonl'), join(root, 'alice', 'alias.jsonl'));
  const result = await scanSessionRoot(root);
  assert.deepEqual(
    result.sessions.map((s) => s.sessionKey),
    ['alice/a.jsonl'],
  );
  assert.equal(result.skippedLinks, 3);
});

test('the root itself may be a link', async () => {
  const real = tempDir();
  const links = tempDir();
  writeSession(real, 'alice/a.jsonl', '{}\n');
  symlinkSync(real, join(links, 'projects'));
  const { sessions } = await scanSessionRoot(join(links, 'projects'));
  assert.deepEqual(
    sessions.map((s) => s.sessionKey),
    ['alice/a.jsonl'],
  );
});

test('a missing root or a file as root is a clear usage error', async () => {
  const dir = tempDir();
  await assert.rejects(scanSessionRoot(join(dir, 'nope')), (e: Error) => e instanceof UsageError && /nope does not exist/.test(e.message));
  writeFileSync(join(dir, 'file'), '');
  await assert.rejects(scanSessionRoot(join(dir, 'file')), (e: Error) => e instanceof UsageError && /is not a folder/.test(e.message));
});

/**
 * Scans `root` as an ordinary user: as root, permissions are not enforced, so the check runs the scan in a
 * child process that drops to uid/gid 65534 (nobody).
 */
async function scanAsUser(root: string): Promise<{ sessions?: string[]; warnings?: string[]; error?: string }> {
  const scanUrl = pathToFileURL(join(repoRoot, 'dist', 'main', 'core', 'scan.js')).href;
  const code = `const { scanSessionRoot } = await import(${JSON.stringify(scanUrl)});
    try {
      const r = await scanSessionRoot(process.argv[1]);
      console.log(JSON.stringify({ sessions: r.sessions.map((s) => s.sessionKey), warnings: r.warnings }));
    }
    catch (e) { console.log(JSON.stringify({ error: e.message })); }`;
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code, root], asNobody);
  return JSON.parse(stdout) as { sessions?: string[]; warnings?: string[]; error?: string };
}

/**
 * Why the check cannot run here, or false: as root it runs as nobody, who must be able to read the compiled
 * scan module; a checkout in a folder other users cannot enter (a `mktemp -d` folder, /root) hides it.
 */
async function unprivilegedScanUnavailable(): Promise<string | false> {
  if (process.getuid?.() !== 0) return false;
  const scan = join(repoRoot, 'dist', 'main', 'core', 'scan.js');
  try {
    await promisify(execFile)(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(scan)}, require('fs').constants.R_OK)`], {
      uid: 65534,
      gid: 65534,
    });
    return false;
  } catch {
    return `the checkout (${repoRoot}) cannot be read by other users, so the scan cannot run as an unprivileged user here`;
  }
}

test('an unreadable subfolder is skipped with a warning; an unreadable root is a usage error', async (t) => {
  const unavailable = await unprivilegedScanUnavailable();
  if (unavailable) return t.skip(unavailable);
  const base = tempDir();
  chmodSync(base, 0o755);
  const root = join(base, 'root');
  writeSession(root, 'alice/a.jsonl', '{}\n');
  writeSession(root, 'locked/b.jsonl', '{}\n');
  for (const dir of [root, join(root, 'alice')]) chmodSync(dir, 0o755);
  chmodSync(join(root, 'alice', 'a.jsonl'), 0o644);
  chmodSync(join(root, 'locked'), 0o000);
  try {
    const result = await scanAsUser(root);
    assert.deepEqual(result.sessions, ['alice/a.jsonl']);
    assert.match(result.warnings![0], /skipped folder .*locked: .*permission denied/);
    chmodSync(root, 0o000);
    const refused = await scanAsUser(root);
    assert.match(refused.error!, /session root .*root cannot be read: permission denied/);
  } finally {
    chmodSync(root, 0o755);
    chmodSync(join(root, 'locked'), 0o755);
  }
});

test('default root: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects', () => {
  assert.equal(defaultSessionRoot({ SESSION_DATA_DIR: '/data/s', CLAUDE_CONFIG_DIR: '/c' }), '/data/s');
  assert.equal(defaultSessionRoot({ CLAUDE_CONFIG_DIR: '/c' }), join('/c', 'projects'));
  assert.equal(defaultSessionRoot({}), join(homedir(), '.claude', 'projects'));
  assert.equal(defaultStateTarget({ SESSION_INSPECTOR_DB: '/x/db.duckdb' }), '/x/db.duckdb');
  assert.equal(defaultStateTarget({ SESSION_INSPECTOR_STATE: 'postgres://team@db/si', SESSION_INSPECTOR_DB: '/x/db.duckdb' }), 'postgres://team@db/si');
  assert.equal(defaultStateTarget({ XDG_CONFIG_HOME: '/cfg' }), join('/cfg', 'session-inspector', 'state.duckdb'));
});
