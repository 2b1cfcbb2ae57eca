import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPluginModule, loadProcessor, runProcessor, writeSession } from './support.js';
import { assistantLine, at, NOISE, text, toolResult, toolUse, userLine } from './lines.js';

const OPUS = { id: 'msg_1', requestId: 'req_1', model: 'claude-opus-4-5-20251101' };

function event(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    event_type: 'tool',
    tool_name: null,
    skill_name: null,
    subagent_type: null,
    command_name: null,
    mcp_server: null,
    is_error: null,
    model: null,
    event_uuid: null,
    tool_use_id: null,
    occurred_at: null,
    is_sidechain: false,
    ...fields,
  };
}

test('usage: one item per tool call, plus skill/subagent/mcp items, slash commands, is_error from the result', async () => {
  const usage = await loadProcessor('usage');
  const file = writeSession([
    ...NOISE,
    userLine('u1', 0, '<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>src</command-args>'),
    // Older layout: name first, no slash, in a text block.
    userLine('u2', 1, [text('<command-name>compact</command-name><command-args></command-args>')]),
    // A prompt quoting the tags is not a command.
    userLine('u3', 2, 'What does <command-name>/review</command-name> mean in a transcript?'),
    assistantLine('a1', 3, OPUS, [toolUse('t_bash', 'Bash', { command: 'ls' })]),
    assistantLine('a2', 4, OPUS, [toolUse('t_skill', 'Skill', { skill: 'pdf' })]),
    userLine('r1', 5, [toolResult('t_bash', 'ok', false)]),
    userLine('r2', 6, [toolResult('t_skill', [text('Skill failed')], true)]),
    assistantLine('a3', 7, { id: 'msg_2', requestId: 'req_2', model: 'claude-opus-4-5-20251101' }, [
      toolUse('t_task', 'Task', { subagent_type: 'Explore', prompt: 'look' }),
      toolUse('t_agent', 'Agent', { description: 'no type given' }),
    ]),
    assistantLine('a4', 8, { id: 'msg_3', requestId: 'req_3' }, [toolUse('t_mcp', 'mcp__github__create_issue', { title: 'x' })]),
    userLine('r3', 9, [toolResult('t_mcp', 'created')]), // no is_error field: a success
    assistantLine('s1', 10, { id: 'msg_4', requestId: 'req_4', model: 'claude-haiku-4-5-20251001' }, [toolUse('t_side', 'Read', { file_path: '/a' })], {
      isSidechain: true,
    }),
    userLine('r4', 11, [toolResult('t_unknown', 'a result for a call this file never saw', true)]),
    '{"type":"assistant", "cut off',
  ]);
  const { items, malformedLines } = await runProcessor(usage, file);
  const opus = 'claude-opus-4-5-20251101';
  assert.equal(malformedLines, 1);
  assert.deepEqual(items, [
    event({ event_type: 'slash_command', command_name: '/review', event_uuid: 'u1', occurred_at: at(0) }),
    event({ event_type: 'slash_command', command_name: '/compact', event_uuid: 'u2', occurred_at: at(1) }),
    event({ tool_name: 'Bash', is_error: false, model: opus, event_uuid: 'a1', tool_use_id: 't_bash', occurred_at: at(3) }),
    event({ tool_name: 'Skill', skill_name: 'pdf', is_error: true, model: opus, event_uuid: 'a2', tool_use_id: 't_skill', occurred_at: at(4) }),
    event({
      event_type: 'skill',
      tool_name: 'Skill',
      skill_name: 'pdf',
      is_error: true,
      model: opus,
      event_uuid: 'a2',
      tool_use_id: 't_skill',
      occurred_at: at(4),
    }),
    event({ tool_name: 'Task', subagent_type: 'Explore', model: opus, event_uuid: 'a3', tool_use_id: 't_task', occurred_at: at(7) }),
    event({ event_type: 'subagent', tool_name: 'Task', subagent_type: 'Explore', model: opus, event_uuid: 'a3', tool_use_id: 't_task', occurred_at: at(7) }),
    event({ tool_name: 'Agent', model: opus, event_uuid: 'a3', tool_use_id: 't_agent', occurred_at: at(7) }),
    event({ event_type: 'subagent', tool_name: 'Agent', model: opus, event_uuid: 'a3', tool_use_id: 't_agent', occurred_at: at(7) }),
    event({
      tool_name: 'mcp__github__create_issue',
      mcp_server: 'github',
      is_error: false,
      model: 'claude-sonnet-4-5-20250929',
      event_uuid: 'a4',
      tool_use_id: 't_mcp',
      occurred_at: at(8),
    }),
    event({
      event_type: 'mcp',
      tool_name: 'mcp__github__create_issue',
      mcp_server: 'github',
      is_error: false,
      model: 'claude-sonnet-4-5-20250929',
      event_uuid: 'a4',
      tool_use_id: 't_mcp',
      occurred_at: at(8),
    }),
    event({ tool_name: 'Read', model: 'claude-haiku-4-5-20251001', event_uuid: 's1', tool_use_id: 't_side', occurred_at: at(10), is_sidechain: true }),
  ]);
});

test('usage: declares the usage_events view with a type per item field', async () => {
  const usage = await loadProcessor('usage');
  assert.equal(usage.view?.name, 'usage_events');
  assert.deepEqual(Object.keys(usage.view?.columns ?? {}), Object.keys(event({})));
  assert.equal(usage.view?.columns.occurred_at, 'TIMESTAMP');
  assert.equal(usage.view?.columns.is_error, 'BOOLEAN');
});

test('usage: a bad timestamp is stored as null, never as a string the view cannot cast', async () => {
  const usage = await loadProcessor('usage');
  const file = writeSession([assistantLine('a1', 0, OPUS, [toolUse('t1', 'Bash')], { timestamp: 'yesterday' })]);
  const { items } = await runProcessor(usage, file);
  assert.equal(items.length, 1);
  assert.equal(items[0].occurred_at, null);
});

test('usage: an empty file yields no items', async () => {
  const usage = await loadProcessor('usage');
  const { items } = await runProcessor(usage, writeSession([]));
  assert.deepEqual(items, []);
});

const streamingTestName = (maxHeld: number | undefined) =>
  'usage: items go out as their calls are answered, in the order and with the is_error that holding them all would give, unanswered calls included ' +
  (maxHeld ? `(second pass past ${maxHeld} held calls)` : '(one pass)');
for (const maxHeld of [undefined, 1_000])
  test(streamingTestName(maxHeld), async () => {
    const loaded = await loadProcessor('usage');
    type EmitEvents = (s: unknown, ctx: unknown, plan: unknown, maxHeld?: number) => Promise<unknown>;
    const { emitEvents } = await importPluginModule<{ emitEvents: EmitEvents }>('usage', 'index.js');
    // The same processor with a lower bound, so that a small session takes the second pass too.
    const usage = !maxHeld
      ? loaded
      : ({
          ...loaded,
          async processSession(s: unknown, ctx: unknown) {
            const second = await emitEvents(s, ctx, { skip: 0 }, maxHeld);
            if (second) await emitEvents(s, ctx, second, maxHeld);
            return {};
          },
        } as typeof loaded);
    // A seeded mix: calls answered a few lines later (some with errors), calls never answered (lost result
    // lines), an id used twice (the first call can no longer be answered), a subagent call answered only at
    // the very end, and slash commands in between.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lines: unknown[] = [];
    const expected: [string | null, string, boolean | null][] = [];
    const open: { id: string; at: number; isError: boolean }[] = [];
    const answer = (id: string, isError: boolean) => lines.push(userLine(`r-${lines.length}`, 1, [toolResult(id, 'out', isError)]));
    const call = (id: string, name = 'Bash') =>
      lines.push(assistantLine(`a-${lines.length}`, 1, OPUS, [toolUse(id, name, name === 'Task' ? { subagent_type: 'Explore' } : {})]));
    call('t_late', 'Task');
    expected.push(['t_late', 'tool', true], ['t_late', 'subagent', true]);
    call('t_twice');
    expected.push(['t_twice', 'tool', null]); // replaced by the next call with its id
    call('t_twice');
    expected.push(['t_twice', 'tool', false]);
    answer('t_twice', false);
    for (let n = 0; n < 12_000; n++) {
      const id = `t_${n}`;
      call(id);
      const lost = random() < 0.01;
      const isError = random() < 0.2;
      expected.push([id, 'tool', lost ? null : isError]);
      if (!lost) open.push({ id, at: lines.length + Math.floor(random() * 4), isError });
      while (open.length > 0 && open[0].at <= lines.length) answer(open[0].id, open.shift()!.isError);
      if (random() < 0.02) {
        lines.push(userLine(`u-${n}`, 1, '<command-name>/review</command-name><command-args></command-args>'));
        expected.push([null, 'slash_command', null]);
      }
    }
    for (const o of open) answer(o.id, o.isError);
    answer('t_late', true);
    const { items, itemsCount } = await runProcessor<{ tool_use_id: string | null; event_type: string; is_error: boolean | null }>(usage, writeSession(lines));
    assert.equal(itemsCount, undefined, 'the count is the number of items');
    assert.deepEqual(
      items.map((i) => [i.tool_use_id, i.event_type, i.is_error]),
      expected,
    );
  });
