import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { after } from 'node:test';

/** The repository root (holds package.json), found from the compiled test file in dist/test/. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bin'))) dir = dirname(dir);
  return dir;
})();

/** Real Claude Code transcripts beside the repository; tests that use them skip when absent. */
export const fixturesDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'claude-code');
export const fixturesMissing = existsSync(fixturesDir) ? false : `real transcripts not found at ${fixturesDir}`;

/** A fresh temp folder, removed when the test file ends. */
export function tempDir(prefix = 'si-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a session file: records become JSON lines; a string is written as is. */
export function writeSession(root: string, key: string, content: unknown[] | string): string {
  const file = join(root, ...key.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : content.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return file;
}

/** Small but realistic records. */
export function userRecord(text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'user',
    uuid: `u-${text.length}-${Math.random().toString(36).slice(2)}`,
    timestamp: '2025-09-01T10:00:00.000Z',
    message: { role: 'user', content: text },
    ...extra,
  };
}

export function assistantRecord(text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'assistant',
    uuid: `a-${Math.random().toString(36).slice(2)}`,
    timestamp: '2025-09-01T10:00:01.000Z',
    requestId: 'req_1',
    message: { id: 'msg_1', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text }], usage: { input_tokens: 10, output_tokens: 5 } },
    ...extra,
  };
}

/**
 * A plugin folder with a package.json and an index.js built from `source` (the module's text).
 * `pkg` overrides package.json fields.
 */
export function writePlugin(parent: string, folderName: string, source: string, pkg: Record<string, unknown> = {}): string {
  const folder = join(parent, folderName);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({ name: folderName, version: '1.0.0', type: 'module', main: 'index.js', sessionInspector: { apiVersion: 1 }, ...pkg }, null, 2),
  );
  writeFileSync(join(folder, 'index.js'), source);
  return folder;
}

/** A processor module that counts records and returns one item per record type; `body` may add behaviour. */
export function countingPlugin(name: string, options: { version?: string; before?: string; timeoutMs?: number } = {}): string {
  return `
export default {
  name: ${JSON.stringify(name)},
  version: ${JSON.stringify(options.version ?? '1')},
  ${options.timeoutMs ? `timeoutMs: ${options.timeoutMs},` : ''}
  async processSession(session, ctx) {
    ${options.before ?? ''}
    const items = [];
    for await (const record of session.records()) items.push({ type: record && record.type ? record.type : null });
    return { items };
  },
};
`;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/session-inspector.js) in a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'session-inspector.js'), ...args], {
      cwd: options.cwd ?? repoRoot,
      // A private per-user data folder: tests never see (or write) the real user's plugins and approvals.
      env: { ...process.env, SESSION_INSPECTOR_HOME: tempDir('si-home-'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
