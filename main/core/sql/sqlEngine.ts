import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlSpec } from '../plugins/processorSchema.js';
import { SqlSandbox, type CheckedSql } from './sqlSandbox.js';

export interface SqlEngineOptions {
  /** DuckDB threads and batches side by side (default: one per core). */
  threads?: number;
  /** DuckDB's memory limit for SQL processors, MB (default 512). */
  memoryLimitMb?: number;
}

/**
 * Where SQL processors run: one sandboxed DuckDB per session root (it may read only that folder), opened on
 * first use and kept for later runs, plus one that reads nothing, for checking plugins' SQL when they load.
 */
export class SqlEngine {
  private readonly sandboxes = new Map<string, Promise<SqlSandbox>>();
  private checker: Promise<SqlSandbox> | undefined;
  private checkRoot: string | undefined;

  constructor(private readonly options: SqlEngineOptions = {}) {}

  /** The sandbox that reads `root` (the scan's real root). A new root closes the previous one. */
  sandbox(root: string): Promise<SqlSandbox> {
    let sandbox = this.sandboxes.get(root);
    if (!sandbox) {
      for (const [other, previous] of this.sandboxes) {
        this.sandboxes.delete(other);
        void previous.then(
          (s) => s.close(),
          () => undefined,
        );
      }
      sandbox = SqlSandbox.open({ root, ...this.options });
      sandbox.catch(() => this.sandboxes.delete(root));
      this.sandboxes.set(root, sandbox);
    }
    return sandbox;
  }

  /** Checks a SQL processor's declaration in a sandbox that can read nothing. */
  async check(spec: SqlSpec): Promise<{ checked?: CheckedSql; problems: string[] }> {
    this.checkRoot ??= mkdtempSync(join(tmpdir(), 'si-sql-check-'));
    this.checker ??= SqlSandbox.open({ root: this.checkRoot, threads: 1, memoryLimitMb: 64 });
    return (await this.checker).check(spec);
  }

  async close(): Promise<void> {
    const all = [...this.sandboxes.values(), ...(this.checker ? [this.checker] : [])];
    this.sandboxes.clear();
    this.checker = undefined;
    for (const sandbox of all) (await sandbox.catch(() => undefined))?.close();
    if (this.checkRoot) rmSync(this.checkRoot, { recursive: true, force: true });
    this.checkRoot = undefined;
  }
}
