import type { Command } from 'commander';
import { common, withEngine } from './commonOptions.js';
import { printRows } from './output.js';

/** `query`: read-only SQL over the state database and the processors' views. */
export function queryCommand(program: Command): void {
  common(program.command('query').description("run read-only SQL over the state database and the processors' views"), false)
    .argument('<sql>', "one or more SELECT statements; the last one's rows are printed")
    .action(async (sql: string, options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.readOnlyQuery(sql), options.json);
      });
    });
}
