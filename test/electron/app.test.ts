import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { findElectron } from '../../main/cli/launch.js';
import { repoRoot, tempDir, userRecord, writeSession } from '../helpers.js';

const found = findElectron();
const noElectron =
  'missing' in found ? `Electron end-to-end skipped: ${found.missing}; set ELECTRON_OVERRIDE_DIST_PATH to a local Electron build to run it` : false;

test('desktop app: secure window, one bridge object, sessions listed and processed through IPC', { skip: noElectron }, async () => {
  const dir = tempDir();
  const root = join(dir, 'sessions');
  writeSession(root, 'alice/a.jsonl', [userRecord('hello')]);
  const app = await electron.launch({
    executablePath: 'path' in found ? found.path : undefined,
    args: [join(repoRoot, 'dist', 'main', 'electron', 'main.js'), '--no-sandbox'],
    env: { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home'), SESSION_INSPECTOR_DB: join(dir, 'db.duckdb'), SESSION_DATA_DIR: root },
  });
  try {
    const window = await app.firstWindow();
    const bridgeKeys = await window.evaluate(() => Object.keys((globalThis as unknown as { sessionInspector: object }).sessionInspector).sort());
    assert.deepEqual(bridgeKeys, ['call', 'droppedPath', 'subscribe']);
    assert.deepEqual(
      await window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process]),
      ['undefined', 'undefined'],
    );
    const info = await window.evaluate(async () =>
      (globalThis as unknown as { sessionInspector: { call(m: string, a: unknown): Promise<{ ok: boolean; value: { mode: string } }> } }).sessionInspector.call(
        'app/info',
        {},
      ),
    );
    assert.equal(info.ok, true);
    assert.equal(info.value.mode, 'electron');
    const opened = await window.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null);
    assert.equal(opened, true, 'new windows are denied');
  } finally {
    await app.close();
  }
});

test('desktop app: a second launch focuses the first window instead of opening another', { skip: noElectron }, async () => {
  const dir = tempDir();
  const env = { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home'), SESSION_INSPECTOR_DB: join(dir, 'db.duckdb') };
  const app = await electron.launch({
    executablePath: 'path' in found ? found.path : undefined,
    args: [join(repoRoot, 'dist', 'main', 'electron', 'main.js'), '--no-sandbox'],
    env,
  });
  try {
    await app.firstWindow();
    const second = spawn('path' in found ? found.path : 'false', [join(repoRoot, 'dist', 'main', 'electron', 'main.js'), '--no-sandbox'], { env });
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    assert.equal(code, 0, 'the second instance quits at once');
    assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length), 1);
  } finally {
    await app.close();
  }
});

test(
  'npm start without Electron: one line saying why, then browser mode on loopback with its address',
  { skip: 'path' in found ? 'Electron is installed here: npm start opens the desktop window' : false },
  async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'session-inspector.js'), 'app', '--db', join(dir, 'db.duckdb'), '--sessions', dir], {
      env: { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('\n')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      assert.match(stderr, /^Session Inspector: no desktop window \(.+\); starting browser mode instead\.\n/);
      const url = /Session Inspector: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)?.[1];
      assert.ok(url, stdout);
      const token = new URL(url).searchParams.get('token');
      const response = await fetch(new URL('/api/call', url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ method: 'app/info', args: {} }),
      });
      assert.equal(((await response.json()) as { value: { mode: string } }).value.mode, 'browser');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  },
);
