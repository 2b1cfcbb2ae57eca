// The SQL built-ins (usage, errors, summary) give exactly the items of the same processors written with the
// SDK's TypeScript rules (referenceProcessors.ts): on a file of hostile shapes, on the real transcripts and
// on a generated corpus. errors' line_no is checked against the file itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fixturesDir, loadProcessor, NO_FIXTURES, runProcessor, sessionFiles, writeSession } from './support.js';
import { generateCorpus, GENERATOR_MISSING } from './corpus.js';
import { referenceErrors, referenceSummary, referenceUsage } from './referenceProcessors.js';
import { assistantLine, at, text, toolResult, toolUse, userLine } from './lines.js';
import type { Processor } from '../../main/sdk/index.js';

type Item = Record<string, unknown>;
const M = { id: 'msg_1', requestId: 'req_1', model: 'claude-opus-4-5-20251101' };

/** Shapes real files rarely hold, each aimed at one rule the SQL form must follow exactly. */
const HOSTILE: (unknown | string)[] = [
  { type: 'summary', summary: '   ' }, // a blank summary titles nothing: the next one does
  { type: 'summary', summary: 42 },
  { type: 'summary', summary: `  Fix\tthe\u00a0build ${'😀'.repeat(120)} and more` },
  userLine('u1', 0, '  <command-message>x</command-message>\n<command-name>review</command-name><command-args> \u2028src </command-args>'),
  userLine('u2', 1, [text('<command-name>/a b</command-name>'), { type: 'image', source: {} }, 'not a block', 7]),
  userLine('u3', 2, 'typed', { isSidechain: 'true', timestamp: '2025-10-01T09:00:02+02:00', sessionId: '', cwd: 5 }),
  userLine('u4', 3, '<local-command-stdout>echo</local-command-stdout>'),
  userLine('u5', 4, '[Request interrupted by user]', { isMeta: true }),
  userLine('u6', 5, 'a compaction summary', { isCompactSummary: true }),
  userLine('u7', 6, [], { timestamp: '2025-10-01 09:00:06' }),
  { type: 'user', uuid: 'u8', timestamp: at(7) }, // no message at all
  { type: 'user', uuid: 'u9', timestamp: 1_759_309_200_000, message: { content: [toolResult('t_before', 'result before its call', true)] } },
  assistantLine('a1', 8, { ...M, model: undefined } as never, [toolUse('t1', 'mcp__srv__do'), toolUse('t2', 'Skill', { skill: '' }), toolUse('t3', 'Task', { subagent_type: 'Plan' })], { timestamp: '2025-02-30T00:00:00Z' }),
  assistantLine('a2', 9, M, [toolUse('t4', 'Agent', 'not an object' as never), { type: 'tool_use', id: 5, name: 'NoId' }, { type: 'tool_use', id: 't5' }, toolUse('t1', 'Bash')]),
  userLine('r1', 10, [toolResult('t1', [text('first'), text('second'), { type: 'image' }], true), toolResult('t2', 'ok', 'true' as never), toolResult('t3', 'no is_error')]),
  userLine('r2', 11, [toolResult('t1', 'a second result for t1', true), { type: 'tool_result', tool_use_id: 9, is_error: true, content: 'id not a string' }]),
  assistantLine('a3', 12, { id: '', requestId: '', model: 'claude-haiku-4-5-20251001', usage: { output_tokens: 1 } }, [text('keyless')]),
  assistantLine('a4', 13, { id: '', requestId: '', model: 'claude-haiku-4-5-20251001', usage: { output_tokens: 1 } }, [text('keyless again')]),
  assistantLine('a5', 14, { id: 'msg_s', requestId: 'req_s', model: '<synthetic>', usage: { output_tokens: 1 } }, [text('API Error: overloaded')], { isApiErrorMessage: true }),
  { type: 'assistant', uuid: 'a6', timestamp: at(15), requestId: 'req_u', message: { id: 'msg_u', model: 'claude-sonnet-4-5-20250929', usage: 'no object', content: [] } },
  { type: 'system', level: 'error', uuid: 's1', timestamp: at(16), error: { message: 'from message', formatted: '' } },
  { type: 'system', subtype: 'api_error', uuid: 's2', timestamp: at(17), error: ['a', 1], content: '' },
  { type: 'system', subtype: 'api_error', uuid: 's3', timestamp: at(18), error: { a: 'é\n"q"', b: [true, null] } },
  { type: 'system', level: 'error', uuid: 's4', timestamp: at(19) },
  { type: 'system', level: 'warning', subtype: 'api_error', uuid: 's5', content: 'content text' },
  { type: 'system', level: 'ERROR', uuid: 's6', content: 'not an error level' },
  5,
  [1, 2],
  '"a string record"',
  'null',
  '',
  '   ',
  '{"type":"user", "cut off',
  userLine('u10', 20, `   ${'word '.repeat(60)}`, { sessionId: 'sess-late', gitBranch: 'feature/x' }),
];

async function items(processor: Processor | Awaited<ReturnType<typeof loadProcessor>>, file: string): Promise<Item[]> {
  return (await runProcessor<Item>(processor, file)).items;
}

/** Each processor's SQL items equal its reference's; errors' line_no names a line holding that record. */
async function assertParity(file: string): Promise<void> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const [name, reference] of [['usage', referenceUsage], ['errors', referenceErrors], ['summary', referenceSummary]] as const) {
    const actual = await items(await loadProcessor(name), file);
    const expected = await items(reference, file);
    if (name === 'errors') {
      for (const item of actual) {
        const line = JSON.parse(lines[Number(item.line_no) - 1].replace(/^\uFEFF/, '')) as Item;
        assert.equal(item.event_uuid, typeof line.uuid === 'string' && line.uuid !== '' ? line.uuid : null, `${file}: line ${String(item.line_no)}`);
      }
      assert.deepEqual(actual.map(({ line_no: _, ...rest }) => rest), expected, `${name}: ${file}`);
    } else {
      assert.deepEqual(actual, expected, `${name}: ${file}`);
    }
  }
}

test('SQL built-ins equal their TypeScript reference on hostile shapes', async () => {
  const file = writeSession(HOSTILE);
  await assertParity(file);
  // The shapes did reach the rules they aim at.
  const summary = (await items(await loadProcessor('summary'), file))[0];
  assert.match(String(summary.title), /^Fix the build (?:😀)+…$/u);
  assert.equal(summary.assistant_messages, 3, "msg_1 once, two keyless lines; not the synthetic one or the one without a usage object");
  const errors = await items(await loadProcessor('errors'), file);
  assert.deepEqual(errors.map((e) => e.kind), ['tool_result', 'tool_result', 'tool_result', 'api_error_message', 'system_error', 'system_error', 'system_error', 'system_error', 'system_error']);
});

test('SQL built-ins equal their TypeScript reference on the real transcripts', { skip: fixturesDir() === null ? NO_FIXTURES : undefined }, async () => {
  for (const file of sessionFiles(fixturesDir()!)) await assertParity(file);
});

test('SQL built-ins equal their TypeScript reference on a generated corpus', { skip: GENERATOR_MISSING }, async () => {
  for (const file of generateCorpus().files) await assertParity(file);
});
