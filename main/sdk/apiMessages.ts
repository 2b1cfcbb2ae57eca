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

export interface ApiMessageCollectorOptions {
  /**
   * Keep each message's first uuid and timestamp (default true). Without them an entry costs about half
   * as much: a 1 GB session has over 100,000 messages, so a processor that needs only models and tokens
   * should say false (`uuid` and `timestamp` are then null).
   */
  firstLine?: boolean;
}

/** Token counts per message in one flat array: input, output, cacheCreation, cacheCreation1h, cacheRead. */
const FIELDS = 5;

/**
 * Feed it every record of a session (`observe`), then read `messages()`. Keeps one small entry per API
 * message, in flat arrays (no object per message): a session's messages are all held until it ends.
 * Ignores lines Claude Code wrote itself (model `<synthetic>`, e.g. API error notices) and assistant
 * lines without a usage object.
 */
export class ApiMessageCollector {
  /** Message number by dedup key, in order of first appearance. */
  private readonly byKey = new Map<string, number>();
  /** Numbers of the messages without a key, in order. */
  private readonly keyless: number[] = [];
  private count = 0;
  private tokens = new Float64Array(FIELDS * 1024);
  /** Index into `modelNames` per message; -1: no model. */
  private models = new Int32Array(1024);
  private readonly modelNames: string[] = [];
  private readonly modelIds = new Map<string, number>();
  private readonly uuids: (string | null)[] | null;
  private readonly timestamps: (string | null)[] | null;

  constructor(options: ApiMessageCollectorOptions = {}) {
    const firstLine = options.firstLine ?? true;
    this.uuids = firstLine ? [] : null;
    this.timestamps = firstLine ? [] : null;
  }

  observe(record: unknown): void {
    if (!isAssistantRecord(record)) return;
    const { model, usage } = record.message;
    if (model === SYNTHETIC_MODEL || asObject(usage) === undefined) return;
    const tokens = readTokenCounts(usage);
    const key = apiMessageKey(record);
    const known = key === null ? undefined : this.byKey.get(key);
    if (known !== undefined) {
      if (tokens.output > this.tokens[known * FIELDS + 1]) this.setTokens(known, tokens);
      return;
    }
    const n = this.count++;
    if (n * FIELDS >= this.tokens.length) this.grow();
    this.setTokens(n, tokens);
    this.models[n] = typeof model === 'string' && model !== '' ? this.modelId(model) : -1;
    this.uuids?.push(typeof record.uuid === 'string' ? record.uuid : null);
    this.timestamps?.push(typeof record.timestamp === 'string' ? record.timestamp : null);
    if (key === null) this.keyless.push(n);
    else this.byKey.set(key, n);
  }

  /** Every distinct message, in order of first appearance (keyless lines last). */
  *messages(): IterableIterator<ApiMessage> {
    for (const [key, n] of this.byKey) yield this.message(key, n);
    for (const n of this.keyless) yield this.message(null, n);
  }

  get size(): number {
    return this.count;
  }

  private message(key: string | null, n: number): ApiMessage {
    const t = this.tokens;
    const at = n * FIELDS;
    return {
      key,
      model: this.models[n] === -1 ? null : this.modelNames[this.models[n]],
      tokens: { input: t[at], output: t[at + 1], cacheCreation: t[at + 2], cacheCreation1h: t[at + 3], cacheRead: t[at + 4] },
      uuid: this.uuids?.[n] ?? null,
      timestamp: this.timestamps?.[n] ?? null,
    };
  }

  private setTokens(n: number, tokens: TokenCounts): void {
    const at = n * FIELDS;
    this.tokens[at] = tokens.input;
    this.tokens[at + 1] = tokens.output;
    this.tokens[at + 2] = tokens.cacheCreation;
    this.tokens[at + 3] = tokens.cacheCreation1h;
    this.tokens[at + 4] = tokens.cacheRead;
  }

  private modelId(model: string): number {
    let id = this.modelIds.get(model);
    if (id === undefined) {
      id = this.modelNames.push(model) - 1;
      this.modelIds.set(model, id);
    }
    return id;
  }

  private grow(): void {
    const tokens = new Float64Array(this.tokens.length * 2);
    tokens.set(this.tokens);
    this.tokens = tokens;
    const models = new Int32Array(this.models.length * 2);
    models.set(this.models);
    this.models = models;
  }
}
