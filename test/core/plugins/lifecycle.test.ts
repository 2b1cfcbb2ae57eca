import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Engine } from '../../../main/core/engine.js';
import type { PluginSet } from '../../../main/core/plugins/loader.js';
import { countingPlugin, repoRoot, runCli, sleep, tempDir, writePlugin, writeSession, userRecord } from '../../helpers.js';

/** A plugin whose module, when imported, leaves a marker file: proof of whether its code ever ran. */
function markerPlugin(name: string, marker: string, version = '1') {
  return `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'imported');
export default {
  name: ${JSON.stringify(name)},
  version: ${JSON.stringify(version)},
  processSession() { return { items: [{ v: ${JSON.stringify(version)} }] }; },
};`;
}

function setup() {
  const dir = tempDir();
  const home = join(dir, 'home');
  const root = join(dir, 'sessions');
  writeSession(root, 'alice/a.jsonl', [userRecord('hello')]);
  const open = () => Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, builtins: false, home, pluginProcesses: 1 });
  /** The same engine with plugins loaded from a folder, as `--plugins` loads them. */
  const openWithPlugins = (plugins: string) =>
    Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, builtins: false, home, plugins: [plugins], pluginProcesses: 1 });
  return { dir, home, root, open, openWithPlugins };
}

/** Runs a scaffolded plugin's own test (`node --test` in its folder): a test run of its own, not a subtest of this one. */
function runOwnTest(folder: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  return promisify(execFile)(process.execPath, ['--test'], { cwd: folder, env }).catch((e: { stdout: string; stderr: string }) => e);
}

test('an installed plugin is listed but never imported until approved; approval is pinned to its content', async () => {
  const s = setup();
  const marker = join(s.dir, 'imported.txt');
  const source = writePlugin(join(s.dir, 'downloads'), 'third-party', markerPlugin('third', marker), {
    sessionInspector: { apiVersion: 1, processors: ['third'] },
  });
  let engine = await s.open();
  try {
    const { installed, plugin } = await engine.installPlugin(source, false);
    assert.equal(installed.folder, join(s.home, 'plugins', 'third-party'));
    assert.deepEqual([plugin.approval, plugin.loaded, plugin.processors], ['unapproved', false, ['third']]);
    assert.match(installed.contentHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      (await engine.plugins()).processors.map((p) => p.name),
      [],
    );
    await assert.rejects(engine.run(['third']), /no such processor is loaded/);
    assert.ok(!existsSync(marker), 'the unapproved module was never imported');

    const approved = await engine.approvePlugin('third-party');
    assert.deepEqual([approved.approval, approved.loaded], ['approved', true]);
    assert.ok(existsSync(marker), 'imported once approved (in a plugin process)');
    assert.equal((await engine.run(['third']))[0].processed, 1);

    // any change to its files needs approval again
    appendFileSync(join(installed.folder, 'index.js'), '\n// changed\n');
    await engine.close();
    engine = await s.open();
    const changed = await engine.findPlugin('third-party');
    assert.deepEqual([changed.approval, changed.loaded], ['changed', false]);
    assert.equal((await engine.approvePlugin('third-party')).loaded, true);
  } finally {
    await engine.close();
  }
});

test('plugins install --yes approves at once; plugins list shows approval and enabled state (CLI)', async () => {
  const s = setup();
  const source = writePlugin(join(s.dir, 'downloads'), 'yes-plugin', countingPlugin('yes'));
  const env = { SESSION_INSPECTOR_HOME: s.home };
  const db = join(s.dir, 'cli.duckdb');
  const installed = await runCli(['plugins', 'install', source, '--yes', '--db', db], { env });
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /installed yes-plugin 1\.0\.0 into .*yes-plugin\n {2}processors: yes\n {2}content hash: [0-9a-f]{64}\n {2}approved/);
  const list = JSON.parse((await runCli(['plugins', '--json', '--db', db, '--no-builtins'], { env })).stdout);
  assert.deepEqual(
    list.map((p: { name: string; approval: string; enabled: boolean; loaded: boolean }) => [p.name, p.approval, p.enabled, p.loaded]),
    [['yes-plugin', 'approved', true, true]],
  );
  const run = JSON.parse((await runCli(['run', '--json', '--db', db, '--sessions', s.root, '--no-builtins'], { env })).stdout);
  assert.deepEqual(
    run.map((r: { processor: string; processed: number }) => [r.processor, r.processed]),
    [['yes', 1]],
  );

  const unapproved = writePlugin(join(s.dir, 'downloads'), 'later', countingPlugin('later'));
  const out = await runCli(['plugins', 'install', unapproved, '--db', db], { env });
  assert.match(out.stdout, /not approved: its code will not run until you run `session-inspector plugins approve later`/);
  const bad = await runCli(['plugins', 'install', join(s.dir, 'missing'), '--db', db], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /plugins install: .*missing does not exist/);
});

test('a disabled plugin stays installed but is not loaded or run; enabling brings it back', async () => {
  const s = setup();
  const marker = join(s.dir, 'imported.txt');
  const plugins = join(s.dir, 'cli-plugins');
  writePlugin(plugins, 'switchable', markerPlugin('switchable', marker));
  const engine = await s.openWithPlugins(plugins);
  try {
    const disabled = await engine.setPluginEnabled('switchable', false);
    assert.deepEqual([disabled.enabled, disabled.loaded], [false, false]);
    assert.deepEqual((await engine.plugins()).processors, []);
    const enabled = await engine.setPluginEnabled('switchable', true);
    assert.deepEqual([enabled.enabled, enabled.loaded], [true, true]);
    assert.equal((await engine.run(['switchable']))[0].processed, 1);
  } finally {
    await engine.close();
  }
});

test('hot reload: a changed plugin is picked up without a restart; a failed reload keeps the last good version', async () => {
  const s = setup();
  const plugins = join(s.dir, 'cli-plugins');
  const folder = writePlugin(plugins, 'live', countingPlugin('live', { version: '1' }));
  const engine = await s.openWithPlugins(plugins);
  const reloads: PluginSet[] = [];
  const stop = engine.watchPlugins((set) => reloads.push(set), 100);
  const waitForReload = async (count: number) => {
    for (let i = 0; i < 100 && reloads.length < count; i++) await sleep(50);
    assert.ok(reloads.length >= count, 'reloaded');
  };
  try {
    assert.equal((await engine.run(['live']))[0].processed, 1);
    // new code without a version bump: reloaded, but nothing is re-processed
    writeFileSync(join(folder, 'index.js'), countingPlugin('live', { version: '1', before: '/* refactored */' }));
    await waitForReload(1);
    assert.equal((await engine.run(['live']))[0].scanned, 0);
    // a version bump re-processes every session
    writeFileSync(join(folder, 'index.js'), countingPlugin('live', { version: '2' }));
    await waitForReload(2);
    assert.equal((await engine.processors(['live']))[0].version, '2');
    assert.equal((await engine.run(['live']))[0].processed, 1);
    // a broken edit: the last good version keeps running, and the error is reported
    writeFileSync(join(folder, 'index.js'), 'export default { name: "live", processSession() {');
    await waitForReload(3);
    const report = (await engine.plugins()).plugins.find((p) => p.folder === folder)!;
    assert.match(report.errors.join('\n'), /cannot load the module[\s\S]*reload failed; still running the last good version/);
    assert.equal((await engine.processors(['live']))[0].version, '2');
    writeSession(s.root, 'alice/b.jsonl', [userRecord('new session')]);
    assert.equal((await engine.run(['live']))[0].processed, 1, 'the last good version still runs');
  } finally {
    stop();
    await engine.close();
  }
});

test('plugins new --sql scaffolds a working SQL processor whose own test runs the real command; validate checks its SQL', async () => {
  const s = setup();
  const created = await runCli(['plugins', 'new', 'sql-tools', '--sql', '--dir', s.dir]);
  assert.equal(created.code, 0, created.stderr);
  const folder = join(s.dir, 'sql-tools');
  const ownTest = await runOwnTest(folder, {
    SESSION_INSPECTOR_BIN: join(repoRoot, 'bin', 'session-inspector.js'),
    SESSION_INSPECTOR_HOME: join(s.dir, 'home'),
  });
  assert.match(ownTest.stdout, /pass 1/, ownTest.stdout + ownTest.stderr);
  const valid = await runCli(['plugins', 'validate', folder]);
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
  // The query is checked against an empty records relation: a wrong column is named at once.
  writeFileSync(join(folder, 'index.js'), readFileSync(join(folder, 'index.js'), 'utf8').replace("block ->> 'name' AS tool_name", 'nope AS tool_name'));
  const broken = await runCli(['plugins', 'validate', folder]);
  assert.equal(broken.code, 2);
  assert.match(broken.stdout, /processor "sql-tools": sql does not run against records: .*nope/);
});

test('plugins new scaffolds a working plugin with a passing test; validate reports every problem at once', async () => {
  const s = setup();
  const created = await runCli(['plugins', 'new', 'tool-counts', '--dir', s.dir]);
  assert.equal(created.code, 0, created.stderr);
  const folder = join(s.dir, 'tool-counts');
  const ownTest = await runOwnTest(folder);
  assert.match(ownTest.stdout, /pass 1/, ownTest.stderr);
  const valid = await runCli(['plugins', 'validate', folder]);
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
  assert.match(valid.stdout, /tool-counts 0\.1\.0: tool-counts\n {2}no problems found/);
  writeSession(s.root, 'demo/session.jsonl', [{ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Grep', input: {} }] } }]);
  const db = join(s.dir, 'new.duckdb');
  await runCli(['run', '--plugins', folder, '--sessions', s.root, '--db', db, '--no-builtins']);
  const rows = JSON.parse((await runCli(['query', 'SELECT tool_name, calls FROM tool_counts', '--db', db, '--json'])).stdout);
  assert.deepEqual(rows, [{ tool_name: 'Grep', calls: 1 }]);

  const broken = writePlugin(
    s.dir,
    'broken',
    `export default [{ name: 'Bad Name', processSession() {} }, { name: 'ok', version: 3, timeoutMs: -1, processSession() {} }];`,
    { sessionInspector: { apiVersion: 1, processors: ['ok', 'ghost'] } },
  );
  const invalid = await runCli(['plugins', 'validate', broken, '--json']);
  assert.equal(invalid.code, 2);
  const report = JSON.parse(invalid.stdout);
  assert.equal(report.problems.length, 2, report.problems.join('\n'));
  assert.match(report.problems[0], /processor #1: name must match/);
  assert.match(report.problems[1], /processor #2: version .*; timeoutMs/);
  const bare = writePlugin(s.dir, 'bare', '', { sessionInspector: { apiVersion: 7, processors: 'x' }, main: 'nope.js' });
  const many = JSON.parse((await runCli(['plugins', 'validate', bare, '--json'])).stdout);
  assert.equal(many.problems.length, 3, many.problems.join('\n'));
});
