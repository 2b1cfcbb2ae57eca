import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProcessor, runProcessor, writeSession } from './support.js';
import { assistantLine, at, NOISE, text, toolResult, toolUse, userLine } from './lines.js';

const CALL = { id: 'msg_1', requestId: 'req_1' };

/** Failed tool calls (one with an image, one past 2 KB, one whose call was compacted away), API errors and system lines. */
function sessionLines(longError: string): unknown[] {
  return [
    ...NOISE,
    assistantLine('a1', 0, CALL, [toolUse('t_bash', 'Bash', { command: 'make' }), toolUse('t_read', 'Read', { file_path: '/x' })]),
    userLine('r1', 1, [toolResult('t_bash', 'make: *** No rule to make target', true), toolResult('t_read', 'file contents', false)]),
    assistantLine('a2', 2, CALL, [toolUse('t_edit', 'Edit')]),
    userLine('r2', 3, [
      toolResult('t_edit', [text('<tool_use_error>String not found</tool_use_error>'), { type: 'image', source: { type: 'base64', data: 'AAAA' } }], true),
    ]),
    assistantLine('a3', 4, CALL, [toolUse('t_long', 'Bash')]),
    userLine('r3', 5, [toolResult('t_long', longError, true)]),
    userLine('r4', 6, [toolResult('t_gone', 'The call is in a file that was compacted away', true)]),
    assistantLine('e1', 7, { id: 'msg_e', requestId: 'req_e', model: '<synthetic>' }, [text('API Error: 529 {"type":"overloaded_error"}')], {
      isApiErrorMessage: true,
      error: 'server_error',
    }),
    {
      type: 'system',
      subtype: 'api_error',
      level: 'error',
      uuid: 's1',
      timestamp: at(8),
      error: { status: 529, message: '529 overloaded', formatted: '529 overloaded_error' },
      retryInMs: 601,
      retryAttempt: 1,
      maxRetries: 10,
    },
    { type: 'system', subtype: 'api_error', level: 'error', uuid: 's2', timestamp: at(9), error: { status: 500 }, retryAttempt: 2 },
    { type: 'system', level: 'error', uuid: 's3', timestamp: at(10), content: 'Hook PreToolUse:Bash failed' },
    { type: 'system', subtype: 'informational', level: 'info', uuid: 's4', timestamp: at(11), content: 'Not an error' },
    { type: 'system', subtype: 'compact_boundary', level: 'warning', uuid: 's5', timestamp: at(12), content: 'Conversation compacted' },
  ];
}

/** The items the errors processor gives for sessionLines, in file order. */
function expectedItems(lineOf: (uuid: string) => number, truncated: string): Record<string, unknown>[] {
  return [
    {
      kind: 'tool_result',
      tool_name: 'Bash',
      tool_use_id: 't_bash',
      error_text: 'make: *** No rule to make target',
      occurred_at: at(1),
      event_uuid: 'r1',
      line_no: lineOf('r1'),
    },
    {
      kind: 'tool_result',
      tool_name: 'Edit',
      tool_use_id: 't_edit',
      error_text: '<tool_use_error>String not found</tool_use_error>',
      occurred_at: at(3),
      event_uuid: 'r2',
      line_no: lineOf('r2'),
    },
    { kind: 'tool_result', tool_name: 'Bash', tool_use_id: 't_long', error_text: truncated, occurred_at: at(5), event_uuid: 'r3', line_no: lineOf('r3') },
    {
      kind: 'tool_result',
      tool_name: null,
      tool_use_id: 't_gone',
      error_text: 'The call is in a file that was compacted away',
      occurred_at: at(6),
      event_uuid: 'r4',
      line_no: lineOf('r4'),
    },
    {
      kind: 'api_error_message',
      tool_name: null,
      tool_use_id: null,
      error_text: 'API Error: 529 {"type":"overloaded_error"}',
      occurred_at: at(7),
      event_uuid: 'e1',
      line_no: lineOf('e1'),
    },
    {
      kind: 'system_error',
      tool_name: null,
      tool_use_id: null,
      error_text: '529 overloaded_error',
      occurred_at: at(8),
      event_uuid: 's1',
      line_no: lineOf('s1'),
    },
    { kind: 'system_error', tool_name: null, tool_use_id: null, error_text: '{"status":500}', occurred_at: at(9), event_uuid: 's2', line_no: lineOf('s2') },
    {
      kind: 'system_error',
      tool_name: null,
      tool_use_id: null,
      error_text: 'Hook PreToolUse:Bash failed',
      occurred_at: at(10),
      event_uuid: 's3',
      line_no: lineOf('s3'),
    },
  ];
}

test('errors: failed tool calls and API error records, with the tool name and the first 2 KB of text', async () => {
  const errors = await loadProcessor('errors');
  const longError = `Error: ${'é'.repeat(3000)}`; // 6,007 bytes of UTF-8
  const lines = sessionLines(longError);
  const file = writeSession(lines);
  // The file line of each item's record (writeSession writes one line per entry).
  const lineOf = (uuid: string) => lines.findIndex((line) => (line as { uuid?: string }).uuid === uuid) + 1;
  const { items } = await runProcessor<Record<string, unknown>>(errors, file);
  const truncated = `Error: ${'é'.repeat(1020)}`; // 7 + 2,040 bytes: the next é would pass 2,048
  assert.equal(Buffer.byteLength(truncated), 2047);
  assert.deepEqual(items, expectedItems(lineOf, truncated));
});

test('errors: declares the tool_errors view', async () => {
  const errors = await loadProcessor('errors');
  assert.deepEqual(errors.view, {
    name: 'tool_errors',
    columns: {
      kind: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      error_text: 'VARCHAR',
      occurred_at: 'TIMESTAMP',
      event_uuid: 'VARCHAR',
      line_no: 'BIGINT',
    },
  });
});
