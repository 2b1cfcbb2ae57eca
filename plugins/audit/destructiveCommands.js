// @ts-check
// destructive-commands: one item per destructive command in the agent's Bash calls (the rules are in
// destructiveRules.js): rm -rf outside the project, force pushes, git reset --hard, git clean -f, SQL
// DROP/TRUNCATE given to a database client, world-writable chmod, a download piped into a shell.
import { asObject, isAssistantRecord, isoTimestamp, oneLine, stringField, toolUses } from 'session-inspector/plugin';
import { destructiveFindings } from './destructiveRules.js';
import { pathKey, projectFolder } from './paths.js';

/** Excerpts are for lists and one-line reading: a 5 KB script must not become a 5 KB cell. */
const MAX_EXCERPT_CHARS = 200;

/** @type {import('session-inspector/plugin').Processor} */
export const destructiveCommands = {
  name: 'destructive-commands',
  version: '1',
  // Reads every line (for the session's first cwd): a 1 GB session takes about 40 s on a 2-core machine.
  timeoutMs: 600_000,
  view: {
    name: 'destructive_commands',
    columns: {
      rule: 'VARCHAR',
      detail: 'VARCHAR',
      target: 'VARCHAR',
      scope: 'VARCHAR',
      command: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      project_dir: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  },
  async processSession(session, ctx) {
    /** The session's project folder, from its first non-empty cwd (paths.js says why not each record's). */
    /** @type {string | null} */
    let project = null;
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      const object = asObject(record);
      if (!object) continue;
      const cwd = stringField(object, 'cwd');
      if (project === null && cwd !== null) project = projectFolder(cwd, session.sessionKey);
      if (!isAssistantRecord(record)) continue;
      for (const use of toolUses(record)) {
        const command = use.input?.command;
        if (use.name !== 'Bash' || typeof command !== 'string') continue;
        for (const finding of destructiveFindings(command, cwd === null ? null : pathKey(cwd), project === null ? null : pathKey(project))) {
          ctx.emit({
            rule: finding.rule,
            detail: finding.detail === null ? null : oneLine(finding.detail, MAX_EXCERPT_CHARS),
            target: finding.target === null ? null : oneLine(finding.target, MAX_EXCERPT_CHARS),
            scope: finding.scope,
            command: oneLine(finding.source, MAX_EXCERPT_CHARS),
            tool_name: use.name,
            tool_use_id: use.id,
            project_dir: project,
            is_sidechain: record.isSidechain === true,
            occurred_at: isoTimestamp(record.timestamp),
            line_no: session.lineNo,
          });
        }
      }
    }
    return {};
  },
};
