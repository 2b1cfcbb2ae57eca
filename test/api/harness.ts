import { join } from 'node:path';
import { after } from 'node:test';
import { ApiService } from '../../main/api/service.js';
import type { ApiEvent, ArgsOf, MethodName, ResultOf } from '../../main/api/contract.js';
import { tempDir } from '../helpers.js';
import { freshState, type Backend } from '../core/harness.js';

/** A real ApiService over a temp session root, database and home, with the events it emitted. */
export async function openService(
  options: {
    plugins?: string[];
    builtins?: boolean;
    sessions?: string;
    schedule?: boolean;
    seed?: (root: string) => void;
    backend?: Backend;
    state?: string;
  } = {},
) {
  const dir = tempDir('si-api-');
  const root = options.sessions ?? join(dir, 'sessions');
  const exports = join(dir, 'exports');
  options.seed?.(root);
  const service = await ApiService.open({
    mode: 'browser',
    version: 'test',
    state: options.state ?? (await freshState(options.backend ?? 'duckdb', dir)),
    sessions: root,
    plugins: options.plugins ?? [],
    builtins: options.builtins ?? false,
    home: join(dir, 'home'),
    pluginProcesses: 2,
    schedule: options.schedule ?? false,
    exportTarget: async (fileName) => ({ path: join(dir, fileName), downloadUrl: `/download/${fileName}` }),
  });
  after(() => service.close());
  const events: ApiEvent[] = [];
  service.subscribe((e) => events.push(e));
  /** Calls a method; throws with the API error's code and message when it fails. */
  async function call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
    const response = await service.handle(method, args);
    if (!response.ok) throw Object.assign(new Error(`${response.error.code}: ${response.error.message}`), { code: response.error.code });
    return response.value as ResultOf<M>;
  }
  /** Waits until an event matching `test` has arrived. */
  async function waitFor(test: (e: ApiEvent) => boolean, timeoutMs = 30_000): Promise<ApiEvent> {
    const started = Date.now();
    for (;;) {
      const found = events.find(test);
      if (found) return found;
      if (Date.now() - started > timeoutMs) throw new Error(`no matching event in ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { dir, root, service, events, call, waitFor, exports };
}
