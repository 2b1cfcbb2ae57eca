import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, sleep, tempDir, writePlugin, writeSession } from '../../helpers.js';

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test(
  'a plugin process spinning in an endless loop ends when its host is killed (no orphan left burning CPU)',
  { skip: existsSync('/proc/self/stat') ? false : 'needs /proc (Linux)' },
  async () => {
    const dir = tempDir();
    writeSession(join(dir, 'sessions'), 'a/x.jsonl', '{}\n');
    writePlugin(join(dir, 'plugins'), 'spin', `export default { name: 'spin', processSession() { for (;;) {} } };`);
    const engineUrl = pathToFileURL(join(repoRoot, 'dist', 'main', 'core', 'engine.js')).href;
    const host = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
    const { Engine } = await import(${JSON.stringify(engineUrl)});
    const engine = await Engine.open({
      state: ${JSON.stringify(join(dir, 'db.duckdb'))},
      sessions: ${JSON.stringify(join(dir, 'sessions'))},
      plugins: [${JSON.stringify(join(dir, 'plugins'))}],
      builtins: false,
      pluginProcesses: 1,
      home: ${JSON.stringify(join(dir, 'home'))},
    });
    engine.run([]);
    setTimeout(() => console.log('spinning'), 1000);
    setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => host.stdout.once('data', () => resolve()));
    const plugins = childrenOf(host.pid!);
    assert.ok(plugins.length >= 1, 'the host has a plugin process');
    host.kill('SIGKILL');
    await new Promise((r) => host.on('exit', r));
    for (let i = 0; i < 40 && plugins.some((p) => existsSync(`/proc/${p}`)); i++) await sleep(100);
    const left = plugins.filter((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '));
    assert.deepEqual(left, [], 'every plugin process ended within 4 s of its host');
  },
);
