import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { collect, resolveState, wholeNumber } from './commonOptions.js';
import type { ServeOptions } from './serve.js';

/** `serve` (the app in a browser) and `app` (the desktop app): the same options, the same API behind them. */
export function appCommands(program: Command): void {
  const ui = (name: string, description: string, action: (options: ServeOptions) => Promise<void>) =>
    program
      .command(name)
      .description(description)
      .option('--port <n>', 'browser mode port (0 picks a free one)', wholeNumber(0), 0)
      .option(
        '--state <file|url>',
        'state store: a DuckDB file, or postgres://user@host/db for a team store ' +
          "(default: $SESSION_INSPECTOR_STATE, the app's setting, else state.duckdb in the app data folder)",
      )
      .option('--db <file>', 'the same as --state (its older name)')
      .option('--sessions <dir>', 'session folder (default: the last one chosen in the app, else ~/.claude/projects)')
      .option('--plugins <path>', 'a plugin folder, or a folder of plugin folders (repeatable)', collect, [])
      .option('--no-builtins', 'do not load the built-in plugins/ folder')
      .option('--no-schedule', 'no background runs (on cadence, or when sessions change): run only on request')
      .option('--archive <dir>', "archive folder (default: $SESSION_INSPECTOR_ARCHIVE, the app's setting, else archive in the app data folder)")
      .option('--no-archive', 'do not archive sessions, nor read deleted ones from the archive')
      .action(async (options: ServeOptions & { db?: string }) => {
        if (options.port > 65535) throw new UsageError('--port must be at most 65535');
        // Nothing named: the app's own setting (or the environment) decides, in ApiService.
        await action({ ...options, state: options.state === undefined && options.db === undefined ? undefined : resolveState(options) });
      });
  // Loaded on use: the server, the app launcher and the watcher are most of the CLI's start-up time.
  ui('serve', 'run the app in a browser: the UI and its API on 127.0.0.1, with a per-start token in the printed address', async (options) =>
    (await import('./serve.js')).serve(options),
  );
  ui('app', 'open the desktop app (falls back to browser mode where Electron cannot run)', async (options) => (await import('./launch.js')).launchApp(options));
}
