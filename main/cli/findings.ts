import type { Command } from 'commander';
import { FINDING_CATEGORIES, listFindings, markFinding, REVIEW_STATUSES } from '../core/findings.js';
import { collect, common, withEngine } from './commonOptions.js';
import { printJson, printTable } from './output.js';

export function findingsCommand(program: Command): void {
  const findings = program
    .command('findings')
    .description('leaked secrets, tool errors and audit findings across all sessions, with their review status (docs/findings.md)');
  const list = findings.command('list', { isDefault: true });
  common(list.description('every finding, newest first: id, session, line, kind, status (false positives only with --all)'), false)
    .option('--kind <kind>', `one kind (github_token, tool_result, rm_rf_outside, …) or category (${FINDING_CATEGORIES.join(', ')})`)
    .option('--session <key>', 'one session')
    .option('--all', 'also findings marked false-positive')
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        const rows = await listFindings(engine.store.db, { kind: options.kind, session: options.session, all: options.all === true });
        const columns = ['id', 'status', 'kind', 'session_file', 'line_no', 'summary', 'occurred_at', 'note'];
        if (options.json) printJson(rows);
        else
          printTable(
            rows.map((f) => ({ ...f })),
            columns,
            'no findings (have the secrets, errors and audit processors run?)',
          );
      });
    });
  common(findings.command('mark').description(`set a finding's review status: ${REVIEW_STATUSES.join(', ')} (audited; state undo reverts it)`), false)
    .argument('<id>', 'the finding id (findings list shows it)')
    .argument('<status>', REVIEW_STATUSES.join(' | '))
    .option('--note <text>', 'why (kept with the status)', collect, [])
    .action(async (id: string, status: string, options) => {
      await withEngine(options, async (engine) => {
        const note = options.note.length > 0 ? options.note.join('\n') : null;
        const marked = await markFinding(engine.store.db, id, status, note);
        if (options.json) printJson(marked);
        else process.stdout.write(`${id}: ${marked.status}${note ? ` (${note})` : ''}\n`);
      });
    });
}
