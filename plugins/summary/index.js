// @ts-check
// summary: one item per session: when it ran, how much was said, which models, where (cwd, branch),
// with which Claude Code version, and a title (Claude Code's own summary line, else the first prompt, else,
// in a subagent's transcript, the task it was given).
import {
  definePlugin,
  ApiMessageCollector,
  asObject,
  isHumanPrompt,
  isSummaryRecord,
  isTypedText,
  isUserRecord,
  isoTimestamp,
  oneLine,
  parseSlashCommand,
  stringField,
  userText,
} from 'session-inspector/plugin';

/** Titles are for lists: a pasted 20 KB log as a first prompt must not become a 20 KB title. */
const MAX_TITLE_CHARS = 200;

/** @param {string} path */
const fileStem = (path) => (path.split(/[\\/]/).pop() ?? path).replace(/\.jsonl$/i, '');

/**
 * The title a prompt gives: a slash command reads as typed (`/review src`), anything else as its text.
 * @param {string} text
 */
function promptTitle(text) {
  const command = parseSlashCommand(text);
  return oneLine(command ? `${command.name} ${command.args}` : text, MAX_TITLE_CHARS);
}

export default definePlugin({
  name: 'summary',
  // 2: a subagent's transcript is titled by the task it was given.
  version: '2',
  // A 1 GB session takes about 40 s on a 2-core machine, more when it is busy: the default minute would fail it.
  timeoutMs: 600_000,
  view: {
    name: 'session_summaries',
    columns: {
      session_id: 'VARCHAR',
      first_at: 'TIMESTAMP',
      last_at: 'TIMESTAMP',
      duration_s: 'DOUBLE',
      user_turns: 'INTEGER',
      assistant_messages: 'INTEGER',
      models: 'VARCHAR[]',
      cwd: 'VARCHAR',
      git_branch: 'VARCHAR',
      version: 'VARCHAR',
      sidechain_messages: 'INTEGER',
      malformed_lines: 'INTEGER',
      title: 'VARCHAR',
    },
  },
  async processSession(session, ctx) {
    /** @type {string | null} */ let sessionId = null;
    /** @type {string | null} */ let cwd = null;
    /** @type {string | null} */ let gitBranch = null;
    /** @type {string | null} */ let version = null;
    /** @type {string | null} */ let summaryTitle = null;
    /** @type {string | null} */ let promptTitleText = null;
    /** @type {string | null} */ let taskTitle = null;
    let firstMs = Infinity;
    let lastMs = -Infinity;
    let userTurns = 0;
    let sidechain = 0;
    /** API messages counted once each, as the tokens processor counts them (one line per content block). */
    const messages = new ApiMessageCollector({ firstLine: false });

    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      const object = asObject(record);
      if (!object) continue;
      const at = isoTimestamp(object.timestamp);
      if (at !== null) {
        const ms = Date.parse(at);
        if (ms < firstMs) firstMs = ms;
        if (ms > lastMs) lastMs = ms;
      }
      // Where and with what the session started: the first line that says so.
      sessionId ??= stringField(object, 'sessionId');
      cwd ??= stringField(object, 'cwd');
      gitBranch ??= stringField(object, 'gitBranch');
      version ??= stringField(object, 'version');
      if (object.isSidechain === true) sidechain++;

      if (isSummaryRecord(record)) {
        summaryTitle ??= oneLine(record.summary, MAX_TITLE_CHARS) || null;
      } else if (isUserRecord(record)) {
        if (isHumanPrompt(record)) {
          userTurns++;
          promptTitleText ??= promptTitle(userText(record)) || null;
        } else if (object.isSidechain === true && object.isMeta !== true && isTypedText(userText(record))) {
          // A subagent's transcript has no human prompt: its title is the task its session gave it.
          taskTitle ??= oneLine(userText(record), MAX_TITLE_CHARS) || null;
        }
      }
      messages.observe(record);
    }

    /** @type {Set<string>} */
    const models = new Set();
    for (const message of messages.messages()) if (message.model !== null) models.add(message.model);
    const timed = firstMs !== Infinity;
    return {
      items: [
        {
          session_id: sessionId ?? fileStem(session.path),
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
          malformed_lines: session.malformedLines, // final only once records() is exhausted
          title: summaryTitle ?? promptTitleText ?? taskTitle,
        },
      ],
    };
  },
});
