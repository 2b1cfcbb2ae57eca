import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { repoRoot } from '../helpers.js';

/** Starts the CLI and SIGKILLs it after `ms` (a crash, or a power cut); resolves when it is gone. */
export function runAndKill(args: string[], env: NodeJS.ProcessEnv, ms: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'session-inspector.js'), ...args], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}

/** Runs statements on a database file with a short-lived DuckDB instance; the last one's rows, BigInts as numbers. */
export async function sql(db: string, ...statements: string[]): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(db);
  const c = await instance.connect();
  let rows: unknown[][] = [];
  try {
    for (const s of statements) rows = (await c.runAndReadAll(s)).getRowsJS();
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}
