import { Command, InvalidArgumentError } from 'commander';
import { Engine } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import { archiveFolder, defaultSessionRoot, defaultStateTarget } from '../core/paths.js';

/** Options and helpers shared by the CLI's commands. */
export interface CommonOptions {
  state?: string;
  db?: string;
  json?: boolean;
  sessions: string;
  plugins: string[];
  builtins: boolean;
  /** Plugin processes (run and watch; default one per core); see resolvePluginProcesses. */
  pluginProcesses?: number;
  /** The same as pluginProcesses, by the flag's older name (--workers). */
  workers?: number;
  /** The archive folder, or false (--no-archive); see archiveFolder. */
  archive?: string | false;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function wholeNumber(min: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
}

export function positiveSeconds(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds greater than 0');
  return n;
}

export function seconds(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (fractions allowed), at least 0');
  return n;
}

/** --state (or its older name --db): a DuckDB file or a postgres:// URL. */
export function stateOptions(command: Command): Command {
  return command
    .option(
      '--state <file|url>',
      'state store: a DuckDB file, or postgres://user@host/db for a team store (default: $SESSION_INSPECTOR_STATE, else state.duckdb in the app data folder)',
    )
    .option('--db <file>', 'the same as --state (its older name)');
}

/** The store the user named; --state and --db together are refused rather than one silently winning. */
export function resolveState(options: { state?: string; db?: string }): string {
  if (options.state !== undefined && options.db !== undefined && options.state !== options.db) {
    throw new UsageError('--state and --db name the same store: give only one');
  }
  return options.state ?? options.db ?? defaultStateTarget();
}

/** --state and --json on every command; --sessions and --plugins on those that read sessions or load plugins. */
export function common(command: Command, withSessions: boolean): Command {
  stateOptions(command).option('--json', 'print machine-readable JSON on stdout');
  if (withSessions) {
    command
      .option('--sessions <dir>', 'session root (default: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects)', defaultSessionRoot())
      .option('--plugins <path>', 'a plugin folder, or a folder of plugin folders (repeatable)', collect, [])
      .option('--no-builtins', 'do not load the built-in plugins/ folder');
    archiveOptions(command);
  }
  return command;
}

/** --archive DIR and --no-archive: where runs keep a copy of every session (on by default). */
export function archiveOptions(command: Command): Command {
  return command
    .option(
      '--archive <dir>',
      'archive folder: runs keep a compressed copy of every session there (default: $SESSION_INSPECTOR_ARCHIVE, else archive in the app data folder)',
    )
    .option('--no-archive', 'do not archive sessions, nor read deleted ones from the archive');
}

/** --plugin-processes (or its older name --workers); both with different values are refused rather than one silently winning. */
export function resolvePluginProcesses(options: { pluginProcesses?: number; workers?: number }): number | undefined {
  if (options.pluginProcesses !== undefined && options.workers !== undefined && options.pluginProcesses !== options.workers) {
    throw new UsageError('--plugin-processes and --workers set the same number (--workers is its older name): give only one');
  }
  return options.pluginProcesses ?? options.workers;
}

export async function withEngine<T>(options: CommonOptions, fn: (engine: Engine) => Promise<T>, toRun = false): Promise<T> {
  const engine = await Engine.open({
    toRun,
    state: resolveState(options),
    sessions: options.sessions ?? defaultSessionRoot(),
    plugins: options.plugins ?? [],
    builtins: options.builtins ?? true,
    pluginProcesses: resolvePluginProcesses(options),
    archive: archiveFolder(options.archive),
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
