import { join } from 'node:path';
import { after, test } from 'node:test';
import { Engine } from '../../main/core/engine.js';
import type { RunOptions } from '../../main/core/runner/runner.js';
import type { RunStats } from '../../main/core/runner/stats.js';
import { tempDir, writePlugin } from '../helpers.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../support/postgres.js';

export type Backend = 'duckdb' | 'postgres';

/** Registers a state test once per backend; the PostgreSQL one skips, saying why, without a test server. */
export function stateTest(name: string, fn: (backend: Backend) => Promise<void>): void {
  test(`${name} [duckdb]`, () => fn('duckdb'));
  test(`${name} [postgres]`, async (t) => {
    if (!testPostgresUrl()) return t.skip(postgresSkipReason);
    await fn('postgres');
  });
}

/** A fresh store of that backend: a DuckDB file in `dir`, or a new database on the test PostgreSQL server. */
export async function freshState(backend: Backend, dir: string): Promise<string> {
  if (backend === 'duckdb') return join(dir, 'state.duckdb');
  const fresh = await freshDatabase();
  after(() => fresh.drop());
  return fresh.url;
}

/** A session root, a database file and a plugin folder in a fresh temp dir, plus an engine over them. */
export class Harness {
  readonly dir = tempDir();
  readonly root = join(this.dir, 'sessions');
  readonly db = join(this.dir, 'state.duckdb');
  readonly pluginsDir = join(this.dir, 'plugins');
  private engine: Engine | undefined;
  readonly logs: string[] = [];

  private state: string | undefined;

  /** pluginProcesses: plugin processes (default 2, what this machine has); memoryLimitMb: their heap limit (default the engine's). */
  constructor(
    private readonly pluginProcesses = 2,
    readonly backend: Backend = 'duckdb',
    private readonly memoryLimitMb?: number,
  ) {}

  plugin(name: string, source: string, pkg: Record<string, unknown> = {}): this {
    writePlugin(this.pluginsDir, name, source, pkg);
    return this;
  }

  async open(): Promise<Engine> {
    if (!this.engine) {
      this.state ??= await freshState(this.backend, this.dir);
      this.engine = await Engine.open({
        state: this.state,
        sessions: this.root,
        plugins: [this.pluginsDir],
        builtins: false,
        pluginProcesses: this.pluginProcesses,
        ...(this.memoryLimitMb ? { memoryLimitMb: this.memoryLimitMb } : {}),
      });
      const engine = this.engine;
      after(() => engine.close());
    }
    return this.engine;
  }

  /** Closes the engine; the next open() reloads plugins (what a new CLI process would do). */
  async reopen(): Promise<Engine> {
    await this.engine?.close();
    this.engine = undefined;
    return this.open();
  }

  async run(processor: string, options: RunOptions = {}): Promise<RunStats> {
    const engine = await this.open();
    const [stats] = await engine.run([processor], { log: (level, m) => this.logs.push(`${level}: ${m}`), ...options });
    return stats;
  }

  async rows(sql: string) {
    return (await this.open()).store.db.all(sql);
  }
}

/** The counters of a stats object, without ids and timings, for exact comparisons. */
export function counts(stats: RunStats) {
  const { scanned, processed, skipped, capped, errors, quarantined, vanished, items_extracted } = stats;
  return { scanned, processed, skipped, capped, errors, quarantined, vanished, items_extracted };
}
