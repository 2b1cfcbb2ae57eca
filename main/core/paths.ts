import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'session-inspector';

/** Session root: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects. */
export function defaultSessionRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_DATA_DIR) return env.SESSION_DATA_DIR;
  if (env.CLAUDE_CONFIG_DIR) return join(env.CLAUDE_CONFIG_DIR, 'projects');
  return join(homedir(), '.claude', 'projects');
}

/**
 * Per-user data folder, the same one Electron's app.getPath('userData') gives the desktop app
 * (the app sets it to this), so the CLI and the app share the database and user plugins.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SESSION_INSPECTOR_HOME) return env.SESSION_INSPECTOR_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/**
 * The state store: $SESSION_INSPECTOR_STATE (a DuckDB file or a postgres:// URL), else the older
 * $SESSION_INSPECTOR_DB (a file), else state.duckdb in the user data folder.
 */
export function defaultStateTarget(env: NodeJS.ProcessEnv = process.env): string {
  return env.SESSION_INSPECTOR_STATE || env.SESSION_INSPECTOR_DB || join(userDataDir(env), 'state.duckdb');
}

/**
 * The archive folder a face uses: none when turned off (`--no-archive`: false; or 'off'), the one named,
 * else $SESSION_INSPECTOR_ARCHIVE, else `archive` in the per-user data folder. On by default: Claude Code deletes
 * transcripts after 30 days, and the archive is what keeps them.
 */
export function archiveFolder(choice: string | false | undefined, home: string = userDataDir(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = choice ?? env.SESSION_INSPECTOR_ARCHIVE;
  if (chosen === false || chosen === 'off') return undefined;
  return chosen || join(home, 'archive');
}

/** The repository / installed package root (the folder holding package.json and plugins/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isOurPackage(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the session-inspector package root');
    dir = parent;
  }
}

/** Built-in processors shipped with the app (a packaged app carries them as resources beside app.asar). */
export function builtinPluginsDir(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(join(resources, 'plugins'))) return join(resources, 'plugins');
  return join(packageRoot(), 'plugins');
}

function isOurPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === APP_NAME;
  } catch {
    return false;
  }
}
