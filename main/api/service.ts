import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, errorMessage } from '../core/errors.js';
import { Engine, type EngineOptions } from '../core/engine.js';
import { prometheusMetrics } from '../core/healthMetrics.js';
import { archiveFolder, defaultSessionRoot, defaultStateTarget, userDataDir } from '../core/paths.js';
import { LiveSearch } from '../core/search/liveSearch.js';
import { Scheduler } from '../core/scheduler/scheduler.js';
import { SessionIndex } from '../core/sessions/sessionIndex.js';
import { isPostgresUrl } from '../core/store/database.js';
import { describePostgresUrl } from '../core/store/postgres/url.js';
import { AppSettingsFile, readAppSettings } from './appSettings.js';
import type * as C from './contract.js';
import { apiHandlers, toApiError } from './handlers.js';
import type { ApiContext, FaceHooks } from './handlers/context.js';
import * as rows from './rows.js';
import { RunManager, apiRunEvent } from './runManager.js';
import { validateArgs } from './validation.js';

export interface ServiceOptions extends Omit<EngineOptions, 'sessions' | 'state' | 'archive'>, FaceHooks {
  /** The archive folder, or false (off); otherwise $SESSION_INSPECTOR_ARCHIVE, the app's setting, else the default. */
  archive?: string | false;
  /** A store named on the command line; otherwise $SESSION_INSPECTOR_STATE, the app's setting, else the default file. */
  state?: string;
  mode: 'electron' | 'browser';
  /** A session root given on the command line; otherwise the one remembered, else ~/.claude/projects. */
  sessions?: string;
  version: string;
  /** Run processors on their cadence and when sessions change (default true; tests drive runs by hand). */
  schedule?: boolean;
}

/** How long the start scan waits for the app's first sessions list before it runs anyway, in ms. */
const FIRST_LIST_WAIT_MS = 3_000;

/**
 * The API contract implemented over the engine. This class owns the lifecycle: the store in use (and the
 * switch to another), the session folder and its start scan, the scheduler, plugin watching, the app's
 * settings and the events every window gets. The methods are each domain's, in handlers/ (assembled by
 * handlers.ts); both transports (Electron IPC, HTTP) call `handle`, which validates the arguments first and
 * answers with a value or an error a person can act on.
 */
export class ApiService {
  private readonly listeners = new Set<(event: C.ApiEvent) => void>();
  private readonly settings: AppSettingsFile;
  private rootError: string | null = null;
  /** Set while the start scan waits for the first list to be answered (scanAfterFirstList). */
  private startScanPending: (() => void) | null = null;
  private stopWatching: (() => void) | null = null;
  /** Background runs on cadence and on changes; one per session root. */
  private scheduler: Scheduler | null = null;
  /** Reloads of the plugins after their folders changed, in progress. */
  private readonly pluginSyncs = new Set<Promise<unknown>>();
  /** Set while switchStore puts the new store in place of the old one. */
  private swapping: Promise<void> | null = null;

  private index!: SessionIndex;
  private runs!: RunManager;
  private readonly handlers: C.ApiHandlers;
  private readonly search: LiveSearch;

  private constructor(
    private engine: Engine,
    private readonly options: ServiceOptions,
    settingsFile: string,
  ) {
    this.settings = new AppSettingsFile(settingsFile);
    this.search = new LiveSearch(options.home ?? userDataDir());
    this.handlers = apiHandlers(this.context());
  }

  static async open(options: ServiceOptions): Promise<ApiService> {
    const home = options.home ?? userDataDir();
    const settingsFile = join(home, 'app-settings.json');
    const fromEnvironment = Boolean(process.env.SESSION_INSPECTOR_STATE || process.env.SESSION_INSPECTOR_DB);
    const state = options.state ?? (fromEnvironment ? defaultStateTarget() : (readAppSettings(settingsFile).stateStore ?? defaultStateTarget()));
    const archive = archiveFolder(options.archive ?? (process.env.SESSION_INSPECTOR_ARCHIVE || readAppSettings(settingsFile).archive || undefined), home);
    const engine = await Engine.open({ ...options, state, sessions: '', archive });
    const service = new ApiService(engine, options, settingsFile);
    const remembered = service.settings.settings.sessionRoot;
    await service.attach(engine, options.sessions ?? remembered ?? (existsSync(defaultSessionRoot()) ? defaultSessionRoot() : null));
    return service;
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

  subscribe(listener: (event: C.ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    await this.search.close();
    await this.engine.close();
  }

  /** What the handlers share: the store in use is read at each use, so a switch of store reaches them all. */
  private context(): ApiContext {
    const service = this; // the getters' own `this` is the context object
    return {
      get engine() {
        return service.engine;
      },
      get index() {
        return service.index;
      },
      get runs() {
        return service.runs;
      },
      search: this.search,
      face: this.options,
      emit: (event) => this.emit(event),
      rescan: () => this.rescan(),
      listAnswered: () => this.startScanPending?.(),
      schedule: async () => (await this.scheduler?.status()) ?? [],
      pluginsChanged: async () => {
        await this.syncProcessors();
        await this.emitPlugins();
      },
      info: () => this.info(),
      infoChanged: () => this.infoChanged(),
      useRoot: (path) => this.useRoot(path, true),
      switchStore: (target) => this.switchStore(target),
      setArchive: async (folder) => {
        this.settings.rememberArchive(folder ?? 'off');
        await this.engine.archives.move(folder ?? undefined);
        await this.rescan(); // sessions whose file is gone come (or go) with the archive
      },
    };
  }

  /** Puts an engine (a state store) to use: session list, runs, plugin watching, the folder and the scheduler. */
  private async attach(engine: Engine, root: string | null): Promise<void> {
    this.engine = engine;
    // On a team store an analyst's folder is often not the team's: marking orphans from it would flag the rest.
    engine.setOrphanMarking(!engine.store.db.shared);
    this.index = new SessionIndex(engine.store.db);
    this.runs = new RunManager(
      engine,
      (e) => this.emit(e),
      async () => void (await this.rescan()),
    );
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

  /**
   * Opens the new store first, so a wrong URL or password leaves the current one in use; then stops what
   * runs on the old one and moves the session list, runs and scheduler over.
   */
  private async switchStore(target: string): Promise<void> {
    const state = isPostgresUrl(target) ? target : resolve(target);
    let next: Engine;
    try {
      next = await Engine.open({ ...this.options, state, sessions: this.engine.options.sessions, archive: this.engine.archives.folder });
    } catch (error) {
      const named = isPostgresUrl(target) ? describePostgresUrl(target) : state;
      throw new UsageError(`cannot use the state store ${named}: ${errorMessage(error)}; still using ${this.engine.store.db.location}`);
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
    this.settings.rememberStore(isPostgresUrl(state) ? describePostgresUrl(state) : state);
    this.emit({ type: 'state-changed', processors: [] });
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
    if (remember || !this.settings.settings.sessionRoot) this.settings.rememberRoot(root);
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
            this.infoChanged();
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

  /** Scans the root into the session index (stat only, no reads) and tells the renderer. */
  private async rescan(): Promise<number> {
    const problem = this.engine.archives.problem;
    const { sessions } = await this.engine.scanWithArchive();
    if (this.engine.archives.problem !== problem) this.infoChanged();
    await this.index.replaceSessions(sessions, this.engine.options.sessions);
    this.emit({ type: 'sessions-changed' });
    return sessions.length;
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

  private async syncProcessors(): Promise<void> {
    const { processors } = await this.engine.plugins();
    await this.index.replaceProcessors(processors);
  }

  private async emitPlugins(): Promise<void> {
    this.emit({ type: 'plugins-changed', plugins: (await this.engine.plugins()).plugins.map(rows.plugin) });
  }

  private info(): C.AppInfo {
    const root = this.engine.options.sessions || null;
    const db = this.engine.store.db;
    return {
      version: this.options.version,
      mode: this.options.mode,
      sessionRoot: root,
      sessionRootError: root ? this.rootError : null,
      defaultSessionRoot: defaultSessionRoot(),
      defaultRootExists: existsSync(defaultSessionRoot()),
      recentRoots: this.settings.settings.recentRoots,
      stateStore: { backend: db.backend, location: db.location, shared: db.shared },
      canPickFolder: Boolean(this.options.pickFolder),
      archive: { folder: this.engine.archives.folder ?? null, problem: this.engine.archives.problem },
    };
  }

  /** Every window learns of a new folder or store, whoever changed it (the desktop menu has no window state). */
  private infoChanged(): C.AppInfo {
    const info = this.info();
    this.emit({ type: 'info-changed', info });
    return info;
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
}
