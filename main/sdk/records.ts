// Typed views of the JSON records Claude Code writes to `~/.claude/projects/<project>/<session>.jsonl`.
// Claude Code adds record types and fields often, so every type here is open (`[key: string]: unknown`)
// and every guard checks only what a processor relies on. Anything else is an UnknownRecord.

/** Token counts of one API response (`message.usage`). Older versions omit the cache fields. */
export interface MessageUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** Split of cache_creation_input_tokens by cache lifetime (Claude Code 2.x). */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number; [key: string]: unknown };
  service_tier?: string | null;
  [key: string]: unknown;
}

export interface TextBlock {
  type: 'text';
  text: string;
  [key: string]: unknown;
}
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature?: string;
  [key: string]: unknown;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** A string, or blocks (text, image…). */
  content?: string | unknown[];
  is_error?: boolean;
  [key: string]: unknown;
}
/** A block of a type this SDK does not model (image, redacted_thinking, server_tool_use…). */
export interface OtherBlock {
  type: string;
  [key: string]: unknown;
}
export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

/** Fields most transcript lines share. Summary records and hand-written files may lack any of them. */
export interface RecordBase {
  uuid?: string;
  parentUuid?: string | null;
  sessionId?: string;
  /** ISO 8601; see isoTimestamp() before trusting it. */
  timestamp?: string;
  cwd?: string;
  gitBranch?: string;
  version?: string;
  /** True for subagent (Task/Agent) traffic written inline in the parent's file. */
  isSidechain?: boolean;
  /** True for lines Claude Code injects into the conversation (caveats, expanded skill prompts…). */
  isMeta?: boolean;
  userType?: string;
  [key: string]: unknown;
}

export interface UserRecord extends RecordBase {
  type: 'user';
  message: { role?: string; content?: string | unknown[]; [key: string]: unknown };
  /** Claude Code's own copy of a tool's output (often large). */
  toolUseResult?: unknown;
}

export interface AssistantRecord extends RecordBase {
  type: 'assistant';
  requestId?: string;
  /** Set on the synthetic assistant line Claude Code writes when an API call finally fails. */
  isApiErrorMessage?: boolean;
  message: {
    id?: string;
    model?: string;
    content?: unknown[];
    usage?: MessageUsage;
    stop_reason?: string | null;
    [key: string]: unknown;
  };
}

export interface SummaryRecord {
  type: 'summary';
  summary: string;
  leafUuid?: string;
  [key: string]: unknown;
}

export interface SystemRecord extends RecordBase {
  type: 'system';
  /** e.g. informational, compact_boundary, local_command, api_error. */
  subtype?: string;
  /** info, warning, error… */
  level?: string;
  content?: string;
  error?: unknown;
}

/** Any other JSON object: file-history-snapshot, progress, attachment, queue-operation, no `type` at all… */
export interface UnknownRecord {
  type?: unknown;
  [key: string]: unknown;
}

export type ClaudeRecord = UserRecord | AssistantRecord | SummaryRecord | SystemRecord | UnknownRecord;

/** The model Claude Code names on lines it wrote itself rather than received from the API. */
export const SYNTHETIC_MODEL = '<synthetic>';

/** A plain JSON object (not an array, not null), or undefined. Lines may hold any JSON value. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function hasMessage(value: Record<string, unknown>): boolean {
  return asObject(value.message) !== undefined;
}

export function isUserRecord(value: unknown): value is UserRecord {
  const object = asObject(value);
  return object !== undefined && object.type === 'user' && hasMessage(object);
}

export function isAssistantRecord(value: unknown): value is AssistantRecord {
  const object = asObject(value);
  return object !== undefined && object.type === 'assistant' && hasMessage(object);
}

export function isSummaryRecord(value: unknown): value is SummaryRecord {
  const object = asObject(value);
  return object !== undefined && object.type === 'summary' && typeof object.summary === 'string';
}

export function isSystemRecord(value: unknown): value is SystemRecord {
  const object = asObject(value);
  return object !== undefined && object.type === 'system';
}

/** A string field of a record, or null when absent, empty or not a string. */
export function stringField(record: unknown, field: string): string | null {
  const value = asObject(record)?.[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The record's model, unless it is absent or the synthetic one Claude Code uses for its own lines. */
export function apiModel(record: AssistantRecord): string | null {
  const model = record.message.model;
  return typeof model === 'string' && model !== '' && model !== SYNTHETIC_MODEL ? model : null;
}
