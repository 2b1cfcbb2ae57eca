import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

const require = createRequire(join(repoRoot, 'package.json'));

test("electron-builder.yml passes electron-builder's own schema validation (no download needed)", async () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(dir: string, path: string | null, fromOptions: null): Promise<Record<string, unknown>>;
    validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(repoRoot, join(repoRoot, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  assert.equal(config.productName, 'Session Inspector');
  const linux = config.linux as { target: string[] };
  assert.deepEqual(linux.target, ['AppImage', 'deb']);
  assert.equal((config.mac as { target: string }).target, 'dmg');
  assert.equal((config.win as { target: string }).target, 'nsis');
  assert.ok((config.asarUnpack as string[]).includes('node_modules/@duckdb/**'), 'DuckDB is unpacked from asar');
  // Unpacked files find no package.json of ours above them but dist's own: it must say they are ES modules.
  const files = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
  for (const [list, patterns] of [
    ['files', files],
    ['asarUnpack', config.asarUnpack as string[]],
  ] as const) {
    assert.ok(patterns.includes('dist/package.json'), `${list} has dist/package.json`);
  }
  assert.deepEqual(
    (config.extraResources as { from: string; to: string }[]).map((r) => [r.from, r.to]),
    [['plugins', 'plugins']],
  );
});

test('everything the package includes exists after the build', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string };
  assert.deepEqual(JSON.parse(readFileSync(join(repoRoot, 'dist', 'package.json'), 'utf8')), { type: 'module' });
  for (const file of [pkg.main, 'dist/main/electron/preload.cjs', 'dist/main/core/pluginProcesses/pluginSide/main.js', 'dist/main/sdk/index.js']) {
    assert.ok(existsSync(join(repoRoot, file)), `${file} is built`);
  }
  assert.ok(existsSync(join(repoRoot, 'plugins', 'usage', 'package.json')), 'the built-in plugins are there to ship');
});
