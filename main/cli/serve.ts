import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { ApiService } from '../api/service.js';
import { startHttpServer, type RunningServer } from '../api/httpServer.js';

export interface ServeOptions {
  port: number;
  /** A store named on the command line; otherwise the app's setting, $SESSION_INSPECTOR_STATE or the default file. */
  state?: string;
  sessions?: string;
  plugins: string[];
  builtins: boolean;
  /** Background runs on cadence and on session changes (default on; `--no-schedule` turns them off). */
  schedule?: boolean;
  /** The archive folder, or false (--no-archive); otherwise the app's setting, else the default (paths.ts archiveFolder). */
  archive?: string | false;
}

export function appVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Browser mode: the engine and the API over HTTP on 127.0.0.1, the renderer served beside it. Runs until
 * SIGINT/SIGTERM, then stops runs (sessions in flight are aborted, nothing half-written) and closes the
 * database properly.
 */
export async function serve(options: ServeOptions): Promise<void> {
  let server: RunningServer | undefined;
  const service = await ApiService.open({
    mode: 'browser',
    version: appVersion(),
    state: options.state,
    sessions: options.sessions,
    plugins: options.plugins,
    builtins: options.builtins,
    schedule: options.schedule !== false,
    ...(options.archive !== undefined ? { archive: options.archive } : {}),
    exportTarget: async (fileName) => {
      const path = join(server!.downloadsDir, fileName);
      return { path, downloadUrl: server!.offerDownload(path) };
    },
  });
  try {
    server = await startHttpServer(service, { port: options.port, staticDir: join(packageRoot(), 'dist', 'renderer'), metrics: () => service.metrics() });
  } catch (error) {
    await service.close();
    throw error;
  }
  process.stdout.write(`Session Inspector: ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write('session-inspector: stopping (finishing or cancelling runs, closing the database)\n');
  await server.close();
  await service.close();
}
