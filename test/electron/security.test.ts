import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { isAppUrl, isSafeExternalUrl, WINDOW_CSP } from '../../main/electron/security.js';
import { BRIDGE_GLOBAL, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../main/api/contract.js';
import { readWindowState, writeWindowState } from '../../main/electron/windowState.js';
import { repoRoot, tempDir } from '../helpers.js';

/** The webPreferences object literal of `new BrowserWindow({...})` in main.ts, property by property (source text). */
function windowPreferences(): Record<string, string> {
  const file = join(repoRoot, 'main', 'electron', 'main.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Record<string, string>[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && node.expression.getText() === 'BrowserWindow') {
      const options = node.arguments?.[0];
      const prefs = options && ts.isObjectLiteralExpression(options) ? options.properties.find((p) => p.name?.getText() === 'webPreferences') : undefined;
      if (prefs && ts.isPropertyAssignment(prefs) && ts.isObjectLiteralExpression(prefs.initializer)) {
        found.push(Object.fromEntries(prefs.initializer.properties.filter(ts.isPropertyAssignment).map((p) => [p.name.getText(), p.initializer.getText()])));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  assert.equal(found.length, 1, 'main.ts creates exactly one kind of window, with literal webPreferences');
  return found[0];
}

test('the window is isolated and sandboxed, without Node in the page (the webPreferences main.ts really uses)', () => {
  const prefs = windowPreferences();
  assert.equal(prefs.contextIsolation, 'true');
  assert.equal(prefs.sandbox, 'true');
  assert.equal(prefs.nodeIntegration, 'false');
  assert.equal(prefs.nodeIntegrationInWorker, 'false');
  assert.equal(prefs.nodeIntegrationInSubFrames, 'false');
  assert.equal(prefs.webSecurity, 'true');
  assert.equal(prefs.webviewTag, 'false');
  assert.equal(prefs.allowRunningInsecureContent, 'false');
  assert.equal(prefs.navigateOnDragDrop, 'false');
  assert.equal(prefs.disableBlinkFeatures, "'Auxclick'");
  assert.equal(prefs.preload, "join(here, 'preload.cjs')");
  assert.ok(!('enableRemoteModule' in prefs) && !('experimentalFeatures' in prefs));
});

test('navigation stays on our page; only http(s) links leave for the system browser', () => {
  const index = '/opt/app/dist/renderer/index.html';
  assert.ok(isAppUrl('file:///opt/app/dist/renderer/index.html#/sessions', index));
  assert.ok(!isAppUrl('file:///etc/passwd', index));
  assert.ok(!isAppUrl('https://evil.example/', index));
  assert.ok(!isAppUrl('not a url', index));
  assert.ok(isSafeExternalUrl('https://docs.anthropic.com/'));
  assert.ok(isSafeExternalUrl('http://localhost:3000/x'));
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'vscode://x', 'https://user:pass@example.com/', 'nonsense']) {
    assert.ok(!isSafeExternalUrl(url), url);
  }
  assert.match(WINDOW_CSP, /default-src 'self'; script-src 'self'/);
  assert.doesNotMatch(WINDOW_CSP, /unsafe-eval/);
  // index.html's meta tag is the window's policy; frame-ancestors, which a meta tag cannot carry (browsers
  // log an error for it), stays in browser mode's header only.
  const meta = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(readFileSync(join(repoRoot, 'renderer', 'index.html'), 'utf8'));
  assert.equal(meta?.[1], WINDOW_CSP);
  assert.doesNotMatch(WINDOW_CSP, /frame-ancestors/);
});

test('the preload exposes exactly one object, the API transport, on namespaced channels', async () => {
  const source = readFileSync(join(repoRoot, 'dist', 'main', 'electron', 'preload.cjs'), 'utf8');
  const exposed: Record<string, Record<string, unknown>> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, (...a: unknown[]) => void>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: Record<string, unknown>) => (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => invoked.push(args),
      on: (channel: string, fn: (...a: unknown[]) => void) => listeners.set(channel, fn),
      removeListener: (channel: string) => listeners.delete(channel),
    },
    webUtils: { getPathForFile: (file: { path: string }) => file.path },
  };
  const module = { exports: {} };
  runInNewContext(source, {
    require: (name: string) => (name === 'electron' ? electron : assert.fail(`the preload requires ${name}`)),
    module,
    exports: module.exports,
  });
  assert.deepEqual(Object.keys(exposed), [BRIDGE_GLOBAL]);
  const bridge = exposed[BRIDGE_GLOBAL] as {
    call: (m: string, a: unknown) => Promise<unknown>;
    subscribe: (l: (e: unknown) => void) => () => void;
    droppedPath: (f: unknown) => string | null;
  };
  assert.deepEqual(Object.keys(bridge).sort(), ['call', 'droppedPath', 'subscribe']);
  await bridge.call('app/info', {});
  assert.deepEqual(invoked, [[IPC_CALL_CHANNEL, 'app/info', {}]]);
  const seen: unknown[] = [];
  const unsubscribe = bridge.subscribe((e) => seen.push(e));
  listeners.get(IPC_EVENT_CHANNEL)!({ sender: 'ignored' }, { type: 'sessions-changed' });
  assert.deepEqual(seen, [{ type: 'sessions-changed' }], 'the IPC event object itself never reaches the page');
  unsubscribe();
  assert.ok(!listeners.has(IPC_EVENT_CHANNEL));
  assert.equal(bridge.droppedPath({ path: '/home/me/plugin' }), '/home/me/plugin');
});

test('the window remembers its size and place, and survives a damaged state file', () => {
  const file = join(tempDir(), 'window-state.json');
  assert.deepEqual(readWindowState(file), { width: 1280, height: 820, maximized: false });
  writeWindowState(file, { x: 10, y: 20, width: 900, height: 700, maximized: true });
  assert.deepEqual(readWindowState(file), { x: 10, y: 20, width: 900, height: 700, maximized: true });
  writeWindowState(file, { width: 5, height: -1, maximized: false });
  assert.deepEqual(readWindowState(file), { x: undefined, y: undefined, width: 1280, height: 820, maximized: false });
});
