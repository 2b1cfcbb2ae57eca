// @ts-check
// errors: one item per failed tool call (a tool_result with is_error) and per API error record: the
// synthetic assistant line Claude Code writes when a request finally fails (isApiErrorMessage), and the
// system lines it writes for errors, e.g. each api_error retry. Each item carries the file line it is on.
import {
  definePlugin,
  asObject,
  isAssistantRecord,
  isSystemRecord,
  isUserRecord,
  isoTimestamp,
  stringField,
  toolUses,
  toolResults,
  toolResultText,
  ToolCallPairing,
  blocksText,
  contentBlocks,
  truncateUtf8,
} from 'session-inspector/plugin';

/** error_text keeps the first 2 KB: enough to recognise an error, bounded for multi-MB build logs. */
const MAX_ERROR_BYTES = 2048;

/**
 * @typedef {'tool_result' | 'api_error_message' | 'system_error'} ErrorKind
 * @typedef {{
 *   kind: ErrorKind, tool_name: string | null, tool_use_id: string | null, error_text: string,
 *   occurred_at: string | null, event_uuid: string | null, line_no: number
 * }} ErrorItem
 */

/**
 * The readable part of a system error line: its `error` (a string, or an object with formatted/message),
 * else its `content`, else the error object as JSON.
 * @param {import('session-inspector/plugin').SystemRecord} record
 */
function systemErrorText(record) {
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

/** @param {import('session-inspector/plugin').SystemRecord} record */
const isSystemError = (record) => record.level === 'error' || record.subtype === 'api_error';

/**
 * @param {ErrorKind} kind
 * @param {unknown} record
 * @param {string} text
 * @param {number} lineNo
 * @param {string | null} toolName
 * @param {string | null} toolUseId
 * @returns {ErrorItem}
 */
function errorItem(kind, record, text, lineNo, toolName = null, toolUseId = null) {
  return {
    kind,
    tool_name: toolName,
    tool_use_id: toolUseId,
    error_text: truncateUtf8(text, MAX_ERROR_BYTES),
    occurred_at: isoTimestamp(asObject(record)?.timestamp),
    event_uuid: stringField(record, 'uuid'),
    line_no: lineNo,
  };
}

export default definePlugin({
  name: 'errors',
  // 2: items carry line_no.
  version: '2',
  // A 1 GB session takes about 40 s on a 2-core machine, more when it is busy: the default minute would fail it.
  timeoutMs: 600_000,
  view: {
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
  },
  async processSession(session, ctx) {
    // Each item is final when found: handed over at once (ctx.emit), so a huge session's errors are never all held.
    const emit = (/** @type {ErrorItem} */ item) => ctx.emit(item);
    /** Tool names of calls awaiting their result (a result line names only the call's id). */
    /** @type {ToolCallPairing<string>} */
    const awaiting = new ToolCallPairing();
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      if (isAssistantRecord(record)) {
        for (const use of toolUses(record)) awaiting.expect(use, use.name);
        if (record.isApiErrorMessage === true) emit(errorItem('api_error_message', record, blocksText(contentBlocks(record.message)), session.lineNo));
      } else if (isUserRecord(record)) {
        for (const result of toolResults(record)) {
          const toolName = awaiting.resolve(result) ?? null;
          if (result.is_error === true) emit(errorItem('tool_result', record, toolResultText(result), session.lineNo, toolName, result.tool_use_id));
        }
      } else if (isSystemRecord(record) && isSystemError(record)) {
        emit(errorItem('system_error', record, systemErrorText(record), session.lineNo));
      }
    }
    return {};
  },
});
