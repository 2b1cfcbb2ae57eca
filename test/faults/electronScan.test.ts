import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, tempDir } from '../helpers.js';

const SCANNER = '@doyensec/electronegativity@1.10.3';
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies
  .electron;

test('Electron security scan: every finding is fixed or justified in main/electron/security-findings.json', async (t) => {
  const input = tempDir('si-scan-');
  for (const name of readdirSync(join(repoRoot, 'main', 'electron')))
    if (/\.c?ts$/.test(name)) copyFileSync(join(repoRoot, 'main', 'electron', name), join(input, name));
  copyFileSync(join(repoRoot, 'renderer', 'index.html'), join(input, 'index.html'));
  // SARIF, not CSV: the scanner writes the CSV header and rows in two concurrent writes, and when the header
  // lands last it overwrites the first row (seen on CI). Its SARIF report is one JSON write.
  const report = join(tempDir('si-scan-out-'), 'report.sarif');
  // Fetched with npx (not a dependency: it drags in an old TypeScript and ESLint); exits 0 even with findings.
  const run = await promisify(execFile)('npx', ['--yes', SCANNER, '-i', input, '-e', ELECTRON_VERSION, '-r', '-o', report], {
    cwd: input,
    timeout: 300_000,
    maxBuffer: 16 << 20,
  }).catch((error: Error) => error);
  if (run instanceof Error) {
    t.skip(`the scanner could not be fetched or run (${run.message.split('\n')[0]}); it runs wherever the npm registry is reachable`);
    return;
  }
  const findings = readSarif(report);
  const { accepted } = JSON.parse(readFileSync(join(repoRoot, 'main', 'electron', 'security-findings.json'), 'utf8')) as {
    accepted: { issue: string; file: string; why: string }[];
  };
  const unjustified = findings.filter((f) => !accepted.some((a) => a.issue === f.issue && a.file === f.file));
  console.log(`Electron security scan: ${findings.length} findings, ${findings.length - unjustified.length} justified, ${unjustified.length} open`);
  assert.deepEqual(unjustified, [], 'fix these findings, or justify them in main/electron/security-findings.json');
  for (const a of accepted) assert.ok(a.why.length > 40, `${a.issue} has a real justification`);
});

type Finding = { issue: string; file: string; line: number | undefined; message: string };

/** The findings of a SARIF 2.1 report; a report without the expected shape fails the test rather than passing empty. */
function readSarif(path: string): Finding[] {
  const sarif = JSON.parse(readFileSync(path, 'utf8')) as { runs?: { results?: SarifResult[] }[] };
  const results = sarif.runs?.[0]?.results;
  assert.ok(Array.isArray(results), `${path}: no runs[0].results in the scanner's SARIF report`);
  return results.map((r) => {
    const where = r.locations?.[0]?.physicalLocation;
    assert.ok(r.ruleId && where?.artifactLocation?.uri, `${path}: a result without ruleId or file: ${JSON.stringify(r)}`);
    return { issue: r.ruleId, file: where.artifactLocation.uri, line: where.region?.startLine, message: r.message?.text ?? '' };
  });
}

type SarifResult = {
  ruleId?: string;
  message?: { text?: string };
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[];
};
