import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingPlugin, repoRoot, tempDir, writePlugin } from '../helpers.js';
import { samplePeakRss } from './memory.js';

const line = (i: number) =>
  `${JSON.stringify({
    type: 'assistant',
    uuid: `a-${i}`,
    timestamp: '2025-09-01T10:00:00.000Z',
    requestId: `req_${i}`,
    message: {
      id: `msg_${i}`,
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: `answer ${i} ${'lorem ipsum dolor sit amet → é '.repeat(60)}` }],
      usage: { input_tokens: 3, output_tokens: 7 },
    },
  })}\n`;

/** Runs the CLI with its RSS (host and plugin processes) sampled; returns exit code, stdout, stderr and the peak. */
function runMeasured(
  args: string[],
  env: NodeJS.ProcessEnv,
  extra: { uid?: number; gid?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; peakMb: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'session-inspector.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...extra });
    const sampler = samplePeakRss(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr, peakMb: Math.round(sampler.stop() / 1e6) }));
  });
}

function setup() {
  const dir = tempDir('si-big-');
  const root = join(dir, 'sessions');
  mkdirSync(join(root, 'big'), { recursive: true });
  return { dir, root, env: { ...process.env, SESSION_INSPECTOR_HOME: join(dir, 'home') } };
}

test('a 1 GB session with every built-in processor: processed with bounded memory', async () => {
  const { dir, root, env } = setup();
  const file = join(root, 'big', 'one-gigabyte.jsonl');
  const fd = openSync(file, 'w');
  let bytes = 0;
  const block = Array.from({ length: 200 }, (_, i) => line(i)).join('');
  for (let i = 0; bytes < 1e9; i++) {
    writeSync(fd, block);
    bytes += Buffer.byteLength(block);
  }
  closeSync(fd);
  const result = await runMeasured(['run', '--sessions', root, '--db', join(dir, 'db.duckdb'), '--json', '--time-budget', '3600'], env);
  assert.equal(result.code, 0, result.stderr);
  const stats = JSON.parse(result.stdout) as { processor: string; processed: number; errors: number; errors_detail: unknown[] }[];
  for (const s of stats) assert.deepEqual([s.processor, s.processed, s.errors], [s.processor, 1, 0], JSON.stringify(s.errors_detail));
  console.log(`1 GB session: ${(bytes / 1e9).toFixed(2)} GB through ${stats.length} processors, peak RSS ${result.peakMb} MB (host and plugin processes)`);
  assert.ok(result.peakMb < 1000, `peak RSS stays bounded (${result.peakMb} MB)`);
});

test('a 100 MB single line is parsed and processed', async () => {
  const { dir, root, env } = setup();
  writeFileSync(join(root, 'big', 'long-line.jsonl'), `${JSON.stringify({ type: 'user', message: { content: 'x'.repeat(100_000_000) } })}\n${line(1)}`);
  const plugins = join(dir, 'plugins');
  writePlugin(plugins, 'count', countingPlugin('count'));
  const result = await runMeasured(['run', '--sessions', root, '--db', join(dir, 'db.duckdb'), '--json', '--plugins', plugins, '--no-builtins'], env);
  assert.equal(result.code, 0, result.stderr);
  const [stats] = JSON.parse(result.stdout) as { processed: number; items_extracted: number; malformed_lines: number }[];
  assert.deepEqual([stats.processed, stats.items_extracted, stats.malformed_lines], [1, 2, 0]);
  console.log(`100 MB line: processed, peak RSS ${result.peakMb} MB`);
});

test('100,000 sessions in one folder', async () => {
  const { dir, root, env } = setup();
  const folder = join(root, 'crowded');
  mkdirSync(folder);
  for (let i = 0; i < 100_000; i++) writeFileSync(join(folder, `s${i}.jsonl`), '{"type":"user"}\n');
  const plugins = join(dir, 'plugins');
  writePlugin(plugins, 'count', countingPlugin('count'));
  const args = ['run', '--sessions', root, '--db', join(dir, 'db.duckdb'), '--json', '--plugins', plugins, '--no-builtins', '--time-budget', '3600'];
  const first = await runMeasured(args, env);
  assert.equal(first.code, 0, first.stderr);
  const [cold] = JSON.parse(first.stdout) as { processed: number; duration_ms: number }[];
  assert.equal(cold.processed, 100_000);
  const second = await runMeasured(args, env);
  const [rerun] = JSON.parse(second.stdout) as { scanned: number; bytes_read: number }[];
  assert.deepEqual([rerun.scanned, rerun.bytes_read], [0, 0]);
  console.log(`100,000 files in one folder: cold run ${(cold.duration_ms / 1000).toFixed(1)} s, peak RSS ${first.peakMb} MB; rerun reads 0 bytes`);
});

test(
  'a session that cannot be read (permission denied) fails alone with the reason',
  { skip: process.getuid?.() !== 0 ? 'needs root to run the check as another user' : false },
  async () => {
    const { dir, root, env } = setup();
    chmodSync(dir, 0o777);
    for (const sub of [root, join(root, 'big')]) chmodSync(sub, 0o777);
    writeFileSync(join(root, 'big', 'readable.jsonl'), line(1));
    writeFileSync(join(root, 'big', 'locked.jsonl'), line(2));
    chmodSync(join(root, 'big', 'readable.jsonl'), 0o644);
    chmodSync(join(root, 'big', 'locked.jsonl'), 0o000);
    const home = join(dir, 'home');
    mkdirSync(home, { mode: 0o777 });
    chmodSync(home, 0o777);
    const plugins = join(dir, 'plugins');
    writePlugin(plugins, 'count', countingPlugin('count'));
    chmodSync(plugins, 0o755);
    const result = await runMeasured(
      ['run', '--sessions', root, '--db', join(home, 'db.duckdb'), '--json', '--plugins', plugins, '--no-builtins'],
      { ...env, HOME: home, SESSION_INSPECTOR_HOME: home },
      { uid: 65534, gid: 65534 },
    );
    assert.equal(result.code, 0, result.stderr);
    const [stats] = JSON.parse(result.stdout) as { processed: number; errors: number; errors_detail: { session: string; error: string }[] }[];
    assert.deepEqual([stats.processed, stats.errors], [1, 1]);
    assert.equal(stats.errors_detail[0].session, 'big/locked.jsonl');
    assert.match(stats.errors_detail[0].error, /cannot read .*locked\.jsonl: .*(EACCES|permission denied)/);
  },
);
