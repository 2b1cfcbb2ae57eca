// The built-in plugins are plain JavaScript with `// @ts-check`, meant to be copied as examples: they must
// type-check against the SDK's published declarations (plugins/tsconfig.json maps the SDK specifier to dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './support.js';

test('plugins: the built-in plugins type-check against the SDK', async () => {
  const root = repoRoot();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', path.join(root, 'plugins')], { cwd: root }).catch((error) => error);
  assert.equal(result.stdout, '', result.stdout);
  assert.equal(result.code ?? 0, 0);
});
