// @ts-check
// The agent's tool calls in a session, with what the audits judge them against and the columns every
// audit item carries. Shared by destructive-commands and outside-writes.
import { asObject, isAssistantRecord, isoTimestamp, stringField, toolUses } from 'session-inspector/plugin';
import { projectFolder } from './paths.js';

/**
 * Each tool call, with the record's cwd and the session's project folder (from its first non-empty cwd;
 * paths.js says why not each record's), and `where`: the item columns naming the call and its line. Read
 * while iterating: `session.lineNo` is the line of the call being yielded.
 * @param {import('session-inspector/plugin').Session} session
 * @param {AbortSignal} signal
 */
export async function* toolCallsInProject(session, signal) {
  /** @type {string | null} */
  let project = null;
  for await (const record of session.records()) {
    signal.throwIfAborted();
    const object = asObject(record);
    if (!object) continue;
    const cwd = stringField(object, 'cwd');
    if (project === null && cwd !== null) project = projectFolder(cwd, session.sessionKey);
    if (!isAssistantRecord(record)) continue;
    for (const use of toolUses(record)) {
      const where = {
        tool_name: use.name,
        tool_use_id: use.id,
        project_dir: project,
        is_sidechain: record.isSidechain === true,
        occurred_at: isoTimestamp(record.timestamp),
        line_no: session.lineNo,
      };
      yield { use, cwd, project, where };
    }
  }
}
