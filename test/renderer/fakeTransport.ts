// A fake of the transport boundary (ApiTransport) for the renderer's client and store tests: handlers per
// method, a log of every call, events pushed by hand. Our own code (client, store) is never faked.
import type { ApiEvent, ApiResponse, ApiTransport, ArgsOf, MethodName, ResultOf, SessionPage, SessionQuery, SessionRow } from '../../main/api/contract.js';
import { createApiClient } from '../../renderer/src/api/client.js';
import { createAppStore } from '../../renderer/src/store/createAppStore.js';
import type { KeyValueStorage } from '../../renderer/src/store/types.js';

type Handler<M extends MethodName> = (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
export type Handlers = { [M in MethodName]?: Handler<M> };

export class ApiRefusal extends Error {
  constructor(
    readonly code: 'invalid' | 'busy' | 'not-found' | 'conflict' | 'unavailable' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

export class FakeTransport implements ApiTransport {
  readonly calls: { method: MethodName; args: unknown }[] = [];
  private readonly listeners = new Set<(event: ApiEvent) => void>();

  constructor(public handlers: Handlers = {}) {}

  async call(method: MethodName, args: unknown): Promise<ApiResponse<unknown>> {
    this.calls.push({ method, args });
    const handler = this.handlers[method] as ((a: unknown) => unknown) | undefined;
    if (!handler) return { ok: false, error: { code: 'not-found', message: `no fake handler for ${method}` } };
    try {
      return { ok: true, value: await handler(args) };
    } catch (error) {
      if (error instanceof ApiRefusal) return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const l of this.listeners) l(event);
  }

  callsOf<M extends MethodName>(method: M): ArgsOf<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as ArgsOf<M>);
  }
}

export class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

export function makeStore(handlers: Handlers = {}, storage = new MemoryStorage()) {
  const transport = new FakeTransport(handlers);
  const store = createAppStore({ api: createApiClient(transport), storage });
  return { transport, store, storage };
}

/** Lets pending promise chains settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A promise resolved by hand (to hold an answer back and release it later). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A listed session as main returns one before any processor ran on it; `fields` fill in the rest. */
export function sessionRow(fields: Partial<SessionRow> & Pick<SessionRow, 'sessionKey'>): SessionRow {
  const group = fields.sessionKey.split('/')[0];
  return {
    group,
    sizeBytes: 0,
    modifiedAt: new Date(0).toISOString(),
    statuses: [],
    title: null,
    project: group,
    projectPath: group,
    branch: null,
    startedAt: null,
    endedAt: null,
    durationS: null,
    messages: null,
    prompts: null,
    replies: null,
    costUsd: null,
    unpricedMessages: null,
    toolErrors: null,
    secrets: null,
    parentSession: null,
    subagents: 0,
    ...fields,
  };
}

/** A sessions page with nothing in it. */
export const emptySessionPage = (q: SessionQuery): SessionPage => ({ total: 0, offset: q.offset, rows: [], columns: [], groups: [], projects: [], counts: {} });
