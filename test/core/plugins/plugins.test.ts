import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after } from 'node:test';
import { loadPlugins as load, type PluginSource } from '../../../main/core/plugins/loader.js';
import { PluginPool } from '../../../main/core/pluginProcesses/pool.js';
import { PluginSnapshots } from '../../../main/core/plugins/snapshot.js';
import { validatePlugin } from '../../../main/core/plugins/validate.js';
import { UsageError } from '../../../main/core/errors.js';
import { SqlEngine } from '../../../main/core/sql/sqlEngine.js';
import type { SqlSpec } from '../../../main/core/plugins/processorSchema.js';
import { countingPlugin, tempDir, writePlugin } from '../../helpers.js';

const pool = new PluginPool({ size: 2 });
after(() => pool.close());
const snapshots = new PluginSnapshots(join(tempDir('si-cache-'), 'plugin-cache'));
const sql = new SqlEngine();
after(() => sql.close());
const checkSql = (spec: SqlSpec) => sql.check(spec);
const loadPlugins = (sources: PluginSource[]) => load(sources, pool, snapshots, checkSql);

test('loads a folder of plugin folders in name order; one module may export several processors', async () => {
  const dir = tempDir();
  writePlugin(dir, 'b-plugin', countingPlugin('beta'));
  writePlugin(
    dir,
    'a-plugin',
    `export default [{ name: 'alpha', processSession() {} }, { name: 'alpha-2', version: '3', cadenceMinutes: 5, timeoutMs: 10, processSession() {} }];`,
  );
  mkdirSync(join(dir, 'not-a-plugin-folder')); // no package.json: ignored
  const set = await loadPlugins([{ path: dir, origin: 'cli' }]);
  assert.deepEqual(
    set.processors.map((p) => [p.name, p.version, p.cadenceMinutes, p.timeoutMs]),
    [
      ['alpha', '1', 10, 60000],
      ['alpha-2', '3', 5, 10],
      ['beta', '1', 10, 60000],
    ],
  );
  assert.deepEqual(
    set.plugins.map((p) => [p.name, p.processors, p.errors]),
    [
      ['a-plugin', ['alpha', 'alpha-2'], []],
      ['b-plugin', ['beta'], []],
    ],
  );
});

test('a broken plugin is reported with its path and reason, and every other plugin still loads', async () => {
  const dir = tempDir();
  writePlugin(dir, '01-syntax', 'export default { name: "x", processSession() { ');
  writePlugin(dir, '02-no-export', 'export const x = 1;');
  writePlugin(dir, '03-bad-name', `export default { name: 'Bad Name', processSession() {} };`);
  writePlugin(dir, '04-not-function', `export default { name: 'nofn', version: 2, processSession: 'nope' };`);
  writePlugin(dir, '05-good', countingPlugin('good'));
  writePlugin(dir, '06-duplicate', countingPlugin('good'));
  writePlugin(dir, '07-api', countingPlugin('api'), { sessionInspector: { apiVersion: 2 } });
  writePlugin(dir, '08-no-meta', countingPlugin('meta'), { sessionInspector: undefined });
  writePlugin(dir, '09-missing-entry', countingPlugin('entry'), { main: 'dist/index.js' });
  writePlugin(dir, '10-throws', `throw new Error('top-level failure');`);
  writePlugin(dir, '11-missing-import', `import 'definitely-not-installed-xyz'; export default { name: 'mi', processSession() {} };`);
  writePlugin(dir, '12-escape', countingPlugin('escape'), { main: '../05-good/index.js' });
  writeFileSync(join(dir, '13-bad-json'), ''); // a stray file is not a folder: ignored
  mkdirSync(join(dir, '14-bad-json'));
  writeFileSync(join(dir, '14-bad-json', 'package.json'), '{ nope');
  const set = await loadPlugins([{ path: dir, origin: 'cli' }]);
  assert.deepEqual(
    set.processors.map((p) => p.name),
    ['good'],
  );
  const errors = Object.fromEntries(set.plugins.map((p) => [p.folder.split('/').pop(), p.errors.join(' | ')]));
  assert.match(errors['01-syntax'], /01-syntax\/index\.js: cannot load the module: .*(Unexpected|SyntaxError)/);
  assert.match(errors['02-no-export'], /has no default export/);
  assert.match(errors['03-bad-name'], /name must match/);
  assert.match(errors['04-not-function'], /version .*string.*processSession must be a function/);
  assert.equal(errors['05-good'], '');
  assert.match(errors['06-duplicate'], /duplicate processor name "good" \(already provided by .*05-good\)/);
  assert.match(errors['07-api'], /apiVersion" is 2, but this Session Inspector supports 1/);
  assert.match(errors['08-no-meta'], /has no "sessionInspector" field/);
  assert.match(errors['09-missing-entry'], /entry "dist\/index.js" .* does not exist/);
  assert.match(errors['10-throws'], /top-level failure/);
  assert.match(errors['11-missing-import'], /definitely-not-installed-xyz/);
  assert.match(errors['12-escape'], /points outside the plugin folder/);
  assert.match(errors['14-bad-json'], /not valid JSON/);
});

test('plugins import the SDK as session-inspector/plugin from any folder', async () => {
  const dir = tempDir();
  writePlugin(
    dir,
    'sdk-user',
    `import { definePlugin } from 'session-inspector/plugin';
export default definePlugin({ name: 'sdk-user', processSession() { return { items: [] }; } });`,
  );
  const set = await loadPlugins([{ path: dir, origin: 'cli' }]);
  assert.deepEqual(
    set.processors.map((p) => p.name),
    ['sdk-user'],
  );
});

test('snapshots: an unchanged folder is not copied again; another build keeps its own folder until unused for a week', async () => {
  const dir = tempDir();
  const folder = writePlugin(dir, 'same', countingPlugin('same'));
  const cache = new PluginSnapshots(join(tempDir('si-cache-'), 'plugin-cache'));
  const first = await cache.take(folder);
  const path = first.keep();
  writeFileSync(join(path, 'marker'), ''); // would be gone if the snapshot were made again
  const second = await cache.take(folder);
  assert.equal(second.hash, first.hash);
  assert.equal(second.keep(), path);
  assert.equal(existsSync(join(path, 'marker')), true, 'the existing snapshot is used as it is');
  assert.equal(cache.hashOf(`${pathToFileURL(join(path, 'index.js')).href}?v=1`), first.hash);
  assert.equal(cache.hashOf(pathToFileURL(join(folder, 'index.js')).href), '', 'a module outside the cache');

  const recent = join(cache.cacheRoot, 'another-build-recent');
  const old = join(cache.cacheRoot, 'another-build-old');
  for (const other of [recent, old]) mkdirSync(join(other, 'some-hash'), { recursive: true });
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000);
  utimesSync(old, eightDaysAgo, eightDaysAgo);
  cache.prune(new Set([first.hash]));
  assert.deepEqual([existsSync(path), existsSync(recent), existsSync(old)], [true, true, false]);
  assert.equal(existsSync(join(cache.dir, 'node_modules', 'session-inspector', 'plugin.js')), true, 'the SDK package stays');
});

test('plugins validate imports the plugin the way a run does: the SDK import resolves, and nothing is left behind', async () => {
  const dir = tempDir();
  const folder = writePlugin(
    dir,
    'sdk-check',
    `import { definePlugin } from 'session-inspector/plugin';
export default definePlugin({ name: 'sdk-check', processSession() { return { items: [] }; } });`,
  );
  // A temporary folder of this test's own: other test files validate plugins at the same time.
  const ownTmp = tempDir('si-validate-tmp-');
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = ownTmp;
  try {
    const report = await validatePlugin(folder, pool, checkSql);
    assert.deepEqual([report.problems, report.processors.map((p) => p.name)], [[], ['sdk-check']]);
    assert.match(report.contentHash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(tmpdir(), ownTmp);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  assert.deepEqual(readdirSync(ownTmp), [], 'its temporary snapshot is removed');
});

test('a plugin path given on the command line must exist; a missing built-in folder is simply empty', async () => {
  const dir = tempDir();
  await assert.rejects(
    loadPlugins([{ path: join(dir, 'nope'), origin: 'cli' }]),
    (e: Error) => e instanceof UsageError && /--plugins .*nope does not exist/.test(e.message),
  );
  assert.deepEqual((await loadPlugins([{ path: join(dir, 'nope'), origin: 'builtin' }])).processors, []);
});

test('view declarations are validated: identifiers, known types, no clash with host tables', async () => {
  const dir = tempDir();
  writePlugin(dir, 'v1', `export default { name: 'v1', view: { name: 'processor_items', columns: { a: 'VARCHAR' } }, processSession() {} };`);
  writePlugin(dir, 'v2', `export default { name: 'v2', view: { name: 'ok_view', columns: { a: 'TEXT; DROP TABLE x' } }, processSession() {} };`);
  writePlugin(
    dir,
    'v3',
    `export default { name: 'v3', view: { name: 'good_view', columns: { a: 'VARCHAR', n: 'INTEGER', tags: 'VARCHAR[]' } }, processSession() {} };`,
  );
  const set = await loadPlugins([{ path: dir, origin: 'cli' }]);
  assert.deepEqual(
    set.processors.map((p) => p.name),
    ['v3'],
  );
  assert.match(set.plugins[0].errors[0], /view.name is the name of a Session Inspector table/);
  assert.match(set.plugins[1].errors[0], /view.columns.a/);
});

test('a snapshot described once is not imported again: the next load starts no plugin code; broken or foreign descriptions are redone', async () => {
  const dir = tempDir();
  const marker = join(tempDir(), 'imports.log');
  const importsOf = (name: string) =>
    existsSync(marker)
      ? readFileSync(marker, 'utf8')
          .split('\n')
          .filter((l) => l === name).length
      : 0;
  const logImport = (name: string) => `import { appendFileSync } from 'node:fs'; appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(name)} + '\\n');`;
  writePlugin(dir, 'good', `${logImport('good')}\n${countingPlugin('described-once')}`);
  writePlugin(dir, 'broken', `${logImport('broken')}\nexport default { name: 'Bad Name', processSession() {} };`);
  const cache = new PluginSnapshots(join(tempDir('si-cache-'), 'plugin-cache'));
  const fresh = async () => {
    const own = new PluginPool({ size: 1 }); // a new process each time: nothing stays imported in between
    try {
      return await load([{ path: dir, origin: 'cli' }], own, cache, checkSql);
    } finally {
      await own.close();
    }
  };
  const first = await fresh();
  const second = await fresh();
  assert.deepEqual(second.processors, first.processors, 'the same processors, from the description on disk');
  assert.equal(importsOf('good'), 1, 'described once');
  assert.equal(importsOf('broken'), 2, 'a description with errors is not kept: the plugin is loaded again and reports again');
  assert.match(second.plugins.find((p) => p.name === 'broken')!.errors.join(), /name must match/);

  // A description written by another build of the host is not trusted.
  const hash = first.plugins.find((p) => p.name === 'good')!.contentHash!;
  const file = join(cache.dir, `${hash}.described.json`);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), host: 'another-build' }));
  await fresh();
  assert.equal(importsOf('good'), 2);
  // Pruning a snapshot removes its description with it.
  cache.prune(new Set());
  assert.equal(existsSync(file), false);
});
