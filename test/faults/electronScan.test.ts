import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, tempDir } from '../helpers.js';

const SCANNER = '@doyensec/electronegativity@1.10.3';
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron;

test('Electron security scan: every finding is fixed or justified in main/electron/security-findings.json', async (t) => {
  const input = tempDir('si-scan-');
  for (const name of readdirSync(join(repoRoot, 'main', 'electron'))) if (/\.c?ts$/.test(name)) copyFileSync(join(repoRoot, 'main', 'electron', name), join(input, name));
  copyFileSync(join(repoRoot, 'renderer', 'index.html'), join(input, 'index.html'));
  const report = join(tempDir('si-scan-out-'), 'report.csv');
  // Fetched with npx (not a dependency: it drags in an old TypeScript and ESLint); exits 0 even with findings.
  const run = await promisify(execFile)('npx', ['--yes', SCANNER, '-i', input, '-e', ELECTRON_VERSION, '-r', '-o', report], { cwd: input, timeout: 300_000, maxBuffer: 16 << 20 }).catch((error: Error) => error);
  if (run instanceof Error) {
    t.skip(`the scanner could not be fetched or run (${run.message.split('\n')[0]}); it runs wherever the npm registry is reachable`);
    return;
  }
  // A real CSV read: a cell may hold commas, quotes and line breaks (the CSP finding quotes the policy).
  const findings = parseCsv(readFileSync(report, 'utf8')).slice(1).filter((row) => row.length > 1).map(([issue, severity, , file, location]) => ({ issue, severity, file, location }));
  const { accepted } = JSON.parse(readFileSync(join(repoRoot, 'main', 'electron', 'security-findings.json'), 'utf8')) as { accepted: { issue: string; file: string; why: string }[] };
  const unjustified = findings.filter((f) => !accepted.some((a) => a.issue === f.issue && a.file === f.file));
  console.log(`Electron security scan: ${findings.length} findings, ${findings.length - unjustified.length} justified, ${unjustified.length} open`);
  assert.deepEqual(unjustified, [], 'fix these findings, or justify them in main/electron/security-findings.json');
  for (const a of accepted) assert.ok(a.why.length > 40, `${a.issue} has a real justification`);
});

/** RFC 4180: fields separated by commas, optionally quoted; a quoted field may hold commas, "" and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

