import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BusyError, UsageError } from './errors.js';
import { builtinPluginsDir, userDataDir } from './paths.js';
import { loadPlugins, type LoadedProcessor, type PluginReport, type PluginSet, type PluginSource } from './plugins/loader.js';
import { installPlugin, type InstalledPlugin } from './plugins/install.js';
import { PluginSettings } from './plugins/pluginSettings.js';
import { PluginSnapshots } from './plugins/snapshot.js';
import { validatePlugin } from './plugins/validate.js';
import { Runner, type RunOptions } from './runner/runner.js';
import { PluginPool } from './pluginProcesses/pool.js';
import type { RunStats } from './runner/stats.js';
import { scanSessionRoot, sessionGroup, type ScanResult } from './scan.js';
import type { SessionEntry } from './sessionFile.js';
import { StateStore } from './store/stateStore.js';
import { isNewStoreFile } from './store/database.js';
import { OrphanStore } from './store/orphanStore.js';
import { syncViews } from './store/views.js';
import type { JsonRow, StateFilter } from './store/types.js';
import { SqlEngine } from './sql/sqlEngine.js';
import { RunService, type ScannedForRun } from './runService.js';
import { markProcessed, processorStatus } from './processorStatus.js';
import type { RunEvent } from './runEvents.js';
import { checkHealth, DEFAULT_THRESHOLDS, type Health, type HealthThresholds } from './health.js';
import { CadenceSettings, resolveCadence } from './scheduler/cadence.js';
import { redactSecrets, type RedactOptions, type RedactReport, type RedactSelection } from './redaction/redactSecrets.js';
import { withGone, type SessionArchive } from './archive/sessionArchive.js';
import { ArchiveHandle } from './archive/archiveHandle.js';

export interface EngineOptions {
  /** The state store: a DuckDB file, or a postgres:// URL (team mode). */
  state: string;
  /** Session root. */
  sessions: string;
  /** Extra plugin folders (trusted: named by the user on the command line). */
  plugins?: string[];
  /** Load the built-in plugins/ folder (default true). */
  builtins?: boolean;
  /** Plugin processes that run JavaScript processors (default: one per core). */
  pluginProcesses?: number;
  /** Heap limit per plugin process, MB (default 512). */
  memoryLimitMb?: number;
  /** DuckDB's memory limit for SQL processors, MB (default 512). */
  sqlMemoryLimitMb?: number;
  /** Per-user data folder (user plugins, plugin approvals); default userDataDir(). */
  home?: string;
  /**
   * The archive folder: every scan of a run copies new and grown sessions there, and sessions whose source
   * is gone are read from it. None when undefined (the CLI and the app default to `<home>/archive`).
   */
  archive?: string;
  /**
   * Opened to run processors: when the store is a DuckDB file that does not exist yet, every session will
   * be due, so the plugin processes start while the store opens (loading DuckDB takes a few hundred ms).
   */
  toRun?: boolean;
}

/**
 * The engine's front door for the CLI and the app: one state store, one runner, the loaded plugins and
 * the session root. Everything a command does goes through here.
 */
export class Engine {
  readonly runner: Runner;
  /** Sessions whose file was deleted: kept, marked, removable. */
  readonly orphans: OrphanStore;
  /** Plugin code (loading and processing) runs only in these processes, never in this one. */
  readonly pool: PluginPool;
  /** SQL processors run here, in DuckDB, never in a plugin process. */
  readonly sql: SqlEngine;
  /** Every run starts here, whichever face asks: one pass per run, and no processor twice at once. */
  readonly runs: RunService;
  private pluginSet: PluginSet | undefined;

  readonly home: string;
  readonly userPluginsDir: string;
  private readonly settings: PluginSettings;
  private readonly snapshots: PluginSnapshots;

  private constructor(
    readonly options: EngineOptions,
    readonly store: StateStore,
    pool: PluginPool,
  ) {
    this.pool = pool;
    this.sql = new SqlEngine({ ...(options.sqlMemoryLimitMb ? { memoryLimitMb: options.sqlMemoryLimitMb } : {}) });
    this.runner = new Runner(store, this.pool, this.sql);
    this.runs = new RunService(this);
    this.orphans = new OrphanStore(store.db);
    this.home = options.home ?? userDataDir();
    this.archives = new ArchiveHandle(options.archive);
    this.userPluginsDir = join(this.home, 'plugins');
    this.settings = new PluginSettings(join(this.home, 'plugin-settings.json'));
    this.snapshots = new PluginSnapshots(join(this.home, 'plugin-cache'));
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const pool = new PluginPool({ size: options.pluginProcesses, memoryLimitMb: options.memoryLimitMb });
    if (options.toRun && isNewStoreFile(options.state)) pool.warm();
    try {
      return new Engine(options, await StateStore.open(options.state), pool);
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.sql.close();
    await this.archives.close();
    await this.store.close();
  }

  /** The archive (options.archive), opened at first use. */
  readonly archives: ArchiveHandle;

  /** The archive, or null when there is none or it cannot be opened (then `warn` is told why). */
  archive(warn?: (message: string) => void): Promise<SessionArchive | null> {
    return this.archives.open(warn);
  }

  /** Built-in first, then the user plugin folder, then folders named on the command line: the first owner of a name wins. */
  pluginSources(): PluginSource[] {
    const sources: PluginSource[] = [];
    if (this.options.builtins !== false) sources.push({ path: builtinPluginsDir(), origin: 'builtin' });
    sources.push({ path: this.userPluginsDir, origin: 'user' });
    for (const path of this.options.plugins ?? []) sources.push({ path, origin: 'cli' });
    return sources;
  }

  /** Loads the plugins once and keeps each processor's typed view in step with processor_items. */
  async plugins(): Promise<PluginSet> {
    if (this.pluginSet) return this.pluginSet;
    // Callers arriving while the first load runs share it (two loads raced, and a later run could start first).
    this.pluginsLoading ??= this.loadAll()
      .then((set) => (this.pluginSet ??= set))
      .finally(() => {
        this.pluginsLoading = undefined;
      });
    return this.pluginsLoading;
  }
  private pluginsLoading: Promise<PluginSet> | undefined;

  private async loadAll(): Promise<PluginSet> {
    const set = await loadPlugins(
      this.pluginSources(),
      this.pool,
      this.snapshots,
      (spec) => this.sql.check(spec),
      (folder, origin, contentHash) => ({
        enabled: this.settings.isEnabled(folder),
        approval:
          origin !== 'user'
            ? 'trusted'
            : this.settings.isApproved(folder, contentHash)
              ? 'approved'
              : this.settings.get(folder).approvedHash
                ? 'changed'
                : 'unapproved',
      }),
    );
    for (const problem of await syncViews(this.store.db, set.processors)) {
      const processor = set.processors.find((p) => problem.startsWith(`processor "${p.name}"`));
      set.plugins.find((p) => p.folder === processor?.pluginFolder)?.errors.push(problem);
    }
    return set;
  }

  /**
   * Loads every plugin again (changed files get a fresh module URL) and moves later tasks to fresh plugin
   * processes. A plugin whose reload fails keeps its last good processors running, with the error reported.
   */
  async reloadPlugins(): Promise<PluginSet> {
    const previous = this.pluginSet;
    const next = await this.loadAll();
    for (const report of next.plugins) {
      const before = previous?.plugins.find((p) => p.folder === report.folder);
      if (!before?.loaded || report.loaded || report.errors.length === 0 || !report.enabled) continue;
      const kept = previous!.processors.filter((p) => p.pluginFolder === report.folder && !next.processors.some((n) => n.name === p.name));
      next.processors.push(...kept);
      report.processors = kept.map((p) => p.name);
      report.loaded = kept.length > 0;
      report.errors.push(`reload failed; still running the last good version (${before.contentHash?.slice(0, 12)})`);
    }
    this.pluginSet = next;
    this.pool.recycle();
    this.snapshots.prune(new Set(next.processors.map((p) => this.snapshots.hashOf(p.entryUrl))));
    return next;
  }

  /** The plugin a user names: its package name or folder name, or its folder path. */
  async findPlugin(name: string): Promise<PluginReport> {
    const { plugins } = await this.plugins();
    const match = plugins.find((p) => p.name === name || basename(p.folder) === name || p.folder === resolve(name));
    if (!match) throw new UsageError(`no plugin named "${name}" (see \`session-inspector plugins\`)`);
    return match;
  }

  /** Approves a plugin at its current content; its code may load from now on, until it changes. */
  async approvePlugin(name: string): Promise<PluginReport> {
    const plugin = await this.findPlugin(name);
    if (!plugin.contentHash) throw new UsageError(`plugin "${name}" cannot be approved: ${plugin.errors.join('; ')}`);
    this.settings.update(plugin.folder, { approvedHash: plugin.contentHash });
    return this.findInReloaded(plugin.folder);
  }

  async setPluginEnabled(name: string, enabled: boolean): Promise<PluginReport> {
    const plugin = await this.findPlugin(name);
    this.settings.update(plugin.folder, { enabled });
    return this.findInReloaded(plugin.folder);
  }

  /** Copies a plugin folder into the user plugin folder; it stays unapproved unless `approve` is set. */
  async installPlugin(path: string, approve: boolean): Promise<{ installed: InstalledPlugin; plugin: PluginReport }> {
    const installed = await installPlugin(path, this.userPluginsDir);
    if (approve) this.settings.update(installed.folder, { approvedHash: installed.contentHash });
    return { installed, plugin: await this.findInReloaded(installed.folder) };
  }

  validatePlugin(path: string) {
    return validatePlugin(resolve(path), this.pool, (spec) => this.sql.check(spec));
  }

  private async findInReloaded(folder: string): Promise<PluginReport> {
    const set = await this.reloadPlugins();
    return set.plugins.find((p) => p.folder === folder)!;
  }

  /**
   * Hot reload: watches every plugin folder and reloads (debounced) when a file changes. Returns a stop
   * function. Watching is recursive, which Node supports on Linux, macOS and Windows.
   */
  watchPlugins(onReload: (set: PluginSet) => void, debounceMs = 300): () => void {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let reloading = Promise.resolve();
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        reloading = reloading.then(() => this.reloadPlugins().then(onReload, () => undefined));
      }, debounceMs);
    };
    for (const source of this.pluginSources()) {
      if (!existsSync(source.path)) continue;
      try {
        watchers.push(watch(source.path, { recursive: true }, schedule));
      } catch {
        // a folder that cannot be watched is still loaded; it just does not hot-reload
      }
    }
    return () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
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

  /**
   * Whether a scan may mark sessions orphaned (default yes). The app turns it off on a shared store: an
   * analyst's folder is often not the team's, and marking from it would flag every session it lacks.
   */
  private marksOrphans = true;
  setOrphanMarking(on: boolean): void {
    this.marksOrphans = on;
  }

  /** The app lets the user choose (and change) the session folder after start. */
  setSessionRoot(path: string): void {
    this.options.sessions = path;
  }

  scan(): Promise<ScanResult> {
    if (!this.options.sessions) return Promise.reject(new UsageError('no session folder chosen yet (set --sessions or pick one in the app)'));
    return scanSessionRoot(this.options.sessions);
  }

  /**
   * Scans the session root and brings the orphan marks in step with it: sessions known to the database
   * whose file is gone are marked orphaned, orphaned ones whose file is back are restored.
   */
  async scanSessions(now = new Date(), scanning: Promise<ScanResult> = this.scan(), signal?: AbortSignal): Promise<ScannedForRun> {
    const scan = await scanning;
    // A folder the scan could not read still holds its sessions: only a complete scan may mark one gone. An
    // empty root marks nothing either: far more often the wrong folder (or an unmounted share, in team mode)
    // than every session deleted, and on a shared store it would mark every team member's sessions.
    const complete = scan.warnings.length === 0 && scan.sessions.length > 0;
    const { gone, archiving, archiveWarnings } = await this.archives.sync(scan, complete, now.getTime(), signal);
    // Orphaned means the source file is gone, archived or not (reports count such sessions as deleted); an
    // archived one is still a session of the run: processors read it from the archive.
    const changes = await this.orphans.sync(scan.sessions, this.marksOrphans && complete, now);
    return { ...scan, sessions: withGone(scan.sessions, gone), ...changes, archiving, archiveWarnings };
  }

  /**
   * The sessions under the root and, when there is an archive, the archived ones whose source is gone:
   * what the app lists and `status` counts. Stat only: nothing is read or archived.
   */
  async scanWithArchive(): Promise<ScanResult & { sourceGone: number }> {
    const scan = await this.scan();
    const gone = await this.archives.gone(scan);
    return { ...scan, sessions: withGone(scan.sessions, gone), sourceGone: gone.length };
  }

  /** A session to read by its key: its file under the root, else its archived copy when the source is gone; null when neither. */
  async sessionEntry(sessionKey: string): Promise<SessionEntry | null> {
    const root = this.options.sessions;
    if (!root) return null;
    const path = join(root, ...sessionKey.split('/'));
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isFile()) return { path, sessionKey, group: sessionGroup(basename(root), sessionKey), sizeBytes: info.size, mtimeMs: info.mtimeMs };
    return this.archives.entry(root, sessionKey);
  }

  /** Runs the named processors (all when none named) in one pass, now; refused (BusyError) if one is already running. */
  async run(names: string[], options: EngineRunOptions = {}): Promise<RunStats[]> {
    // The scan (stat only, no database) runs while the plugins load (from their cached descriptions, or
    // in a plugin process).
    const scanning = this.scan();
    scanning.catch(() => undefined); // awaited by the run; a bad --processor is reported first
    const processors = await this.processors(names);
    return this.runs.start({ ...startOptions(options, 'cli'), processors, scanning, whenBusy: 'refuse' }).done;
  }

  /**
   * Clears attempts and quarantine of the matching failed sessions and runs exactly those sessions now.
   * Failures of processors that are not loaded are left as they are.
   */
  async rerunFailed(filter: StateFilter, options: EngineRunOptions = {}): Promise<RunStats[]> {
    const processors = await this.processors(filter.processor ?? []);
    return this.runs.start({ ...startOptions(options, 'rerun'), processors, sessions: filter.session, failedOnly: true, whenBusy: 'refuse' }).done;
  }

  /** One row per processor known to the database or loaded, with `pending` (processorStatus.ts). */
  status(onScanError?: (message: string) => void): Promise<JsonRow[]> {
    return processorStatus(this, onScanError);
  }

  /** Health of every loaded processor at `now`, each judged against its cadence as the scheduler resolves it. */
  async health(now = new Date(), thresholds: HealthThresholds = DEFAULT_THRESHOLDS): Promise<Health> {
    const { processors } = await this.plugins();
    const settings = new CadenceSettings(join(this.home, 'schedule.json'));
    const cadences = processors.map((p) => ({ name: p.name, cadenceMinutes: resolveCadence(p, settings).minutes }));
    return checkHealth(this.store.db, cadences, now, thresholds);
  }

  /** Redacts secret findings in their session files and the store (dry run unless `apply`): redaction/redactSecrets.ts. */
  async redactSecrets(selection: RedactSelection, options: RedactOptions): Promise<RedactReport> {
    // A run in flight may have read a session before its redaction and store what it read after it.
    const running = this.runs.list().map((r) => r.processor);
    if (options.apply && running.length > 0) throw new BusyError(`processors ${running.join(', ')} are running: redact when they finish, or cancel them`);
    const scan = await this.scan();
    const report = await redactSecrets(this.store.db, scan.sessions, selection, options);
    const redacted = [...new Set(report.rows.filter((r) => r.outcome === 'redacted').map((r) => r.session_file))];
    if (options.apply && redacted.length > 0) {
      const archive = await this.archive();
      await archive?.replaceRedacted(await this.scan(), redacted);
    }
    return report;
  }

  /** Hashes the sessions as they are now and records them as processed by the processor's current version. */
  async markProcessed(processorName: string, sessionKeys: string[]): Promise<number> {
    const [processor] = await this.processors([processorName]);
    return markProcessed(this.store, processor, (await this.scan()).sessions, sessionKeys, this.options.sessions);
  }
}

/** The options of a run started by a command: its caps, cancel, log and progress. */
export type EngineRunOptions = Omit<RunOptions, 'only' | 'processorSignals'>;

function startOptions(options: EngineRunOptions, trigger: string) {
  const { trigger: given, signal, log, onProgress, ...limits } = options;
  return {
    trigger: given ?? trigger,
    limits,
    ...(signal ? { signal } : {}),
    ...(log ? { log } : {}),
    onEvent: (event: RunEvent) => {
      if (event.type === 'run-progress') onProgress?.(event);
    },
  };
}
