// The built-in usage, errors and summary processors written with the SDK's TypeScript rules, record by
// record, as a JavaScript plugin would: the reference the SQL built-ins are held equal to (parity.test.ts).
import {
  ApiMessageCollector, asObject, blocksText, contentBlocks, isAssistantRecord, isHumanPrompt, isSummaryRecord, isSystemRecord, isUserRecord,
  isoTimestamp, oneLine, parseSlashCommand, stringField, toolResults, toolResultText, toolUses, toolUseDetails, truncateUtf8, userText,
  apiModel, SUBAGENT_TOOLS, ToolCallPairing, type Processor, type SystemRecord,
} from '../../main/sdk/index.js';

type Item = Record<string, unknown>;

export const referenceUsage: Processor = {
  name: 'usage',
  async processSession(session) {
    const items: Item[] = [];
    const awaiting = new ToolCallPairing<Item[]>();
    for await (const record of session.records()) {
      if (isAssistantRecord(record)) {
        for (const use of toolUses(record)) {
          const details = toolUseDetails(use);
          const types = ['tool', ...(use.name === 'Skill' ? ['skill'] : []), ...(SUBAGENT_TOOLS.has(use.name) ? ['subagent'] : []), ...(details.mcpServer !== null ? ['mcp'] : [])];
          const events = types.map((event_type) => ({
            event_type, tool_name: use.name, skill_name: details.skillName, subagent_type: details.subagentType, command_name: null,
            mcp_server: details.mcpServer, is_error: null as boolean | null, model: apiModel(record), event_uuid: stringField(record, 'uuid'),
            tool_use_id: use.id, occurred_at: isoTimestamp(record.timestamp), is_sidechain: record.isSidechain === true,
          }));
          awaiting.expect(use, events);
          items.push(...events);
        }
      } else if (isUserRecord(record)) {
        for (const result of toolResults(record)) for (const event of awaiting.resolve(result) ?? []) event.is_error = result.is_error === true;
        const command = parseSlashCommand(userText(record));
        if (command) {
          items.push({
            event_type: 'slash_command', tool_name: null, skill_name: null, subagent_type: null, command_name: command.name, mcp_server: null,
            is_error: null, model: null, event_uuid: stringField(record, 'uuid'), tool_use_id: null, occurred_at: isoTimestamp(record.timestamp),
            is_sidechain: record.isSidechain === true,
          });
        }
      }
    }
    return { items };
  },
};

function systemErrorText(record: SystemRecord): string {
  const { error } = record;
  if (typeof error === 'string' && error !== '') return error;
  const object = asObject(error);
  for (const field of ['formatted', 'message']) {
    const value = object?.[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  if (typeof record.content === 'string' && record.content !== '') return record.content;
  return error === undefined ? '' : JSON.stringify(error);
}

/** Items without line_no (records() does not number lines; the tests check line_no on the file itself). */
export const referenceErrors: Processor = {
  name: 'errors',
  async processSession(session) {
    const items: Item[] = [];
    const item = (kind: string, record: unknown, text: string, toolName: string | null = null, toolUseId: string | null = null) =>
      items.push({ kind, tool_name: toolName, tool_use_id: toolUseId, error_text: truncateUtf8(text, 2048), occurred_at: isoTimestamp(asObject(record)?.timestamp), event_uuid: stringField(record, 'uuid') });
    const awaiting = new ToolCallPairing<string>();
    for await (const record of session.records()) {
      if (isAssistantRecord(record)) {
        for (const use of toolUses(record)) awaiting.expect(use, use.name);
        if (record.isApiErrorMessage === true) item('api_error_message', record, blocksText(contentBlocks(record.message)));
      } else if (isUserRecord(record)) {
        for (const result of toolResults(record)) {
          const toolName = awaiting.resolve(result) ?? null;
          if (result.is_error === true) item('tool_result', record, toolResultText(result), toolName, result.tool_use_id);
        }
      } else if (isSystemRecord(record) && (record.level === 'error' || record.subtype === 'api_error')) {
        item('system_error', record, systemErrorText(record));
      }
    }
    return { items };
  },
};

export const referenceSummary: Processor = {
  name: 'summary',
  async processSession(session) {
    let sessionId: string | null = null;
    let cwd: string | null = null;
    let gitBranch: string | null = null;
    let version: string | null = null;
    let summaryTitle: string | null = null;
    let promptTitle: string | null = null;
    let firstMs = Infinity;
    let lastMs = -Infinity;
    let userTurns = 0;
    let sidechain = 0;
    const messages = new ApiMessageCollector({ firstLine: false });
    for await (const record of session.records()) {
      const object = asObject(record);
      if (!object) continue;
      const at = isoTimestamp(object.timestamp);
      if (at !== null) {
        firstMs = Math.min(firstMs, Date.parse(at));
        lastMs = Math.max(lastMs, Date.parse(at));
      }
      sessionId ??= stringField(object, 'sessionId');
      cwd ??= stringField(object, 'cwd');
      gitBranch ??= stringField(object, 'gitBranch');
      version ??= stringField(object, 'version');
      if (object.isSidechain === true) sidechain++;
      if (isSummaryRecord(record)) summaryTitle ??= oneLine(record.summary, 200) || null;
      else if (isUserRecord(record) && isHumanPrompt(record)) {
        userTurns++;
        const command = parseSlashCommand(userText(record));
        promptTitle ??= oneLine(command ? `${command.name} ${command.args}` : userText(record), 200) || null;
      }
      messages.observe(record);
    }
    const models = new Set<string>();
    for (const message of messages.messages()) if (message.model !== null) models.add(message.model);
    const timed = firstMs !== Infinity;
    return {
      items: [{
        session_id: sessionId ?? (session.path.split(/[\\/]/).pop() ?? session.path).replace(/\.jsonl$/i, ''),
        first_at: timed ? new Date(firstMs).toISOString() : null,
        last_at: timed ? new Date(lastMs).toISOString() : null,
        duration_s: timed ? (lastMs - firstMs) / 1000 : null,
        user_turns: userTurns,
        assistant_messages: messages.size,
        models: [...models],
        cwd,
        git_branch: gitBranch,
        version,
        sidechain_messages: sidechain,
        malformed_lines: session.malformedLines,
        title: summaryTitle ?? promptTitle,
      }],
    };
  },
};
