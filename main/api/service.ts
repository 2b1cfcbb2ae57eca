import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BusyError, UsageError, errorMessage } from '../core/errors.js';
import { Engine, type EngineOptions } from '../core/engine.js';
import { prometheusMetrics } from '../core/healthMetrics.js';
import { defaultSessionRoot, defaultStateTarget, userDataDir } from '../core/paths.js';
import { isPostgresUrl } from '../core/store/database.js';
import { describePostgresUrl } from '../core/store/postgres/url.js';
import { pluginContentHash } from '../core/plugins/contentHash.js';
import { ManifestError, readManifest } from '../core/plugins/manifest.js';
import { SessionIndex } from '../core/sessions/sessionIndex.js';
import { SESSION_COLUMNS, type SessionColumnId } from '../core/sessions/sessionColumns.js';

// The contract spells the sessions list's column ids out for the renderer; the compiler holds them equal to core's.
const sameColumnIds: [C.SessionColumnId] extends [SessionColumnId] ? ([SessionColumnId] extends [C.SessionColumnId] ? true : never) : never = true;
void sameColumnIds;
import { ConflictError, NotFoundError, auditEntry, listAudit, statePage, undoChange, updateState } from '../core/store/stateEdits.js';
import type * as C from './contract.js';
import { toolUsage } from '../core/reports/toolUsage.js';
import { listRuns, runTimeline } from '../core/store/runHistory.js';
import { RunManager, apiRunEvent } from './runManager.js';
import { Scheduler } from '../core/scheduler/scheduler.js';
import { readTranscript } from './transcript.js';
import { usageReport } from './usageReport.js';
import { findingsList, findingsMark, secretsRedact, secretsReveal } from './findings.js';
import { listSecretSpans } from '../core/findings.js';
import { validateArgs } from './validation.js';
import * as rows from './rows.js';
import { sessionResults } from '../core/store/sessionResults.js';

export interface ServiceOptions extends Omit<EngineOptions, 'sessions' | 'state'> {
  /** A store named on the command line; otherwise $SESSION_INSPECTOR_STATE, the app's setting, else the default file. */
  state?: string;
  mode: 'electron' | 'browser';
  /** A session root given on the command line; otherwise the one remembered, else ~/.claude/projects. */
  sessions?: string;
  /** Electron's native folder dialog. */
  pickFolder?: () => Promise<string | null>;
  /** Where an export goes: Electron asks with a save dialog, browser mode makes a download. */
  exportTarget: (fileName: string) => Promise<{ path: string; downloadUrl: string | null } | null>;
  version: string;
  /** Run processors on their cadence and when sessions change (default true; tests drive runs by hand). */
  schedule?: boolean;
}

interface AppSettings {
  sessionRoot: string | null;
  recentRoots: string[];
  /** The store chosen in the app: a DuckDB file, or a postgres:// URL without its password. */
  stateStore: string | null;
}

const RECENT_ROOTS = 8;
/** Items a session's detail shows per processor (SessionProcessorDetail.items). */
const DETAIL_ITEMS = 200;

/**
 * The API contract implemented over the engine: validation of every call's arguments, errors as values,
 * and events for the renderer. Both transports (Electron IPC, HTTP) call `handle`.
 */
/** How long the start scan waits for the app's first sessions list before it runs anyway, in ms. */
const FIRST_LIST_WAIT_MS = 3_000;

export class ApiService {
  private readonly listeners = new Set<(event: C.ApiEvent) => void>();
  private readonly settingsFile: string;
  private settings: AppSettings;
  private rootError: string | null = null;
  /** Set while the start scan waits for the first list to be answered (scanAfterFirstList). */
  private startScanPending: (() => void) | null = null;
  private stopWatching: (() => void) | null = null;
  /** Background runs on cadence and on changes; one per session root. */
  private scheduler: Scheduler | null = null;
  /** Reloads of the plugins after their folders changed, in progress. */
  private readonly pluginSyncs = new Set<Promise<unknown>>();

  private index!: SessionIndex;
  private runs!: RunManager;

  private constructor(private engine: Engine, private readonly options: ServiceOptions, settingsFile: string) {
    this.settingsFile = settingsFile;
    this.settings = readSettings(this.settingsFile);
  }

  /** Puts an engine (a state store) to use: session list, runs, plugin watching, the folder and the scheduler. */
  private async attach(engine: Engine, root: string | null): Promise<void> {
    this.engine = engine;
    // On a team store an analyst's folder is often not the team's: marking orphans from it would flag the rest.
    engine.setOrphanMarking(!engine.store.db.shared);
    this.index = new SessionIndex(engine.store.db);
    this.runs = new RunManager(engine, (e) => this.emit(e), async () => void (await this.rescan()));
    await this.syncProcessors();
    if (root) await this.useRoot(root, false).catch(() => undefined);
    this.stopWatching = engine.watchPlugins(() => {
      const sync = this.syncProcessors()
        .then(() => this.emitPlugins())
        .catch((error: unknown) => process.stderr.write(`warn: the plugin folders changed but could not be loaded again: ${errorMessage(error)}\n`))
        .finally(() => this.pluginSyncs.delete(sync));
      this.pluginSyncs.add(sync);
    });
  }

  /** Stops watching the plugin folders and waits for a reload in progress (it reads the store about to close). */
  private async stopPluginWatch(): Promise<void> {
    this.stopWatching?.();
    while (this.pluginSyncs.size > 0) await Promise.allSettled([...this.pluginSyncs]);
  }

  static async open(options: ServiceOptions): Promise<ApiService> {
    const settingsFile = join(options.home ?? userDataDir(), 'app-settings.json');
    const fromEnvironment = Boolean(process.env.SESSION_INSPECTOR_STATE || process.env.SESSION_INSPECTOR_DB);
    const state = options.state ?? (fromEnvironment ? defaultStateTarget() : (readSettings(settingsFile).stateStore ?? defaultStateTarget()));
    const engine = await Engine.open({ ...options, state, sessions: '' });
    const service = new ApiService(engine, options, settingsFile);
    await service.attach(engine, options.sessions ?? service.settings.sessionRoot ?? (existsSync(defaultSessionRoot()) ? defaultSessionRoot() : null));
    return service;
  }

  /** The store's status and health in Prometheus' text format (browser mode's `/metrics`). */
  async metrics(): Promise<string> {
    return prometheusMetrics(await this.engine.status(), await this.engine.health());
  }

  async close(): Promise<void> {
    await this.stopPluginWatch();
    await this.scheduler?.stop();
    this.runs.cancel();
    await this.runs.settle();
    await this.engine.close();
  }

  /** (Re)starts the scheduler on the current root, forwarding its events to the renderer. */
  private async restartScheduler(): Promise<void> {
    await this.scheduler?.stop();
    this.scheduler = null;
    if (this.options.schedule === false || this.rootError || !this.engine.options.sessions) return;
    // On a team store the runners process sessions; an analyst's app views and edits, and runs on request.
    if (this.engine.store.db.shared) return;
    const scheduler = new Scheduler(this.engine, { log: (level, message) => process.stderr.write(`${level}: ${message}\n`) });
    scheduler.subscribe((event) => {
      if (event.type === 'state-changed') {
        void this.rescan().catch(() => undefined);
        this.emit({ type: 'state-changed', processors: event.processors });
        return;
      }
      if (event.type === 'watch') return;
      const api = apiRunEvent(event);
      if (api) this.emit(api);
    });
    try {
      await scheduler.start();
      this.scheduler = scheduler;
    } catch (error) {
      process.stderr.write(`warn: background runs are off: ${errorMessage(error)}\n`);
    }
  }

  subscribe(listener: (event: C.ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One call from a transport: validated, run, and answered with a value or an error a person can act on. */
  async handle(method: string, args: unknown): Promise<C.ApiResponse<unknown>> {
    const checked = validateArgs(method as C.MethodName, args);
    if (!checked.ok) return { ok: false, error: { code: 'invalid', message: checked.message } };
    const handler = this.handlers[method as C.MethodName] as (a: unknown) => Promise<unknown>;
    if (this.swapping) await this.swapping;
    try {
      return { ok: true, value: await handler(checked.value) };
    } catch (error) {
      return { ok: false, error: toApiError(error) };
    }
  }

  private emit(event: C.ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a broken transport must not stop the others
      }
    }
  }

  private async emitPlugins(): Promise<void> {
    this.emit({ type: 'plugins-changed', plugins: (await this.engine.plugins()).plugins.map(rows.plugin) });
  }

  private async syncProcessors(): Promise<void> {
    const { processors } = await this.engine.plugins();
    await this.index.replaceProcessors(processors);
  }

  /** Scans the root into the session index (stat only, no reads) and tells the renderer. */
  private async rescan(): Promise<number> {
    const { sessions } = await this.engine.scan();
    await this.index.replaceSessions(sessions, this.engine.options.sessions);
    this.emit({ type: 'sessions-changed' });
    return sessions.length;
  }

  private async useRoot(path: string, remember: boolean): Promise<void> {
    const root = resolve(path);
    this.engine.setSessionRoot(root);
    // At start, a store that holds the last scan of this root lists it at once, and the new scan (a second
    // at 100,000 sessions, most of it holding the event loop) runs once that first list has been answered;
    // the list refreshes when it lands.
    if (!remember && (await this.index.lastScannedRoot()) === root) {
      this.scanAfterFirstList(root);
    } else {
      try {
        await this.rescan();
        this.rootError = null;
      } catch (error) {
        this.rootError = errorMessage(error);
        await this.index.replaceSessions([], root);
        if (remember) throw error;
      }
    }
    if (remember || !this.settings.sessionRoot) {
      this.settings = { ...this.settings, sessionRoot: root, recentRoots: [root, ...this.settings.recentRoots.filter((r) => r !== root)].slice(0, RECENT_ROOTS) };
      writeSettings(this.settingsFile, this.settings);
    }
    await this.restartScheduler();
  }

  /** Runs the start scan once the first sessions/list is answered, or after FIRST_LIST_WAIT_MS without one. */
  private scanAfterFirstList(root: string): void {
    const start = () => {
      clearTimeout(timer);
      this.startScanPending = null;
      void this.rescan()
        .then(
          () => (this.rootError = null),
          async (error) => {
            this.rootError = errorMessage(error);
            await this.index.replaceSessions([], root);
            await this.infoChanged();
            await this.restartScheduler();
          },
        )
        .catch(() => undefined); // the service closed meanwhile
    };
    const timer = setTimeout(start, FIRST_LIST_WAIT_MS);
    timer.unref();
    this.startScanPending = () => {
      this.startScanPending = null;
      setImmediate(start);
    };
  }

  private info(): C.AppInfo {
    const root = this.engine.options.sessions || null;
    return {
      version: this.options.version,
      mode: this.options.mode,
      sessionRoot: root,
      sessionRootError: root ? this.rootError : null,
      defaultSessionRoot: defaultSessionRoot(),
      defaultRootExists: existsSync(defaultSessionRoot()),
      recentRoots: this.settings.recentRoots,
      stateStore: { backend: this.engine.store.db.backend, location: this.engine.store.db.location, shared: this.engine.store.db.shared },
      canPickFolder: Boolean(this.options.pickFolder),
    };
  }

  /** The file of a session the list knows (found by a scan, so under the root and no link followed); null otherwise. */
  private async sessionPath(sessionKey: string): Promise<string | null> {
    const { row } = await this.index.get(sessionKey);
    return row ? join(this.engine.options.sessions, ...sessionKey.split('/')) : null;
  }

  private async targetKeys(target: C.SessionTarget): Promise<string[]> {
    return 'sessions' in target ? target.sessions : this.index.keys(target.filter);
  }

  /** Set while switchStore puts the new store in place of the old one. */
  private swapping: Promise<void> | null = null;

  /**
   * Opens the new store first, so a wrong URL or password leaves the current one in use; then stops what
   * runs on the old one and moves the session list, runs and scheduler over.
   */
  private async switchStore(target: string): Promise<void> {
    const state = isPostgresUrl(target) ? target : resolve(target);
    let next: Engine;
    try {
      next = await Engine.open({ ...this.options, state, sessions: this.engine.options.sessions });
    } catch (error) {
      throw new UsageError(`cannot use the state store ${isPostgresUrl(target) ? describePostgresUrl(target) : state}: ${errorMessage(error)}; still using ${this.engine.store.db.location}`);
    }
    // Calls arriving while the stores are swapped wait for the new one (a run started meanwhile ran on a
    // store being closed and failed with "database is closed").
    const swapping = (async () => {
      await this.stopPluginWatch();
      await this.scheduler?.stop();
      this.scheduler = null;
      this.runs.cancel();
      await this.runs.settle();
      await this.engine.close();
      await this.attach(next, next.options.sessions || null);
    })();
    this.swapping = swapping.catch(() => undefined);
    try {
      await swapping;
    } finally {
      this.swapping = null;
    }
    // Never a password on disk: the URL is kept without it (PGPASSWORD or a password file supply it next time).
    this.settings = { ...this.settings, stateStore: isPostgresUrl(state) ? describePostgresUrl(state) : state };
    writeSettings(this.settingsFile, this.settings);
    this.emit({ type: 'state-changed', processors: [] });
  }

  /** Every window learns of a new folder or store, whoever changed it (the desktop menu has no window state). */
  private async infoChanged(): Promise<C.AppInfo> {
    const info = await this.info();
    this.emit({ type: 'info-changed', info });
    return info;
  }

  private readonly handlers: C.ApiHandlers = {
    'app/info': async () => this.info(),
    'app/setStateStore': async ({ target }) => {
      await this.switchStore(target);
      return this.infoChanged();
    },
    'app/setSessionRoot': async ({ path }) => {
      await this.useRoot(path, true);
      return this.infoChanged();
    },
    'app/pickFolder': async () => {
      if (!this.options.pickFolder) throw new UsageError('no folder dialog in browser mode: type or paste the folder path');
      return { path: await this.options.pickFolder() };
    },

    'sessions/list': async (query) => {
      const page = await this.index.page(query);
      const running = this.runs.currentSessions();
      const counts: C.SessionPage['counts'] = {};
      for (const row of await this.index.counts()) {
        const processor = String(row.processor);
        counts[processor] ??= { processed: 0, stale: 0, pending: 0, running: 0, failed: 0, quarantined: 0 };
        counts[processor][row.status as C.ProcessorStatus] = Number(row.n);
      }
      const answer = {
        total: page.total,
        offset: query.offset,
        rows: page.rows.map((r) => rows.session(r, page.cells, running)),
        columns: SESSION_COLUMNS,
        groups: await this.index.groups(),
        projects: await this.index.projects(),
        counts,
      };
      this.startScanPending?.();
      return answer;
    },
    'sessions/get': async ({ sessionKey }) => {
      const { row, cells } = await this.index.get(sessionKey);
      if (!row) throw new NotFoundError(`no session ${sessionKey} under ${this.engine.options.sessions || 'the session folder'} (refresh the list?)`);
      const session = rows.session(row, cells, this.runs.currentSessions());
      const results = await sessionResults(this.engine.store.db, sessionKey, session.statuses.map((s) => s.processor), DETAIL_ITEMS);
      const processors = session.statuses.map(({ processor, status }): C.SessionProcessorDetail => {
        const { state, failure, items, itemsTotal } = results.get(processor)!;
        return { processor, status, state: state ? rows.state(state) : null, failure: failure ? rows.failure(failure) : null, items, itemsTotal };
      });
      return { session, path: join(this.engine.options.sessions, ...sessionKey.split('/')), processors };
    },
    'sessions/transcript': async ({ sessionKey, fromLine, limit }) => {
      const path = await this.sessionPath(sessionKey);
      if (path === null) throw new NotFoundError(`no session ${sessionKey} (refresh the list?)`);
      return readTranscript(path, fromLine ?? 1, limit ?? 200, await listSecretSpans(this.engine.store.db, [sessionKey]));
    },
    'sessions/refresh': async () => ({ total: await this.rescan() }),

    'processors/list': async () => {
      const { processors } = await this.engine.plugins();
      const lastRuns = await this.engine.store.lastRunTimes();
      const schedule = new Map(((await this.scheduler?.status()) ?? []).map((s) => [s.processor, s]));
      return processors.map((p) => ({
        name: p.name,
        version: p.version,
        timeoutMs: p.timeoutMs,
        plugin: p.pluginName,
        view: p.view?.name ?? null,
        lastRunAt: lastRuns.has(p.name) ? new Date(lastRuns.get(p.name)!).toISOString() : null,
        running: this.runs.isActive(p.name),
        cadenceMinutes: schedule.get(p.name)?.cadenceMinutes ?? p.cadenceMinutes,
        nextRunAt: schedule.get(p.name)?.nextDueAt ?? null,
      }));
    },

    'runs/start': async ({ filter, ...request }) => this.runs.start(filter ? { ...request, sessions: await this.index.keys(filter) } : request),
    // Runs the UI started and the scheduler's alike: they all go through the engine's run service.
    'runs/cancel': async ({ processor }) => ({ cancelled: this.runs.cancel(processor) }),
    'runs/active': async () => this.runs.list(),
    'runs/history': async ({ limit, processor }) => (await listRuns(this.engine.store.db, { limit: limit ?? 200, processor })).map(rows.run),
    'runs/timeline': async ({ days }) => runTimeline(this.engine.store.db, days ?? 30),

    'state/list': async (query) => {
      const page = await statePage(this.engine.store.db, query);
      return { total: page.total, rows: page.rows.map(rows.state) };
    },
    'state/reset': async ({ processor, target }) => {
      this.refuseWhileRunning(processor);
      const changed = await this.engine.store.resetState(processor, await this.targetKeys(target));
      this.emit({ type: 'state-changed', processors: [processor] });
      return { changed };
    },
    'state/markProcessed': async ({ processor, target }) => {
      this.refuseWhileRunning(processor);
      const changed = await this.engine.markProcessed(processor, await this.targetKeys(target));
      this.emit({ type: 'state-changed', processors: [processor] });
      return { changed };
    },
    'state/update': async ({ processor, sessionKey, changes, expected }) => {
      this.refuseWhileRunning(processor);
      const row = await updateState(this.engine.store.db, processor, sessionKey, changes, expected);
      this.emit({ type: 'state-changed', processors: [processor] });
      return rows.state(row);
    },
    'state/history': async ({ limit }) => (await listAudit(this.engine.store.db, limit ?? 200)).map(rows.audit),
    'state/undo': async ({ auditId }) => {
      const original = await auditEntry(this.engine.store.db, auditId);
      if (original) this.refuseWhileRunning(String(original.processor_name));
      const undoId = await undoChange(this.engine.store.db, auditId);
      const entry = (await auditEntry(this.engine.store.db, undoId))!;
      this.emit({ type: 'state-changed', processors: [String(entry.processor_name)] });
      return rows.audit(entry);
    },

    'plugins/list': async () => (await this.engine.plugins()).plugins.map(rows.plugin),
    'plugins/inspect': async ({ path }) => {
      const folder = resolve(path);
      try {
        const manifest = await readManifest(folder);
        return { path: folder, name: manifest.name, version: manifest.version, processors: manifest.declaredProcessors, contentHash: await pluginContentHash(folder), problems: [] };
      } catch (error) {
        if (!(error instanceof ManifestError)) throw new UsageError(`cannot read plugin folder ${folder}: ${errorMessage(error)}`);
        return { path: folder, name: null, version: null, processors: [], contentHash: null, problems: error.problems };
      }
    },
    'plugins/install': async ({ path, approve }) => {
      const { plugin } = await this.engine.installPlugin(path, approve);
      await this.afterPluginChange();
      return rows.plugin(plugin);
    },
    'plugins/approve': async ({ name }) => {
      const plugin = await this.engine.approvePlugin(name);
      await this.afterPluginChange();
      return rows.plugin(plugin);
    },
    'plugins/setEnabled': async ({ name, enabled }) => {
      const plugin = await this.engine.setPluginEnabled(name, enabled);
      await this.afterPluginChange();
      return rows.plugin(plugin);
    },
    'plugins/reload': async () => {
      const set = await this.engine.reloadPlugins();
      await this.afterPluginChange();
      return set.plugins.map(rows.plugin);
    },

    'query/run': async ({ sql, limit }) => {
      const started = performance.now();
      const table = await this.engine.store.db.readOnlyTable(sql, limit ?? 1000);
      return { ...table, elapsedMs: Math.round(performance.now() - started) };
    },
    'query/catalog': async () => this.engine.store.db.catalog(),
    'query/export': async ({ sql, format }) => {
      const fileName = `session-inspector-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
      const target = await this.options.exportTarget(fileName);
      if (!target) return { fileName, rows: 0, downloadUrl: null, savedTo: null };
      const count = await this.engine.store.db.exportQuery(sql, format, target.path);
      return { fileName, rows: count, downloadUrl: target.downloadUrl, savedTo: target.downloadUrl ? null : target.path };
    },

    'dashboard/get': async ({ days }) => toolUsage(this.engine.store.db, days ?? 30),
    'health/get': async () => this.engine.health(),
    'findings/list': async (args) => findingsList(this.engine.store.db, args),
    'findings/mark': async (args) => findingsMark(this.engine.store.db, args),
    'secrets/redact': async (args) => {
      const report = await secretsRedact(this.engine, args);
      if (report.applied && report.rows.some((r) => r.outcome === 'redacted')) {
        await this.rescan();
        this.emit({ type: 'state-changed', processors: ['secrets'] });
      }
      return report;
    },
    'secrets/reveal': async ({ id }) => secretsReveal(this.engine.store.db, id, (key) => this.sessionPath(key)),
    'usage/report': async (request) => usageReport(this.engine.store.db, request),
  };

  private async afterPluginChange(): Promise<void> {
    await this.syncProcessors();
    await this.emitPlugins();
  }

  /** Edits wait for a running processor: a run writing the same rows could otherwise undo them silently. */
  private refuseWhileRunning(processor: string): void {
    if (this.runs.isActive(processor)) throw new BusyError(`processor "${processor}" is running: edit its state when the run ends, or cancel it`);
  }
}

function toApiError(error: unknown): C.ApiError {
  if (error instanceof UsageError) return { code: 'invalid', message: error.message };
  if (error instanceof BusyError) return { code: 'busy', message: error.message };
  if (error instanceof NotFoundError) return { code: 'not-found', message: error.message };
  if (error instanceof ConflictError) return { code: 'conflict', message: error.message };
  process.stderr.write(`session-inspector: unexpected error in the API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return { code: 'internal', message: `unexpected error: ${errorMessage(error)}` };
}

function readSettings(file: string): AppSettings {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<AppSettings>;
    return {
      sessionRoot: typeof parsed.sessionRoot === 'string' ? parsed.sessionRoot : null,
      recentRoots: Array.isArray(parsed.recentRoots) ? parsed.recentRoots.filter((r) => typeof r === 'string') : [],
      stateStore: typeof parsed.stateStore === 'string' ? parsed.stateStore : null,
    };
  } catch {
    return { sessionRoot: null, recentRoots: [], stateStore: null };
  }
}

function writeSettings(file: string, settings: AppSettings): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
