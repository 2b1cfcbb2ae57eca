// @ts-check
// usage: one item per invocation: every tool call, plus a second item for the calls that are a skill, a
// subagent or an MCP tool, and one per slash command the user typed. A call's is_error comes from its
// tool_result, which arrives lines later, so call items wait (in order) until then; see emitEvents.
import {
  definePlugin,
  isAssistantRecord,
  isUserRecord,
  apiModel,
  isoTimestamp,
  stringField,
  toolUses,
  toolResults,
  toolUseDetails,
  SUBAGENT_TOOLS,
  userText,
  parseSlashCommand,
} from 'session-inspector/plugin';

/**
 * @typedef {'tool' | 'skill' | 'subagent' | 'mcp' | 'slash_command'} EventType
 * @typedef {{
 *   event_type: EventType, tool_name: string | null, skill_name: string | null, subagent_type: string | null,
 *   command_name: string | null, mcp_server: string | null, is_error: boolean | null, model: string | null,
 *   event_uuid: string | null, tool_use_id: string | null, occurred_at: string | null, is_sidechain: boolean
 * }} UsageEvent
 */

/**
 * The items one tool_use block yields: always a `tool` event, then the more specific kinds it is.
 * All share the same detail columns, so either kind of row can be filtered on skill_name, mcp_server….
 * @param {import('session-inspector/plugin').ToolUseBlock} use
 * @param {import('session-inspector/plugin').AssistantRecord} record
 * @returns {UsageEvent[]}
 */
function callEvents(use, record) {
  const details = toolUseDetails(use);
  /** @type {EventType[]} */
  const types = ['tool'];
  if (use.name === 'Skill') types.push('skill');
  if (SUBAGENT_TOOLS.has(use.name)) types.push('subagent');
  if (details.mcpServer !== null) types.push('mcp');
  return types.map((event_type) => ({
    event_type,
    tool_name: use.name,
    skill_name: details.skillName,
    subagent_type: details.subagentType,
    command_name: null,
    mcp_server: details.mcpServer,
    is_error: null, // set when the tool_result arrives; stays null if it never does
    model: apiModel(record),
    event_uuid: stringField(record, 'uuid'),
    tool_use_id: use.id,
    occurred_at: isoTimestamp(record.timestamp),
    is_sidechain: record.isSidechain === true,
  }));
}

/**
 * @param {import('session-inspector/plugin').UserRecord} record
 * @returns {UsageEvent | null}
 */
function slashCommandEvent(record) {
  const command = parseSlashCommand(userText(record));
  if (command === null) return null;
  return {
    event_type: 'slash_command',
    tool_name: null,
    skill_name: null,
    subagent_type: null,
    command_name: command.name,
    mcp_server: null,
    is_error: null,
    model: null,
    event_uuid: stringField(record, 'uuid'),
    tool_use_id: null,
    occurred_at: isoTimestamp(record.timestamp),
    is_sidechain: record.isSidechain === true,
  };
}

/**
 * @typedef {{ ordinal: number, events: UsageEvent[], answered: boolean }} HeldCall
 * A call's items (or a slash command's), waiting in order until `answered` (its is_error is known).
 */

/**
 * Items wait, in order, only until the calls among them have their results (an item's is_error comes
 * with the result), then go to ctx.emit: a session's items are never all held. A call whose result never
 * comes (its line was lost, the session was interrupted) would hold everything after it, so past this
 * many waiting calls the pass stops making items and only notes which calls stay unanswered; a second
 * pass then emits the rest without waiting for those. Same items, same order as holding them all. The
 * bound is high on purpose: a second pass reads and parses the whole file again (a third more time on a
 * 1 GB session whose first lost result comes early), so it is paid only where holding would cost more
 * than about 40 MB (100,000 calls, a little over one item each, about 350 bytes an item).
 */
export const MAX_HELD_CALLS = 100_000;

/**
 * One pass over the session. `plan.skip`: items already emitted by an earlier pass; `plan.unanswered`:
 * ordinals of the calls that never get a result (known from an earlier pass). Returns null when every
 * item was emitted, else what a second pass needs.
 * @param {import('session-inspector/plugin').Session} session
 * @param {import('session-inspector/plugin').ProcessContext} ctx
 * @param {{ skip: number, unanswered?: Set<number> }} plan
 * @param {number} maxHeld calls held before a second pass is planned instead
 * @returns {Promise<{ skip: number, unanswered: Set<number> } | null>}
 */
export async function emitEvents(session, ctx, plan, maxHeld = MAX_HELD_CALLS) {
  /** Calls awaiting their result, by tool_use id (a repeated id replaces the earlier call, as ToolCallPairing does). */
  /** @type {Map<string, HeldCall>} */
  const awaiting = new Map();
  /** Ordinals of calls replaced by a later call with the same id: they can no longer be answered. */
  /** @type {Set<number>} */
  const replaced = new Set();
  /** @type {(HeldCall | undefined)[]} */
  let held = [];
  let head = 0;
  let produced = 0;
  let calls = 0;
  let overflow = false;
  const release = (/** @type {boolean} */ all) => {
    for (; head < held.length; head++) {
      const call = /** @type {HeldCall} */ (held[head]);
      if (!all && !call.answered) break;
      for (const event of call.events) if (produced++ >= plan.skip) ctx.emit(event);
      held[head] = undefined;
    }
    if (head > 4096 && head * 2 > held.length) {
      held = held.slice(head);
      head = 0;
    }
  };
  for await (const record of session.records()) {
    ctx.signal.throwIfAborted();
    if (isAssistantRecord(record)) {
      for (const use of toolUses(record)) {
        const ordinal = calls++;
        /** @type {HeldCall} */
        const call = { ordinal, events: overflow ? [] : callEvents(use, record), answered: plan.unanswered?.has(ordinal) ?? false };
        const earlier = awaiting.get(use.id);
        if (earlier) replaced.add(earlier.ordinal);
        awaiting.set(use.id, call);
        if (!overflow) held.push(call);
      }
    } else if (isUserRecord(record)) {
      for (const result of toolResults(record)) {
        const call = awaiting.get(result.tool_use_id);
        if (call === undefined) continue;
        awaiting.delete(result.tool_use_id);
        call.answered = true;
        for (const event of call.events) event.is_error = result.is_error === true;
      }
      if (!overflow) {
        const command = slashCommandEvent(record);
        if (command) held.push({ ordinal: -1, events: [command], answered: true });
      }
    }
    if (!overflow) {
      release(false);
      if (plan.unanswered === undefined && held.length - head > maxHeld) {
        overflow = true;
        held = [];
        head = 0;
      }
    }
  }
  if (overflow) {
    for (const call of awaiting.values()) replaced.add(call.ordinal);
    return { skip: produced, unanswered: replaced };
  }
  release(true); // calls never answered keep is_error null
  return null;
}

export default definePlugin({
  name: 'usage',
  version: '1',
  // A 1 GB session takes about 40 s on a 2-core machine, more when it is busy: the default minute would fail it.
  timeoutMs: 600_000,
  view: {
    name: 'usage_events',
    columns: {
      event_type: 'VARCHAR',
      tool_name: 'VARCHAR',
      skill_name: 'VARCHAR',
      subagent_type: 'VARCHAR',
      command_name: 'VARCHAR',
      mcp_server: 'VARCHAR',
      is_error: 'BOOLEAN',
      model: 'VARCHAR',
      event_uuid: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      occurred_at: 'TIMESTAMP',
      is_sidechain: 'BOOLEAN',
    },
  },
  async processSession(session, ctx) {
    const second = await emitEvents(session, ctx, { skip: 0 });
    if (second) await emitEvents(session, ctx, second);
    return {};
  },
});
