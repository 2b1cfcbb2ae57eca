// A database file is created whole or not at all: a process killed while DuckDB writes a new file's headers
// must not leave a file every later open refuses (the archive's manifest was one, on a run killed early).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DuckDatabase } from '../../main/core/store/duckdb/duckDatabase.js';
import { repoRoot, tempDir } from '../helpers.js';
import { seeded } from './corpus.js';

/** Glimpses of a creating process, stopped at random moments (DuckDB leaves a file empty for a few ms). */
const GLIMPSES = 400;
const KILLS = 8;
/** A DuckDB file's first three blocks: its main header and two database headers. */
const HEADER_BYTES = 3 * 4096;

/** A child that creates database after database in `dir` until it is killed. */
function createForever(dir: string): ChildProcess {
  const module = pathToFileURL(join(repoRoot, 'dist', 'main', 'core', 'store', 'duckdb', 'duckDatabase.js')).href;
  const script = `const { DuckDatabase } = await import(${JSON.stringify(module)});
for (let i = 0; ; i++) await (await DuckDatabase.open(${JSON.stringify(dir)} + '/db-' + i + '.duckdb')).close();`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
}

async function kill(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

const databaseFiles = (dir: string) => readdirSync(dir).filter((n) => /^db-\d+\.duckdb$/.test(n));

/** Whether a file under the database's name is one DuckDB can open: its headers written, its magic in place. */
function whole(path: string): boolean {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, magic, 0, 4, 8);
  } finally {
    closeSync(fd);
  }
  return statSync(path).size >= HEADER_BYTES && magic.toString('latin1') === 'DUCK';
}

/** Every file opens, and so does the one the child was making when it was killed; nothing of that try is left. */
async function reopenAll(dir: string): Promise<number> {
  const files = databaseFiles(dir);
  for (const name of [...files, `db-${files.length}.duckdb`]) await (await DuckDatabase.open(join(dir, name))).close();
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.creating')),
    [],
    'nothing of a killed creation is left',
  );
  return files.length;
}

test(`new database files: stopped at ${GLIMPSES} random moments, a creating process shows only whole files; killed, it leaves files that open`, async () => {
  const random = seeded(7);
  const dir = tempDir('si-newdb-');
  const child = createForever(dir);
  const torn: string[] = [];
  try {
    await sleep(500);
    for (let i = 0; i < GLIMPSES; i++) {
      child.kill('SIGSTOP');
      await sleep(1);
      for (const name of databaseFiles(dir)) if (!whole(join(dir, name))) torn.push(`${name} (${statSync(join(dir, name)).size} bytes)`);
      child.kill('SIGCONT');
      await sleep(2 + random() * 6);
    }
  } finally {
    await kill(child);
  }
  assert.deepEqual(torn, [], 'a database file appears only whole');
  let created = await reopenAll(dir);
  for (let k = 0; k < KILLS; k++) {
    const again = tempDir('si-newdb-');
    const killed = createForever(again);
    await sleep(300 + random() * 500);
    await kill(killed);
    created += await reopenAll(again);
  }
  assert.ok(created > GLIMPSES / 10, `the children created databases while being stopped and killed (${created} in all)`);
});
