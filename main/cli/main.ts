import { CommanderError } from 'commander';
import { BusyError, UsageError, errorMessage } from '../core/errors.js';
import { buildProgram } from './program.js';

/** Exit codes: 0 done, 1 unexpected, 2 bad usage or input, 3 busy (processor running, database held). */
async function main(): Promise<number> {
  try {
    await buildProgram().parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander already printed it
    if (error instanceof UsageError) {
      process.stderr.write(`session-inspector: ${error.message}\n`);
      return 2;
    }
    if (error instanceof BusyError) {
      process.stderr.write(`session-inspector: ${error.message}\n`);
      return 3;
    }
    process.stderr.write(`session-inspector: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}\n`);
    return 1;
  }
}

const code = await main();
// Exit explicitly: a timed-out plugin may still hold timers; drain stdout first so piped output is complete.
process.stdout.write('', () => process.exit(code));
