import { Command } from 'commander';
import { appCommands } from './appCommands.js';
import { findingsCommand } from './findings.js';
import { orphansCommand } from './orphans.js';
import { pluginsCommand } from './plugins.js';
import { reportCommand } from './report.js';
import { rerunCommand, runCommand, watchCommand } from './runCommands.js';
import { secretsCommand } from './secrets.js';
import { searchCommand } from './search.js';
import { archiveCommand } from './archive.js';
import { queryCommand } from './query.js';
import { sessionsCommand } from './sessions.js';
import { failuresCommand, stateCommand } from './state.js';
import { statusCommand } from './status.js';

/** The `session-inspector` command: each command (or family of them) is defined in its own module. */
export function buildProgram(): Command {
  const program = new Command('session-inspector')
    .description('Run processors over Claude Code session transcripts and inspect their per-session state.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  runCommand(program);
  statusCommand(program);
  pluginsCommand(program);
  stateCommand(program);
  failuresCommand(program);
  rerunCommand(program);
  watchCommand(program);
  orphansCommand(program);

  reportCommand(program);
  findingsCommand(program);
  sessionsCommand(program);
  searchCommand(program);
  secretsCommand(program);
  archiveCommand(program);

  queryCommand(program);
  appCommands(program);

  return program;
}
