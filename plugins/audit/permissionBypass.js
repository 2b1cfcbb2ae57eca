// @ts-check
// permission-bypass: one item each time a permission mode that skips the user's approval is turned on:
// - mode_change: a record shows the session in such a mode, having been in another (or in none so far).
//   Claude Code writes the mode as `permissionMode` on user lines and on `permission-mode` records
//   (2.1.x), and stream-json logs have it on the `system` init line. The main conversation and subagent
//   (sidechain) lines are followed apart, so a subagent in its own mode is not a switch every line.
// - cli_flag: the agent itself started Claude Code skipping permissions (`claude
//   --dangerously-skip-permissions`, `--permission-mode bypassPermissions`) in a Bash call;
// - settings_write: the agent wrote `"defaultMode": "bypassPermissions"` (or another bypassing mode)
//   into a Claude Code settings file, turning it on for the sessions to come.
import { asObject, isAssistantRecord, isoTimestamp, oneLine, stringField, toolUses } from 'session-inspector/plugin';
import { literal } from './shell.js';
import { shellEnv, walkCommandLine } from './commands.js';
import { UNKNOWN_HOME } from './paths.js';

/**
 * The modes that let tools run without asking: bypassPermissions (everything), acceptEdits (file edits
 * and common file commands), auto (a classifier approves instead of the user). default, plan and
 * dontAsk (denies what would prompt) do not; a mode this list does not know is not reported.
 */
export const BYPASS_MODES = new Set(['bypassPermissions', 'acceptEdits', 'auto']);

const MAX_DETAIL_CHARS = 200;
/** Claude Code's settings files: user and project (.claude/settings[.local].json) and managed policy. */
const SETTINGS_FILE = /(?:^|[\\/])\.claude[\\/]settings(?:\.local)?\.json$|(?:^|[\\/])managed-settings\.json$/;
const DEFAULT_MODE = /"defaultMode"\s*:\s*"([A-Za-z]+)"/g;
const CLAUDE_PACKAGE = /^@anthropic-ai\/claude-code(?:@.*)?$/;

/**
 * The bypassing modes a Bash command line starts Claude Code in.
 * @param {string} commandLine
 * @returns {string[]}
 */
export function cliModes(commandLine) {
  /** @type {string[]} */
  const modes = [];
  walkCommandLine(commandLine, shellEnv(null, UNKNOWN_HOME), (pipeline) => {
    for (const stage of pipeline.stages) {
      if (!stage) continue;
      let args = null;
      if (stage.program === 'claude') args = stage.args;
      else if (['npx', 'bunx', 'pnpx'].includes(stage.program)) {
        const at = stage.args.findIndex((word) => CLAUDE_PACKAGE.test(literal(word) ?? ''));
        if (at >= 0) args = stage.args.slice(at + 1);
      }
      for (let j = 0; args !== null && j < args.length; j++) {
        const arg = literal(args[j]);
        let mode = null;
        if (arg === '--dangerously-skip-permissions') mode = 'bypassPermissions';
        else if (arg === '--permission-mode') mode = literal(args[++j]);
        else if (arg?.startsWith('--permission-mode=')) mode = arg.slice('--permission-mode='.length);
        if (mode !== null && BYPASS_MODES.has(mode) && !modes.includes(mode)) modes.push(mode);
      }
    }
  });
  return modes;
}

/**
 * The bypassing default modes a Write/Edit/MultiEdit puts into a Claude Code settings file.
 * @param {import('session-inspector/plugin').ToolUseBlock} use
 * @returns {string[]}
 */
export function settingsModes(use) {
  const input = use.input ?? {};
  const file = input.file_path;
  if (typeof file !== 'string' || !SETTINGS_FILE.test(file)) return [];
  /** @type {unknown[]} */
  const texts =
    use.name === 'Write'
      ? [input.content]
      : use.name === 'Edit'
        ? [input.new_string]
        : use.name === 'MultiEdit' && Array.isArray(input.edits)
          ? input.edits.map((edit) => asObject(edit)?.new_string)
          : [];
  /** @type {string[]} */
  const modes = [];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const match of text.matchAll(DEFAULT_MODE)) if (BYPASS_MODES.has(match[1]) && !modes.includes(match[1])) modes.push(match[1]);
  }
  return modes;
}

/** @type {import('session-inspector/plugin').Processor} */
export const permissionBypass = {
  name: 'permission-bypass',
  version: '1',
  // Only lines that can say anything about a mode are parsed (the raw text must contain one of these).
  linesContaining: ['"permissionMode"', 'dangerously-skip-permissions', '--permission-mode', 'defaultMode'],
  timeoutMs: 600_000,
  view: {
    name: 'permission_bypass',
    columns: {
      kind: 'VARCHAR',
      mode: 'VARCHAR',
      previous_mode: 'VARCHAR',
      record_type: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      detail: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  },
  async processSession(session, ctx) {
    /** The mode each chain (main conversation: false, subagents: true) was last seen in. */
    /** @type {Map<boolean, string>} */
    const current = new Map();
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      const object = asObject(record);
      if (!object) continue;
      const sidechain = object.isSidechain === true;
      /**
       * @param {string} kind
       * @param {string} mode
       * @param {string | null} previous
       * @param {import('session-inspector/plugin').ToolUseBlock | null} use
       * @param {string | null} detail
       */
      const emit = (kind, mode, previous, use, detail) =>
        ctx.emit({
          kind,
          mode,
          previous_mode: previous,
          record_type: stringField(object, 'type'),
          tool_name: use?.name ?? null,
          tool_use_id: use?.id ?? null,
          detail,
          is_sidechain: sidechain,
          occurred_at: isoTimestamp(object.timestamp),
          line_no: session.lineNo,
        });
      const mode = stringField(object, 'permissionMode');
      if (mode !== null && mode !== current.get(sidechain)) {
        const previous = current.get(sidechain) ?? null;
        current.set(sidechain, mode);
        if (BYPASS_MODES.has(mode)) emit('mode_change', mode, previous, null, null);
      }
      if (!isAssistantRecord(record)) continue;
      for (const use of toolUses(record)) {
        const command = use.input?.command;
        if (use.name === 'Bash' && typeof command === 'string') {
          for (const cliMode of cliModes(command)) emit('cli_flag', cliMode, null, use, oneLine(command, MAX_DETAIL_CHARS));
        } else {
          for (const fileMode of settingsModes(use)) emit('settings_write', fileMode, null, use, oneLine(String(use.input?.file_path), MAX_DETAIL_CHARS));
        }
      }
    }
    return {};
  },
};
