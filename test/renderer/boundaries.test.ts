// The renderer's architecture rules, checked on its source: it imports only the API contract from main,
// only the packages it was meant to, never renders HTML from strings, and keeps files small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers.js';

const src = join(repoRoot, 'renderer', 'src');
const contract = join(repoRoot, 'main', 'api', 'contract.ts');
const PACKAGES = new Set([
  'react',
  'react-dom/client',
  'zustand',
  'zustand/vanilla',
  'zustand/react/shallow',
  '@tanstack/react-virtual',
  'uplot',
  'uplot/dist/uPlot.min.css',
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}
const sources = files(src).filter((f) => /\.(ts|tsx)$/.test(f));

test('renderer: imports stay inside renderer/src, the contract and the allowed packages', () => {
  assert.ok(sources.length > 20);
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '');
        const inside = !relative(src, target).startsWith('..');
        assert.ok(
          inside || target === contract.replace(/\.ts$/, ''),
          `${relative(repoRoot, file)} imports ${spec}: only renderer/src and main/api/contract.ts`,
        );
      } else {
        assert.ok(PACKAGES.has(spec), `${relative(repoRoot, file)} imports the package ${spec}`);
      }
    }
  }
});

test('renderer: untrusted text is never turned into HTML or code', () => {
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const banned of ['dangerouslySetInnerHTML', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      assert.ok(!text.includes(banned), `${relative(repoRoot, file)} uses ${banned}`);
    }
  }
});

test('renderer: components are PascalCase, one per file; files stay under 400 lines', () => {
  for (const file of sources) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    assert.ok(lines <= 400, `${relative(repoRoot, file)} has ${lines} lines`);
    if (file.endsWith('.tsx') && basename(file) !== 'main.tsx') assert.match(basename(file), /^[A-Z][A-Za-z]+\.tsx$/);
  }
});

test('renderer: the page has the strict CSP and loads nothing from the network', () => {
  const html = readFileSync(join(repoRoot, 'renderer', 'index.html'), 'utf8');
  // The policy without frame-ancestors, which a meta tag cannot carry (browser mode sends it as a header).
  assert.match(
    html,
    new RegExp(
      `Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ` +
        `connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"`,
    ),
  );
  for (const file of [...sources, join(src, 'styles.css'), join(repoRoot, 'renderer', 'index.html')]) {
    assert.ok(!/https?:\/\/(?!127\.0\.0\.1)/.test(readFileSync(file, 'utf8')), `${relative(repoRoot, file)} references the network`);
  }
});
