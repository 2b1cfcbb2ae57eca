// @ts-check
// destructive-commands: one item per destructive command in the agent's Bash calls (the rules are in
// destructiveRules.js): rm -rf outside the project, force pushes, git reset --hard, git clean -f, SQL
// DROP/TRUNCATE given to a database client, world-writable chmod, a download piped into a shell.
import { oneLine } from 'session-inspector/plugin';
import { destructiveFindings } from './destructiveRules.js';
import { pathKey } from './paths.js';
import { toolCallsInProject } from './toolCalls.js';

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
    for await (const { use, cwd, project, where } of toolCallsInProject(session, ctx.signal)) {
      const command = use.input?.command;
      if (use.name !== 'Bash' || typeof command !== 'string') continue;
      for (const finding of destructiveFindings(command, cwd === null ? null : pathKey(cwd), project === null ? null : pathKey(project))) {
        ctx.emit({
          rule: finding.rule,
          detail: finding.detail === null ? null : oneLine(finding.detail, MAX_EXCERPT_CHARS),
          target: finding.target === null ? null : oneLine(finding.target, MAX_EXCERPT_CHARS),
          scope: finding.scope,
          command: oneLine(finding.source, MAX_EXCERPT_CHARS),
          ...where,
        });
      }
    }
    return {};
  },
};
