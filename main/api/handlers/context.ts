import type { SessionEntry } from '../../core/sessionFile.js';
import { join } from 'node:path';
import type { Engine } from '../../core/engine.js';
import { BusyError } from '../../core/errors.js';
import type { LiveSearch } from '../../core/search/liveSearch.js';
import type { ProcessorSchedule } from '../../core/scheduler/scheduler.js';
import type { SessionIndex } from '../../core/sessions/sessionIndex.js';
import type { ApiEvent, ApiHandlers, AppInfo, MethodName, SessionTarget } from '../contract.js';
import type { RunManager } from '../runManager.js';

/** The handlers of one domain: every method named `<domain>/…` (or of each domain named), and no other. */
export type DomainHandlers<Domain extends string> = Pick<ApiHandlers, Extract<MethodName, `${Domain}/${string}`>>;

/** What a face (the Electron shell, browser mode) lends the API. */
export interface FaceHooks {
  /** Electron's native folder dialog. */
  pickFolder?: () => Promise<string | null>;
  /** Where an export goes: Electron asks with a save dialog, browser mode makes a download. */
  exportTarget: (fileName: string) => Promise<{ path: string; downloadUrl: string | null } | null>;
}

/**
 * What the handlers share, handed to each domain's module by the ApiService that owns it. `engine`, `index`
 * and `runs` are read at each use: app/setStateStore puts another store, with its own of each, in place.
 */
export interface ApiContext {
  readonly engine: Engine;
  /** The sessions list over the store in use. */
  readonly index: SessionIndex;
  /** Runs the app starts, and every run's progress. */
  readonly runs: RunManager;
  /** Full-text search over the session folder (its index is per user, whatever the store). */
  readonly search: LiveSearch;
  readonly face: FaceHooks;
  /** Tells every window (the renderer's events). */
  emit(event: ApiEvent): void;
  /** Scans the session folder into the list again (stat only) and tells the windows; returns how many sessions it holds. */
  rescan(): Promise<number>;
  /** A sessions list was answered: the start scan waits for the first one (ApiService.scanAfterFirstList). */
  listAnswered(): void;
  /** The scheduler's view of each processor (cadence, next run); none while background runs are off. */
  schedule(): Promise<ProcessorSchedule[]>;
  /** After the plugins changed: the list's processor columns follow, and every window is told. */
  pluginsChanged(): Promise<void>;
  /** What the header and Settings show. */
  info(): AppInfo;
  /** Tells every window of a new folder or store, whoever changed it (the desktop menu has no window state); returns it. */
  infoChanged(): AppInfo;
  /** Lists (and remembers) another session folder; refused, naming it, when it cannot be scanned. */
  useRoot(path: string): Promise<void>;
  /** Opens another state store and moves the app onto it; on failure the current one stays in use. */
  switchStore(target: string): Promise<void>;
  /** Archives into `folder` from now on, or stops archiving (null); remembered for the next start. */
  setArchive(folder: string | null): Promise<void>;
}

/** The file of a session the list knows (found by a scan, so under the root and no link followed); null otherwise. */
/** A listed session to read: its file, or its archived copy when the source is gone (null: not listed, or neither). */
export async function sessionEntry(ctx: ApiContext, sessionKey: string): Promise<SessionEntry | null> {
  const { row } = await ctx.index.get(sessionKey);
  return row ? ctx.engine.sessionEntry(sessionKey) : null;
}

export async function sessionPath(ctx: ApiContext, sessionKey: string): Promise<string | null> {
  const { row } = await ctx.index.get(sessionKey);
  return row ? join(ctx.engine.options.sessions, ...sessionKey.split('/')) : null;
}

/** The sessions a bulk edit applies to: the ones selected, or every one the filter matches now. */
export async function targetKeys(ctx: ApiContext, target: SessionTarget): Promise<string[]> {
  return 'sessions' in target ? target.sessions : ctx.index.keys(target.filter);
}

/** Edits wait for a running processor: a run writing the same rows could otherwise undo them silently. */
export function refuseWhileRunning(ctx: ApiContext, processor: string): void {
  if (ctx.runs.isActive(processor)) throw new BusyError(`processor "${processor}" is running: edit its state when the run ends, or cancel it`);
}
