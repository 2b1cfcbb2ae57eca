import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { ConflictError, listAudit, NotFoundError, undoChange } from '../core/store/stateEdits.js';
import { collect, common, wholeNumber, withEngine } from './commonOptions.js';
import { printJson, printRows, reportPluginErrors } from './output.js';

/** `state`: list, history, undo, reset and mark-processed, over the per-(processor, session) state table. */
export function stateCommand(program: Command): void {
  const state = program.command('state').description('view and edit the per-(processor, session) state table');
  common(state.command('list').description('list state rows'), false)
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--session <key>', 'only this session key (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.listState({ processor: options.processor, session: options.session }), options.json);
      });
    });
  common(state.command('history').description('the audit trail of manual changes (resets, marks, edits, reviews, undos), newest first'), false)
    .option('--limit <n>', 'at most this many entries (default 50)', wholeNumber(1), 50)
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        printRows(await listAudit(engine.store.db, options.limit), options.json, ['audit_id', 'at', 'action', 'processor_name', 'session_file', 'undone_by']);
      });
    });
  common(state.command('undo').description('undo one change of the history, if its row has not changed since'), false)
    .argument('<audit-id>', 'the change (state history shows its audit_id)', wholeNumber(1))
    .action(async (auditId: number, options) => {
      await withEngine(options, async (engine) => {
        try {
          const undoneBy = await undoChange(engine.store.db, auditId);
          if (options.json) printJson({ undone: auditId, by: undoneBy });
          else process.stdout.write(`undid change #${auditId} (recorded as #${undoneBy})\n`);
        } catch (error) {
          // Nothing to undo, or the row moved on since: the user's input, named, not a crash.
          if (error instanceof NotFoundError || error instanceof ConflictError) throw new UsageError(error.message);
          throw error;
        }
      });
    });
  common(state.command('reset').description('forget that sessions were processed, so the next run processes them again'), false)
    .requiredOption('--processor <name>', 'the processor')
    .option('--session <key>', 'a session key (repeatable)', collect, [])
    .option('--all', 'every session of the processor')
    .action(async (options) => {
      if (Boolean(options.all) === options.session.length > 0) throw new UsageError('state reset needs either --session KEY... or --all (not both)');
      await withEngine(options, async (engine) => {
        // A typo must not read as "reset 0 state rows": an unknown processor or key is refused by name.
        const known = await engine.store.knownProcessors();
        if (!known.includes(options.processor)) {
          throw new UsageError(`--processor ${options.processor}: the store has no state, failures or runs of it (it has: ${known.join(', ') || 'none'})`);
        }
        const missing = options.all ? [] : await engine.store.keysWithoutState(options.processor, options.session);
        if (missing.length > 0) {
          throw new UsageError(
            `--session ${missing.join(', ')}: ${options.processor} has no state row for it ` +
              `(see \`session-inspector state list --processor ${options.processor}\`)`,
          );
        }
        const count = await engine.store.resetState(options.processor, options.all ? 'all' : options.session);
        if (options.json) printJson({ processor: options.processor, reset: count });
        else process.stdout.write(`reset ${count} state row(s) of ${options.processor}\n`);
      });
    });
  common(state.command('mark-processed').description('record sessions as processed as they are now, without running the processor'), true)
    .requiredOption('--processor <name>', 'the processor')
    .requiredOption('--session <key>', 'a session key (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        await reportPluginErrors(engine);
        const count = await engine.markProcessed(options.processor, options.session);
        if (options.json) printJson({ processor: options.processor, marked: count });
        else process.stdout.write(`marked ${count} session(s) processed by ${options.processor}\n`);
      });
    });
}

/** `failures`: failed and quarantined sessions with their last error. */
export function failuresCommand(program: Command): void {
  common(program.command('failures').description('list failed and quarantined sessions with their last error'), false)
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--session <key>', 'only this session key (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.listFailures({ processor: options.processor, session: options.session }), options.json);
      });
    });
}
