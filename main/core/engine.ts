import { UsageError } from './errors.js';
import { builtinPluginsDir } from './paths.js';
import { loadPlugins, type LoadedProcessor, type PluginSet, type PluginSource } from './plugins/loader.js';
import { Runner, type RunOptions } from './runner/runner.js';
import { PluginPool } from './host/pool.js';
import type { RunStats } from './runner/stats.js';
import { scanSessionRoot, type ScanResult } from './scan.js';
import { SessionFile } from './sessionFile.js';
import { StateStore } from './store/stateStore.js';
import { syncViews } from './store/views.js';
import type { JsonRow, StateFilter } from './store/types.js';
import { selectCandidates } from './runner/candidates.js';

export interface EngineOptions {
  /** DuckDB file. */
  db: string;
  /** Session root. */
  sessions: string;
  /** Extra plugin folders (trusted: named by the user on the command line). */
  plugins?: string[];
  /** Load the built-in plugins/ folder (default true). */
  builtins?: boolean;
  /** Plugin processes (default: one per core). */
  workers?: number;
  /** Heap limit per plugin process, MB (default 512). */
  memoryLimitMb?: number;
}

/**
 * The engine's front door for the CLI and the app: one state store, one runner, the loaded plugins and
 * the session root. Everything a command does goes through here.
 */
export class Engine {
  readonly runner: Runner;
  /** Plugin code (loading and processing) runs only in these processes, never in this one. */
  readonly pool: PluginPool;
  private pluginSet: PluginSet | undefined;

  private constructor(readonly options: EngineOptions, readonly store: StateStore) {
    this.pool = new PluginPool({ size: options.workers, memoryLimitMb: options.memoryLimitMb });
    this.runner = new Runner(store, this.pool);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    return new Engine(options, await StateStore.open(options.db));
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.store.close();
  }

  pluginSources(): PluginSource[] {
    const sources: PluginSource[] = [];
    if (this.options.builtins !== false) sources.push({ path: builtinPluginsDir(), origin: 'builtin' });
    for (const path of this.options.plugins ?? []) sources.push({ path, origin: 'cli' });
    return sources;
  }

  /** Loads the plugins once and keeps each processor's typed view in step with processor_items. */
  async plugins(): Promise<PluginSet> {
    if (!this.pluginSet) {
      const set = await loadPlugins(this.pluginSources(), this.pool);
      for (const problem of await syncViews(this.store.db, set.processors)) {
        const processor = set.processors.find((p) => problem.startsWith(`processor "${p.name}"`));
        set.plugins.find((p) => p.folder === processor?.pluginFolder)?.errors.push(problem);
      }
      this.pluginSet = set;
    }
    return this.pluginSet;
  }

  /** The named processors (all when none named); a name that is not loaded is bad usage. */
  async processors(names: string[] = []): Promise<LoadedProcessor[]> {
    const { processors } = await this.plugins();
    if (names.length === 0) return processors;
    const missing = names.filter((name) => !processors.some((p) => p.name === name));
    if (missing.length > 0) {
      const known = processors.map((p) => p.name).join(', ') || 'none';
      throw new UsageError(`--processor ${missing.join(', ')}: no such processor is loaded (loaded: ${known}); see \`session-inspector plugins\``);
    }
    return processors.filter((p) => names.includes(p.name));
  }

  scan(): Promise<ScanResult> {
    return scanSessionRoot(this.options.sessions);
  }

  async run(names: string[], options: RunOptions = {}): Promise<RunStats[]> {
    const processors = await this.processors(names);
    const { sessions } = await this.scan();
    return this.runner.runAll(processors, sessions, options);
  }

  /**
   * Clears attempts and quarantine of the matching failed sessions and runs exactly those sessions now.
   * Failures of processors that are not loaded are left as they are.
   */
  async rerunFailed(filter: StateFilter, options: RunOptions = {}): Promise<RunStats[]> {
    const processors = await this.processors(filter.processor ?? []);
    const loaded = new Set(processors.map((p) => p.name));
    const failures = (await this.store.listFailures(filter)).filter((row) => loaded.has(String(row.processor_name)));
    if (failures.length === 0) return [];
    const cleared = await this.store.clearFailures({ processor: [...new Set(failures.map((row) => String(row.processor_name)))], session: failures.map((row) => String(row.session_file)) });
    const { sessions } = await this.scan();
    const only = new Map<string, Set<string>>();
    for (const { processor, sessionKey } of cleared) only.set(processor, (only.get(processor) ?? new Set()).add(sessionKey));
    const rerun = processors.filter((p) => only.has(p.name));
    return this.runner.runAll(rerun, sessions, { ...options, only, trigger: options.trigger ?? 'rerun' });
  }

  /**
   * One row per processor known to the database or loaded: counts from the store, plus `pending`
   * (sessions the next run would look at, from a stat-only scan; null when the root cannot be scanned).
   */
  async status(onScanError?: (message: string) => void): Promise<JsonRow[]> {
    const rows = new Map((await this.store.summary()).map((row) => [String(row.processor_name), row]));
    const { processors } = await this.plugins();
    let sessions: ScanResult['sessions'] | null = null;
    try {
      sessions = (await this.scan()).sessions;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      onScanError?.(error.message);
    }
    for (const processor of processors) {
      const row = rows.get(processor.name) ?? { processor_name: processor.name, processed: 0, items_extracted: 0, failed: 0, quarantined: 0, last_run_at: null, last_run_stats: null };
      row.loaded = true;
      row.version = processor.version;
      row.pending = sessions ? selectCandidates(sessions, await this.store.snapshot(processor.name), processor.version).length : null;
      rows.set(processor.name, row);
    }
    return [...rows.values()]
      .map((row): JsonRow => ({ ...row, loaded: row.loaded ?? false, version: row.version ?? null, pending: row.pending ?? null }))
      .sort((a, b) => (String(a.processor_name) < String(b.processor_name) ? -1 : 1));
  }

  /** Hashes the sessions as they are now and records them as processed by the processor's current version. */
  async markProcessed(processorName: string, sessionKeys: string[]): Promise<number> {
    const [processor] = await this.processors([processorName]);
    const { sessions } = await this.scan();
    const byKey = new Map(sessions.map((s) => [s.sessionKey, s]));
    const unknown = sessionKeys.filter((key) => !byKey.has(key));
    if (unknown.length > 0) throw new UsageError(`--session ${unknown.join(', ')}: no such session under ${this.options.sessions}`);
    const entries = [];
    for (const key of sessionKeys) {
      const file = await SessionFile.open(byKey.get(key)!);
      try {
        entries.push({ sessionKey: key, username: file.username, readAt: file.readAt, fileHash: await file.md5() });
      } finally {
        await file.close();
      }
    }
    return this.store.markProcessed(processor.name, processor.version, entries);
  }
}
