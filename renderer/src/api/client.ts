// The typed client over a transport: `api.call('sessions/list', {...})` resolves to the method's result or
// throws an ApiCallError carrying the ApiError (code + message) the UI shows. Pure: no DOM, no Node, so the
// unit tests compile it with the root tsconfig and drive it with a fake transport.
import type { ApiError, ApiErrorCode, ApiTransport, ArgsOf, MethodName, ResultOf } from '../../../main/api/contract.js';

export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly method: MethodName;

  constructor(method: MethodName, error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }

  get apiError(): ApiError {
    return { code: this.code, message: this.message };
  }
}

export interface ApiClient {
  call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  subscribe: ApiTransport['subscribe'];
}

const CODES: readonly ApiErrorCode[] = ['invalid', 'busy', 'not-found', 'conflict', 'unavailable', 'internal'];

/** A response that is not an ApiResponse (a proxy page, a crashed server) becomes an 'internal' error. */
function asApiError(value: unknown): ApiError {
  const v = value as Partial<ApiError> | null;
  if (v && typeof v.message === 'string' && typeof v.code === 'string' && CODES.includes(v.code as ApiErrorCode)) {
    return { code: v.code as ApiErrorCode, message: v.message };
  }
  return { code: 'internal', message: `Unexpected error value from the app: ${JSON.stringify(value)}` };
}

export function createApiClient(transport: ApiTransport): ApiClient {
  return {
    async call(method, args) {
      let response: unknown;
      try {
        response = await transport.call(method, args);
      } catch (cause) {
        // The transport itself failed (server gone, IPC closed): nothing was answered.
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new ApiCallError(method, { code: 'unavailable', message: `Session Inspector is not reachable (${method}): ${reason}` });
      }
      const r = response as { ok?: unknown; value?: unknown; error?: unknown } | null;
      if (r && r.ok === true && 'value' in r) return r.value as ResultOf<typeof method>;
      if (r && r.ok === false) throw new ApiCallError(method, asApiError(r.error));
      throw new ApiCallError(method, { code: 'internal', message: `Malformed response to ${method}: ${JSON.stringify(response)?.slice(0, 200)}` });
    },
    subscribe: (listener) => transport.subscribe(listener),
  };
}

/** A message for any thrown value, for the UI's error line. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiCallError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
