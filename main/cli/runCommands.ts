import { Option, type Command } from 'commander';
import { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_BUDGET_SECONDS, type RunOptions } from '../core/runner/runner.js';
import type { RunStats } from '../core/runner/stats.js';
import type { Engine } from '../core/engine.js';
import { BLOCK_BYTES } from '../core/archive/archivePacks.js';
import { collect, common, positiveSeconds, seconds, wholeNumber, withEngine, type CommonOptions } from './commonOptions.js';
import { printJson, printTable, reportPluginErrors } from './output.js';
import { ProgressReporter, progressMode } from './progress.js';

/** The limits of a processor run, and how it runs (plugin processes, team-store leases): `run` and `watch`. */
function runLimits(command: Command): Command {
  return command
    .option('--max-sessions <n>', 'processor calls per processor run; the rest wait for the next run', wholeNumber(0))
    .addOption(new Option('--time-budget <sec>', `seconds per processor run (default ${DEFAULT_TIME_BUDGET_SECONDS})`).argParser(seconds))
    .addOption(new Option('--max-attempts <n>', `failures on the same content before quarantine (default ${DEFAULT_MAX_ATTEMPTS})`).argParser(wholeNumber(1)))
    .option('--plugin-processes <n>', 'processes that run JavaScript processors (default: one per core)', wholeNumber(1))
    .option('--workers <n>', 'the same as --plugin-processes (its older name)', wholeNumber(1))
    .addOption(
      new Option(
        '--lease-seconds <sec>',
        `team store: how long a claimed session stays this runner's without renewal (default ${DEFAULT_LEASE_SECONDS})`,
      ).argParser(positiveSeconds),
    );
}

function runOptions(
  options: CommonOptions & { maxSessions?: number; timeBudget?: number; maxAttempts?: number; leaseSeconds?: number },
  trigger: string,
): RunOptions {
  const progress = new ProgressReporter(progressMode(options.json));
  return {
    trigger,
    maxSessionsPerRun: options.maxSessions,
    timeBudgetSeconds: options.timeBudget,
    maxAttempts: options.maxAttempts,
    leaseSeconds: options.leaseSeconds,
    log: (level, message) => progress.log(`${level}: ${message}`),
    onProgress: (p) => progress.update(p),
  };
}

function printStats(stats: RunStats[], json: boolean | undefined): void {
  if (json) return printJson(stats);
  const rows = stats.map((s) => ({
    processor: s.processor,
    scanned: s.scanned,
    processed: s.processed,
    skipped: s.skipped,
    capped: s.capped,
    errors: s.errors,
    quarantined: s.quarantined,
    items: s.items_extracted,
    malformed: s.malformed_lines,
    'MB read': +(s.bytes_read / 1e6).toFixed(1),
    seconds: +(s.duration_ms / 1000).toFixed(2),
  }));
  printTable(rows, undefined, 'no processors ran (none loaded? see `session-inspector plugins`)');
  for (const s of stats) for (const e of s.errors_detail) process.stdout.write(`  ${s.processor} ${e.session}: ${e.error}\n`);
}

/**
 * SIGINT/SIGTERM cancel a `run` cleanly: sessions in flight are aborted, finished ones committed, and (team
 * mode) claims given back at once instead of waiting for their leases to expire. A second signal exits.
 */
function cancelOnSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const again = () => {
    process.stderr.write('session-inspector: second interrupt, exiting now (finished sessions are committed; leases expire on their own)\n');
    process.exit(130);
  };
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
    process.stderr.write('session-inspector: stopping (interrupt again to exit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) {
        process.off(s, onSignal);
        process.off(s, again);
      }
    },
  };
}

/**
 * `run` never packs the archive (it costs about four times the first copy; watch and the app do it between
 * runs): a run from cron says when a block's worth of settled sessions waits for `archive compact`.
 */
async function hintPacking(engine: Engine): Promise<void> {
  const archive = await engine.archive();
  const waiting = (await archive?.unpackedSettledBytes()) ?? 0;
  if (waiting < BLOCK_BYTES) return;
  process.stderr.write(
    `note: the archive holds ${(waiting / 1e6).toFixed(0)} MB of settled sessions not packed yet: ` +
      '`session-inspector archive compact` packs them together, about twice as small (watch and the app do it between runs)\n',
  );
}

/** `run`: every processor (or those named) over the sessions that changed since each processed them. */
export function runCommand(program: Command): void {
  runLimits(common(program.command('run').description('run processors over every session that changed since it was processed'), true))
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(
        options,
        async (engine) => {
          const stop = cancelOnSignal();
          try {
            // The run scans while the plugins load (see Engine.run); their errors are printed once they have loaded.
            const running = engine.run(options.processor, { ...runOptions(options, 'cli'), signal: stop.signal });
            running.catch(() => undefined); // awaited below
            await reportPluginErrors(engine);
            printStats(await running, options.json);
            if (!options.json) await hintPacking(engine);
          } finally {
            stop.dispose();
          }
        },
        true,
      );
    });
}

/** `rerun --failed`: failed and quarantined sessions, their attempts cleared, run now. */
export function rerunCommand(program: Command): void {
  common(program.command('rerun').description('clear attempts and quarantine of failed sessions and run them now'), true)
    .requiredOption('--failed', 'rerun failed and quarantined sessions (required)')
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--session <key>', 'only this session key (repeatable)', collect, [])
    .addOption(new Option('--max-attempts <n>', `failures on the same content before quarantine (default ${DEFAULT_MAX_ATTEMPTS})`).argParser(wholeNumber(1)))
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        await reportPluginErrors(engine);
        const stats = await engine.rerunFailed({ processor: options.processor, session: options.session }, runOptions(options, 'rerun'));
        if (stats.length === 0 && !options.json) process.stdout.write('no failed sessions match\n');
        else printStats(stats, options.json);
      });
    });
}

/** `watch`: the scheduler in the foreground (the watcher itself loads on use: it is most of the start-up time). */
export function watchCommand(program: Command): void {
  runLimits(
    common(
      program.command('watch').description('run processors at their cadence and when sessions change, until interrupted (SIGINT/SIGTERM stop cleanly)'),
      true,
    ),
  )
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .addOption(
      new Option('--watch-mode <mode>', 'auto: native watching, else polling; poll; native; off (cadence only)')
        .choices(['auto', 'native', 'poll', 'off'])
        .default('auto'),
    )
    .addOption(new Option('--debounce <sec>', 'quiet time after a change before the affected processors run (default 2)').argParser(seconds))
    .addOption(new Option('--poll-interval <sec>', 'seconds between scans when polling (default 30)').argParser(seconds))
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        await reportPluginErrors(engine);
        const { watchSessions } = await import('./watch.js');
        await watchSessions(engine, options);
      });
    });
}
