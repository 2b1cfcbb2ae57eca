import type { Command } from 'commander';
import type { Engine } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import type { JsonRow } from '../core/store/jsonRows.js';
import { collect, common, withEngine } from './commonOptions.js';
import { printJson, printRows } from './output.js';

/**
 * Orphaned sessions, after bringing the marks up to date with a scan (stat only) when the session root
 * can be read; otherwise the marks as the last run or watch left them, with a note saying so.
 */
export async function listOrphans(engine: Engine): Promise<JsonRow[]> {
  try {
    await engine.scanSessions();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`note: ${error.message}; showing the orphans as last recorded\n`);
  }
  return engine.orphans.list();
}

/** `orphans`: list the sessions whose file was deleted, and remove what is kept of them. */
export function orphansCommand(program: Command): void {
  const orphans = program.command('orphans').description('sessions whose file was deleted: their state and items are kept until removed');
  common(
    orphans.command('list', { isDefault: true }).description('list orphaned sessions (the session root is scanned first when it can be read)'),
    true,
  ).action(async (options) => {
    await withEngine(options, async (engine) => printRows(await listOrphans(engine), options.json));
  });
  common(orphans.command('remove').description('delete the state, failures and items of orphaned sessions (audited)'), false)
    .option('--session <key>', 'an orphaned session key (repeatable)', collect, [])
    .option('--all', 'every orphaned session')
    .action(async (options) => {
      if (Boolean(options.all) === options.session.length > 0) throw new UsageError('orphans remove needs either --session KEY... or --all (not both)');
      await withEngine(options, async (engine) => {
        const removed = await engine.orphans.remove(options.all ? 'all' : options.session);
        if (options.json) printJson(removed);
        else process.stdout.write(`removed ${removed.sessions} orphaned session(s): ${removed.stateRows} state row(s), ${removed.items} item(s)\n`);
      });
    });
}
