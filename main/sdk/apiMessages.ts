// One API response = one billed message, but Claude Code writes it as one line per content block, each
// repeating `message.usage` (and, while streaming, earlier lines may carry a smaller output_tokens). So a
// message is identified by (message.id, requestId) and counted once, with the usage of its line that has
// the largest output_tokens. Summing every line over-counts; ccusage deduplicates the same way.
import { isAssistantRecord, SYNTHETIC_MODEL, asObject, type AssistantRecord } from './records.js';

/** Token counts of one message; missing or invalid fields count as 0. */
export interface TokenCounts {
  input: number;
  output: number;
  /** All cache writes (cache_creation_input_tokens). */
  cacheCreation: number;
  /** The part of cacheCreation written with the 1-hour lifetime (billed higher); 0 when not reported. */
  cacheCreation1h: number;
  cacheRead: number;
}

export interface ApiMessage {
  /** `message.id:requestId`, or null when the line has neither (then it cannot be deduplicated). */
  key: string | null;
  /** null when the line names no model. */
  model: string | null;
  tokens: TokenCounts;
  /** uuid and timestamp of the first line seen for this message. */
  uuid: string | null;
  timestamp: string | null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The token counts of a `message.usage` object. */
export function readTokenCounts(usage: unknown): TokenCounts {
  const u = asObject(usage) ?? {};
  const cacheCreation = count(u.cache_creation_input_tokens);
  const split = asObject(u.cache_creation);
  return {
    input: count(u.input_tokens),
    output: count(u.output_tokens),
    cacheCreation,
    cacheCreation1h: Math.min(cacheCreation, count(split?.ephemeral_1h_input_tokens)),
    cacheRead: count(u.cache_read_input_tokens),
  };
}

/** The dedup key of an assistant line, or null when it has neither message.id nor requestId. */
export function apiMessageKey(record: AssistantRecord): string | null {
  const id = typeof record.message.id === 'string' ? record.message.id : '';
  const requestId = typeof record.requestId === 'string' ? record.requestId : '';
  return id === '' && requestId === '' ? null : `${id}:${requestId}`;
}

/**
 * Feed it every record of a session (`observe`), then read `messages()`. Keeps one small entry per API
 * message. Ignores lines Claude Code wrote itself (model `<synthetic>`, e.g. API error notices) and
 * assistant lines without a usage object.
 */
export class ApiMessageCollector {
  private readonly byKey = new Map<string, ApiMessage>();
  private readonly keyless: ApiMessage[] = [];

  observe(record: unknown): void {
    if (!isAssistantRecord(record)) return;
    const { model, usage } = record.message;
    if (model === SYNTHETIC_MODEL || asObject(usage) === undefined) return;
    const tokens = readTokenCounts(usage);
    const key = apiMessageKey(record);
    const known = key === null ? undefined : this.byKey.get(key);
    if (known) {
      if (tokens.output > known.tokens.output) known.tokens = tokens;
      return;
    }
    const message: ApiMessage = {
      key,
      model: typeof model === 'string' && model !== '' ? model : null,
      tokens,
      uuid: typeof record.uuid === 'string' ? record.uuid : null,
      timestamp: typeof record.timestamp === 'string' ? record.timestamp : null,
    };
    if (key === null) this.keyless.push(message);
    else this.byKey.set(key, message);
  }

  /** Every distinct message, in order of first appearance (keyless lines last). */
  *messages(): IterableIterator<ApiMessage> {
    yield* this.byKey.values();
    yield* this.keyless;
  }

  get size(): number {
    return this.byKey.size + this.keyless.length;
  }
}
