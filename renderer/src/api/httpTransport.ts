// Browser mode: POST /api/call with a bearer token, server-sent events at /api/events?token=…
import type { ApiEvent, ApiResponse, ApiTransport, MethodName } from '../../../main/api/contract.js';

export const TOKEN_STORAGE_KEY = 'session-inspector.token';

/**
 * The page is opened as http://127.0.0.1:PORT/?token=TOKEN: take the token, keep it in sessionStorage (it
 * survives a reload of this tab, not the browser) and remove it from the address bar and history.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

export function createHttpTransport(token: string | null, base = ''): ApiTransport {
  const listeners = new Set<(event: ApiEvent) => void>();
  let source: EventSource | null = null;

  function connect(): void {
    if (source) return;
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token ?? '')}`);
    source.onmessage = (message) => {
      let event: ApiEvent;
      try {
        event = JSON.parse(message.data) as ApiEvent;
      } catch {
        return; // A comment or keep-alive that is not JSON: nothing to apply.
      }
      for (const listener of listeners) listener(event);
    };
    // EventSource reconnects by itself after a dropped connection; events missed meanwhile are recovered by
    // the refresh every view does on its next event or action.
  }

  return {
    async call(method: MethodName, args: unknown): Promise<ApiResponse<unknown>> {
      const response = await fetch(`${base}/api/call`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
        body: JSON.stringify({ method, args }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text) as ApiResponse<unknown>;
      } catch {
        const hint =
          response.status === 401 || response.status === 403
            ? 'the access token is missing or wrong: open the URL printed by `session-inspector serve` again'
            : text.slice(0, 200);
        return {
          ok: false,
          error: {
            code: response.status === 401 || response.status === 403 ? 'invalid' : 'internal',
            message: `HTTP ${response.status} from ${method}: ${hint}`,
          },
        };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
