// Builders for hand-written transcript lines in the shape Claude Code writes them, so each test states
// only what it is about. Times are seconds after a fixed start, so expected values can be written out.
const START_MS = Date.parse('2025-10-01T09:00:00.000Z');

/** The ISO timestamp `seconds` after the start of every hand-written session. */
export function at(seconds: number): string {
  return new Date(START_MS + seconds * 1000).toISOString();
}

type Extra = Record<string, unknown>;

function base(uuid: string, seconds: number, extra: Extra): Extra {
  return {
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: '/home/alice/code/app',
    sessionId: 'sess-1',
    version: '2.0.37',
    gitBranch: 'main',
    uuid,
    timestamp: at(seconds),
    ...extra,
  };
}

export function userLine(uuid: string, seconds: number, content: string | unknown[], extra: Extra = {}): Extra {
  return { type: 'user', ...base(uuid, seconds, extra), message: { role: 'user', content } };
}

export interface ApiCall {
  id: string;
  requestId: string;
  model?: string;
  usage?: Extra;
}

/** One line of an API message (Claude Code writes one per content block). */
export function assistantLine(uuid: string, seconds: number, call: ApiCall, content: unknown[], extra: Extra = {}): Extra {
  return {
    type: 'assistant',
    ...base(uuid, seconds, extra),
    requestId: call.requestId,
    message: {
      id: call.id,
      type: 'message',
      role: 'assistant',
      model: call.model ?? 'claude-sonnet-4-5-20250929',
      content,
      stop_reason: null,
      usage: call.usage ?? { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}

export const text = (value: string) => ({ type: 'text', text: value });
export const toolUse = (id: string, name: string, input: Extra = {}) => ({ type: 'tool_use', id, name, input });
export const toolResult = (toolUseId: string, content: string | unknown[], isError?: boolean) => ({
  type: 'tool_result',
  tool_use_id: toolUseId,
  content,
  ...(isError === undefined ? {} : { is_error: isError }),
});

/** Lines a processor must pass over: record types it does not know, a line with no type, non-object JSON. */
export const NOISE: unknown[] = [
  { type: 'file-history-snapshot', messageId: 'm-0', snapshot: { trackedFileBackups: {} }, isSnapshotUpdate: false },
  { type: 'progress', uuid: 'p-1', timestamp: at(0), data: { type: 'hook_progress' } },
  { type: 'queue-operation', operation: 'enqueue', timestamp: at(0), content: 'later' },
  { uuid: 'no-type', timestamp: at(0), note: 'a record with no type field' },
  { type: 'user', uuid: 'bad-user', message: 'not an object' },
  { type: 'assistant', uuid: 'bad-assistant', message: { content: 'not blocks' } },
  '42',
  '"a string line"',
  '[1, 2]',
  'null',
];
