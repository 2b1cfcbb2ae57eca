import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { serve, type ServeOptions } from './serve.js';

/** The Electron binary, when one is installed (or named by ELECTRON_OVERRIDE_DIST_PATH); else why not. */
export function findElectron(): { path: string } | { missing: string } {
  let path: string;
  try {
    path = createRequire(join(packageRoot(), 'package.json'))('electron') as string;
  } catch {
    return { missing: 'the Electron binary is not installed (its download is not possible here)' };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { missing: `the Electron binary is missing (${path})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { missing: 'there is no display (DISPLAY is not set)' };
  return { path };
}

/**
 * `npm start`: the desktop app when Electron can run here; otherwise one line saying why, and the same UI
 * in browser mode on 127.0.0.1 (the printed address opens it).
 */
export async function launchApp(options: ServeOptions): Promise<void> {
  const electron = findElectron();
  if ('path' in electron) {
    // A store or archive named on the command line reaches the app as the variable that overrides its own setting.
    const env = {
      ...process.env,
      ...(options.state === undefined ? {} : { SESSION_INSPECTOR_STATE: options.state }),
      ...(options.archive === undefined ? {} : { SESSION_INSPECTOR_ARCHIVE: options.archive === false ? 'off' : options.archive }),
    };
    const child = spawn(electron.path, [join(packageRoot(), 'dist', 'main', 'electron', 'main.js')], { stdio: 'inherit', env });
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return;
  }
  process.stderr.write(`Session Inspector: no desktop window (${electron.missing}); starting browser mode instead.\n`);
  await serve(options);
}
