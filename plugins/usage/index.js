// @ts-check
// usage: one item per invocation: every tool call, plus a second item for the calls that are a skill, a
// subagent or an MCP tool, and one per slash command the user typed. A call's is_error comes from its
// tool_result, which arrives lines later, so call items stay open (in the pairing) until then.
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
  ToolCallPairing,
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

export default definePlugin({
  name: 'usage',
  version: '1',
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
    /** @type {UsageEvent[]} */
    const items = [];
    /** @type {ToolCallPairing<UsageEvent[]>} */
    const awaiting = new ToolCallPairing();
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      if (isAssistantRecord(record)) {
        for (const use of toolUses(record)) {
          const events = callEvents(use, record);
          items.push(...events);
          awaiting.expect(use, events);
        }
      } else if (isUserRecord(record)) {
        for (const result of toolResults(record)) {
          const events = awaiting.resolve(result);
          if (events) for (const event of events) event.is_error = result.is_error === true;
        }
        const command = slashCommandEvent(record);
        if (command) items.push(command);
      }
    }
    return { items };
  },
});
