// The layers of main/, checked on the source (imports and re-exports, static and dynamic, type-only too):
// the engine knows nothing of its faces, the SDK nothing of the engine, code that runs in plugin processes
// never loads the store or the validation library (and nothing else loads that code), and no module imports
// itself back through others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers.js';

const main = join(repoRoot, 'main');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module a file names: relative ones resolved to their .ts source, packages by name. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  const local: string[] = [];
  const packages: string[] = [];
  for (const s of specifiers) {
    if (s.startsWith('.'))
      local.push(
        resolve(dirname(file), s)
          .replace(/\.js$/, '.ts')
          .replace(/\.cjs$/, '.cts'),
      );
    else if (!s.startsWith('node:')) packages.push(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
  }
  return { local, packages };
}

const files = sources(main);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(repoRoot, f);
const inside = (f: string, folder: string) => f.startsWith(join(main, folder) + '/');

test('layers: core never imports the faces (api, cli, electron), the SDK imports nothing outside itself', () => {
  const wrong: string[] = [];
  for (const [file, { local }] of graph) {
    for (const dep of local) {
      if (inside(file, 'core') && ['api', 'cli', 'electron'].some((face) => inside(dep, face))) wrong.push(`${rel(file)} -> ${rel(dep)}`);
      if (inside(file, 'sdk') && !inside(dep, 'sdk')) wrong.push(`${rel(file)} -> ${rel(dep)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('layers: only main/electron loads electron', () => {
  const wrong = files.filter((f) => !inside(f, 'electron') && graph.get(f)!.packages.includes('electron')).map(rel);
  assert.deepEqual(wrong, []);
});

test('layers: code that runs in plugin processes loads neither the store, DuckDB, PostgreSQL nor zod', () => {
  // Everything the plugin process's entry (core/pluginProcesses/pluginSide/main.ts) reaches, through local imports.
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file) || !graph.has(file)) return;
    reached.add(file);
    for (const dep of graph.get(file)!.local) visit(dep);
  };
  visit(join(main, 'core', 'pluginProcesses', 'pluginSide', 'main.ts'));
  assert.ok(reached.size > 5, 'the plugin process entry was found');
  const wrong: string[] = [];
  for (const file of reached) {
    if (inside(file, join('core', 'store'))) wrong.push(rel(file));
    for (const pkg of graph.get(file)!.packages) if (['zod', '@duckdb/node-api', 'pg'].includes(pkg)) wrong.push(`${rel(file)} -> ${pkg}`);
  }
  assert.deepEqual(wrong, []);
});

test('layers: pluginProcesses/pluginSide/ runs only in plugin processes: no module outside it imports it', () => {
  // The host forks its entry by path; anything else reaching into it would run plugin-side code in the host.
  const pluginSide = join('core', 'pluginProcesses', 'pluginSide');
  const wrong: string[] = [];
  for (const [file, { local }] of graph) {
    if (inside(file, pluginSide)) continue;
    for (const dep of local) if (inside(dep, pluginSide)) wrong.push(`${rel(file)} -> ${rel(dep)}`);
  }
  assert.deepEqual(wrong, []);
});

test('layers: no import cycles in main/ (type-only imports count: they tie the modules just the same)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const dep of graph.get(file)?.local ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep].map(rel).join(' -> '));
      else if (!state.has(dep)) visit(dep);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test('layers: the API contract (main/api/contract.ts and its domain files in contract/) imports nothing but itself: the renderer compiles it', () => {
  const contract = [join(main, 'api', 'contract.ts'), ...files.filter((f) => inside(f, join('api', 'contract')))];
  assert.ok(contract.length > 1, 'the domain files were found');
  const wrong: string[] = [];
  for (const file of contract) {
    const { local, packages } = graph.get(file)!;
    for (const dep of local) if (!contract.includes(dep)) wrong.push(`${rel(file)} -> ${rel(dep)}`);
    for (const pkg of packages) wrong.push(`${rel(file)} -> ${pkg}`);
    if (/from\s+'node:/.test(readFileSync(file, 'utf8'))) wrong.push(`${rel(file)} -> node:`);
  }
  assert.deepEqual(wrong, []);
});
