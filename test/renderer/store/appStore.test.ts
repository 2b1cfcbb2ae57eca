import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActiveRun, AppInfo, PluginInfo } from '../../../main/api/contract.js';
import { THEME_STORAGE_KEY, VIEW_STORAGE_KEY } from '../../../renderer/src/store/appSlice.js';
import { ApiRefusal, MemoryStorage, makeStore, settle } from '../fakeTransport.js';
import { REFRESH_HANDLERS, bindTestEvents, runStats } from './storeHarness.js';

const INFO: AppInfo = {
  version: '0.1.0',
  mode: 'browser',
  sessionRoot: null,
  sessionRootError: null,
  defaultSessionRoot: '/home/u/.claude/projects',
  defaultRootExists: true,
  recentRoots: [],
  stateStore: { backend: 'duckdb', location: '/tmp/x.duckdb', shared: false },
  canPickFolder: false,
  archive: { folder: '/home/u/.config/session-inspector/archive', problem: null },
};

test('app: theme and last view are remembered; unknown stored values fall back', () => {
  const storage = new MemoryStorage();
  const first = makeStore({}, storage).store;
  assert.equal(first.getState().theme, 'system');
  assert.equal(first.getState().view, 'sessions');
  first.getState().setTheme('dark');
  first.getState().setView('query');
  const second = makeStore({}, storage).store;
  assert.equal(second.getState().theme, 'dark');
  assert.equal(second.getState().view, 'query');
  storage.setItem(THEME_STORAGE_KEY, 'neon');
  storage.setItem(VIEW_STORAGE_KEY, '../../etc');
  const third = makeStore({}, storage).store;
  assert.equal(third.getState().theme, 'system');
  assert.equal(third.getState().view, 'sessions');
});

test('app: first run shows the folder form until a folder is accepted; refusals are shown', async () => {
  let root: string | null = null;
  const { store, transport } = makeStore({
    'app/info': () => ({ ...INFO, sessionRoot: root }),
    'app/setSessionRoot': ({ path }) => {
      if (path === '/nope') throw new ApiRefusal('invalid', 'no folder at /nope: choose an existing folder of sessions');
      root = path;
      return { ...INFO, sessionRoot: path, recentRoots: [path] };
    },
  });
  await store.getState().loadInfo();
  assert.equal(store.getState().choosingFolder, true);
  assert.equal(await store.getState().setSessionRoot('  '), false);
  assert.equal(transport.callsOf('app/setSessionRoot').length, 0);
  assert.equal(await store.getState().setSessionRoot('/nope'), false);
  assert.match(store.getState().notices.at(-1)?.text ?? '', /no folder at \/nope/);
  assert.equal(store.getState().choosingFolder, true);
  assert.equal(await store.getState().setSessionRoot(' /data/sessions '), true);
  assert.deepEqual(transport.callsOf('app/setSessionRoot').at(-1), { path: '/data/sessions' });
  assert.equal(store.getState().choosingFolder, false);
  assert.equal(store.getState().info?.sessionRoot, '/data/sessions');
  store.getState().setChoosingFolder(true);
  assert.equal(store.getState().choosingFolder, true);
});

test('runs: a processor already running is reported, not started twice', async () => {
  const { store, transport } = makeStore({ 'runs/start': () => ({ started: ['usage'], alreadyRunning: ['tokens'] }) });
  const result = await store.getState().startRun({ processors: ['usage', 'tokens'], failedOnly: true });
  assert.deepEqual(result, { started: ['usage'], alreadyRunning: ['tokens'] });
  assert.deepEqual(transport.callsOf('runs/start'), [{ processors: ['usage', 'tokens'], failedOnly: true }]);
  assert.deepEqual(Object.keys(store.getState().runs.active), ['usage']);
  assert.match(store.getState().notices.at(-1)?.text ?? '', /Already running.*tokens/);
});

const STATS = runStats({
  processor: 'usage',
  scanned: 10,
  processed: 9,
  errors: 1,
  items_extracted: 20,
  errors_detail: [{ session: 'a/b.jsonl', error: 'boom' }],
  duration_ms: 1200,
  bytes_read: 1000,
});

test('events: progress is applied at once; finished runs and changes refresh what is on screen, coalesced', async () => {
  const { store, transport } = makeStore({
    ...REFRESH_HANDLERS,
    'runs/timeline': () => [],
    'state/list': () => ({ total: 0, rows: [] }),
    'state/history': () => [],
  });
  const events = bindTestEvents(store, transport);
  const run: ActiveRun = { processor: 'usage', trigger: 'manual', done: 3, total: 10, current: 'a/b.jsonl', errors: 1, elapsedMs: 900, etaMs: 2100 };
  transport.emit({ type: 'run-progress', run });
  assert.deepEqual(store.getState().runs.active.usage, run);

  transport.emit({ type: 'run-finished', processor: 'usage', stats: STATS });
  transport.emit({ type: 'state-changed', processors: ['usage'] });
  transport.emit({ type: 'sessions-changed' });
  assert.equal(store.getState().runs.active.usage, undefined);
  assert.equal(store.getState().runs.finished.usage.errors, 1);
  assert.equal(transport.callsOf('sessions/list').length, 0); // coalesced: nothing yet
  await events.flush();
  assert.equal(transport.callsOf('sessions/list').length, 1); // three events, one refresh
  assert.equal(transport.callsOf('runs/history').length, 1);
  assert.equal(transport.callsOf('processors/list').length, 1);
  assert.equal(transport.callsOf('state/list').length, 0); // the state editor is not on screen

  store.getState().setView('state');
  transport.emit({ type: 'state-changed', processors: ['usage'] });
  await events.flush();
  assert.equal(transport.callsOf('state/list').length, 1);
  assert.equal(transport.callsOf('state/history').length, 1);
  events.dispose();
});

test('events: a run that failed as a whole is shown; plugins-changed replaces the plugin list', async () => {
  const { store, transport } = makeStore({ 'processors/list': () => [] });
  const events = bindTestEvents(store, transport);
  transport.emit({ type: 'run-finished', processor: 'usage', stats: { ...STATS, error: 'plugin crashed: out of memory' } });
  assert.match(store.getState().notices.at(-1)?.text ?? '', /usage: plugin crashed/);
  const plugins: PluginInfo[] = [
    {
      folder: '/p/x',
      origin: 'user',
      name: 'x',
      version: '1.0.0',
      contentHash: 'h',
      approval: 'approved',
      enabled: true,
      loaded: true,
      processors: ['x'],
      errors: [],
    },
  ];
  transport.emit({ type: 'plugins-changed', plugins });
  assert.deepEqual(store.getState().plugins.list, plugins);
  events.dispose();
});

test('events: info-changed (a folder chosen from the desktop menu) updates the header without a reload', async () => {
  const { store, transport } = makeStore({ 'app/info': () => ({ ...INFO, sessionRoot: '/old' }) });
  const events = bindTestEvents(store, transport);
  await store.getState().loadInfo();
  assert.equal(store.getState().info?.sessionRoot, '/old');
  transport.emit({ type: 'info-changed', info: { ...INFO, sessionRoot: '/new', recentRoots: ['/old'] } });
  assert.equal(store.getState().info?.sessionRoot, '/new');
  assert.equal(store.getState().choosingFolder, false);
  events.dispose();
});

test('plugins: install shows the trust prompt first, then installs exactly the inspected folder with approval', async () => {
  const preview = { path: '/plugins/extra', name: 'extra', version: '2.0.0', processors: ['extra'], contentHash: 'sha256:abc', problems: [] };
  const { store, transport } = makeStore({
    'plugins/inspect': ({ path }) => ({ ...preview, path }),
    'plugins/install': ({ path }) => ({
      folder: path,
      origin: 'user',
      name: 'extra',
      version: '2.0.0',
      contentHash: 'sha256:abc',
      approval: 'approved',
      enabled: true,
      loaded: true,
      processors: ['extra'],
      errors: [],
    }),
    'plugins/list': () => [],
    'processors/list': () => [],
  });
  await store.getState().inspectPlugin(' /plugins/extra ');
  assert.deepEqual(store.getState().plugins.preview, preview);
  assert.equal(transport.callsOf('plugins/install').length, 0);
  store.getState().cancelInstall();
  assert.equal(await store.getState().confirmInstall(), null);
  assert.equal(transport.callsOf('plugins/install').length, 0);
  await store.getState().inspectPlugin('/plugins/extra');
  const installed = await store.getState().confirmInstall();
  assert.equal(installed?.name, 'extra');
  assert.deepEqual(transport.callsOf('plugins/install'), [{ path: '/plugins/extra', approve: true }]);
  assert.equal(store.getState().plugins.preview, null);
  await settle();
  assert.equal(transport.callsOf('processors/list').length, 1);
});
