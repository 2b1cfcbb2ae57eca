// The SDK helpers the built-in processors share, on the edge cases they exist for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiMessageCollector,
  contentBlocks,
  isHumanPrompt,
  isoTimestamp,
  isUserRecord,
  oneLine,
  parseMcpToolName,
  parseSlashCommand,
  readTokenCounts,
  ToolCallPairing,
  toolResults,
  toolUseDetails,
  toolUses,
  truncateUtf8,
  walkStrings,
  stringAtPath,
  spanDigest,
  type UserRecord,
} from '../../main/sdk/index.js';

test('parseSlashCommand: tags must open the text; names get their slash', () => {
  assert.deepEqual(
    parseSlashCommand('<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args> a b </command-args>'),
    { name: '/review', args: 'a b' },
  );
  assert.deepEqual(parseSlashCommand('<command-name>init</command-name>'), { name: '/init', args: '' });
  assert.deepEqual(parseSlashCommand('  <command-name>/my-plugin:deploy</command-name>'), { name: '/my-plugin:deploy', args: '' });
  assert.equal(parseSlashCommand('Explain <command-name>/review</command-name>'), null);
  assert.equal(parseSlashCommand('<command-name></command-name>'), null);
  assert.equal(parseSlashCommand('<command-name>two words</command-name>'), null);
});

test('truncateUtf8 never cuts a character and keeps short text whole', () => {
  assert.equal(truncateUtf8('short', 2048), 'short');
  assert.equal(truncateUtf8('abcdef', 4), 'abcd');
  assert.equal(truncateUtf8('aé', 2), 'a'); // é is 2 bytes
  assert.equal(truncateUtf8('😀😀', 5), '😀'); // 4 bytes each
  assert.equal(truncateUtf8('日本語', 7), '日本'); // 3 bytes each
  assert.equal(truncateUtf8('x'.repeat(5000), 2048).length, 2048);
});

test('oneLine collapses whitespace and cuts with an ellipsis without splitting a surrogate pair', () => {
  assert.equal(oneLine('  a \n\t b  ', 10), 'a b');
  assert.equal(oneLine('abcdefghij', 5), 'abcd…');
  assert.equal(oneLine('abc😀def', 5), 'abc…');
});

test('isoTimestamp normalizes date-times and rejects everything else', () => {
  assert.equal(isoTimestamp('2025-06-14T11:00:00Z'), '2025-06-14T11:00:00.000Z');
  assert.equal(isoTimestamp('2025-06-14T13:00:00.5+02:00'), '2025-06-14T11:00:00.500Z');
  for (const bad of ['1', 'yesterday', '2025-13-45T00:00:00Z', 1718362800000, null, undefined]) assert.equal(isoTimestamp(bad), null);
});

test('walkStrings visits every string with its path, skipping what it is told to', () => {
  const seen: string[] = [];
  walkStrings(
    { a: 'x', b: [{ c: 'y', 'd-e': 'z' }, 1, null], image: { type: 'base64', data: 'skip me' } },
    (entry) => seen.push(`${entry.path()}=${entry.text}`),
    { skip: (parent, key) => key === 'data' && parent.type === 'base64' },
  );
  assert.deepEqual(seen, ['a=x', 'b[0].c=y', 'b[0]["d-e"]=z', 'image.type=base64']);
});

test('stringAtPath finds the string a walkStrings path names; spanDigest is salted by where the span was found', () => {
  const record = { a: 'x', b: [{ c: 'y', 'd-e': 'z', 'f.g': 'w' }], '': { '[0]': 'v' } };
  const paths: string[] = [];
  walkStrings(record, (entry) => paths.push(entry.path()));
  assert.deepEqual(
    paths.map((p) => stringAtPath(record, p)),
    ['x', 'y', 'z', 'w', 'v'],
  );
  assert.equal(stringAtPath(record, 'b[0]'), undefined, 'not a string');
  assert.equal(stringAtPath(record, 'nope'), undefined);
  assert.match(spanDigest('u1:a', 'x'), /^[0-9a-f]{64}$/);
  assert.notEqual(spanDigest('u1:a', 'x'), spanDigest('u2:a', 'x'));
  assert.notEqual(spanDigest('u1:a', 'x'), spanDigest('u1:ax', ''), 'location and span are kept apart');
});

test('content helpers tolerate malformed blocks', () => {
  assert.deepEqual(contentBlocks({ content: 'hi' }), [{ type: 'text', text: 'hi' }]);
  assert.deepEqual(contentBlocks({ content: ['str', null, 3, { no: 'type' }, { type: 'text', text: 't' }] }), [{ type: 'text', text: 't' }]);
  assert.deepEqual(contentBlocks({ content: null }), []);
  assert.deepEqual(
    toolUses({
      type: 'assistant',
      message: {
        content: [
          { type: 'tool_use', id: 'a' },
          { type: 'tool_use', id: 'b', name: 'Bash' },
        ],
      },
    }),
    [{ type: 'tool_use', id: 'b', name: 'Bash' }],
  );
  assert.deepEqual(toolResults({ type: 'assistant', message: { content: [{ type: 'tool_result', tool_use_id: 'x' }] } }), []);
});

test('isHumanPrompt: typed lines only', () => {
  const user = (content: unknown, extra: Record<string, unknown> = {}): UserRecord => {
    const record = { type: 'user', message: { role: 'user', content }, ...extra };
    assert.ok(isUserRecord(record));
    return record;
  };
  assert.equal(isHumanPrompt(user('fix it')), true);
  assert.equal(isHumanPrompt(user('<command-name>/clear</command-name>')), true);
  assert.equal(isHumanPrompt(user([{ type: 'tool_result', tool_use_id: 'x', content: 'ok' }])), false);
  assert.equal(isHumanPrompt(user('injected', { isMeta: true })), false);
  assert.equal(isHumanPrompt(user('subagent prompt', { isSidechain: true })), false);
  assert.equal(isHumanPrompt(user('<local-command-stdout>ok</local-command-stdout>')), false);
  assert.equal(isHumanPrompt(user([{ type: 'text', text: '[Request interrupted by user for tool use]' }])), false);
  assert.equal(isHumanPrompt(user('   ')), false);
});

test('tool details: skills, subagents, MCP servers', () => {
  assert.deepEqual(parseMcpToolName('mcp__plugin_playwright_playwright__browser_navigate'), {
    server: 'plugin_playwright_playwright',
    tool: 'browser_navigate',
  });
  assert.equal(parseMcpToolName('mcp__broken'), null);
  assert.deepEqual(toolUseDetails({ type: 'tool_use', id: '1', name: 'Skill', input: { skill: 'pdf' } }), {
    skillName: 'pdf',
    subagentType: null,
    mcpServer: null,
    mcpTool: null,
  });
  assert.deepEqual(toolUseDetails({ type: 'tool_use', id: '1', name: 'Agent', input: { subagent_type: 'Plan' } }), {
    skillName: null,
    subagentType: 'Plan',
    mcpServer: null,
    mcpTool: null,
  });
  assert.deepEqual(toolUseDetails({ type: 'tool_use', id: '1', name: 'Bash', input: { subagent_type: 'not a subagent call' } }).subagentType, null);
});

test('ToolCallPairing forgets a call once its result arrives', () => {
  const pairing = new ToolCallPairing<string>();
  pairing.expect({ type: 'tool_use', id: 't1', name: 'Bash' }, 'Bash');
  assert.equal(pairing.awaitingCount, 1);
  assert.equal(pairing.resolve({ type: 'tool_result', tool_use_id: 't1' }), 'Bash');
  assert.equal(pairing.resolve({ type: 'tool_result', tool_use_id: 't1' }), undefined);
  assert.equal(pairing.awaitingCount, 0);
});

test('ApiMessageCollector and readTokenCounts', () => {
  assert.deepEqual(
    readTokenCounts({
      input_tokens: 5,
      output_tokens: -1,
      cache_creation_input_tokens: 10,
      cache_creation: { ephemeral_1h_input_tokens: 99 },
      cache_read_input_tokens: 'x',
    }),
    {
      input: 5,
      output: 0,
      cacheCreation: 10,
      cacheCreation1h: 10, // never more than the total
      cacheRead: 0,
    },
  );
  const collector = new ApiMessageCollector();
  const line = (output: number, model = 'claude-x') => ({ type: 'assistant', requestId: 'r', message: { id: 'm', model, usage: { output_tokens: output } } });
  for (const record of [line(3), line(9), line(4), line(50, '<synthetic>'), { type: 'assistant', message: { id: 'n', model: 'claude-x' } }])
    collector.observe(record);
  assert.equal(collector.size, 1);
  assert.equal([...collector.messages()][0].tokens.output, 9);
});
