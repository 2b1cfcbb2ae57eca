import { Command, InvalidArgumentError, Option } from 'commander';
import { Engine } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import { defaultDbPath, defaultSessionRoot } from '../core/paths.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_BUDGET_SECONDS, type RunOptions } from '../core/runner/runner.js';
import type { RunStats } from '../core/runner/stats.js';
import type { JsonRow } from '../core/store/jsonRows.js';
import { printJson, printTable, progressLine } from './output.js';

interface CommonOptions {
  db: string;
  json?: boolean;
  sessions: string;
  plugins: string[];
  builtins: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function wholeNumber(min: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
}

function seconds(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (fractions allowed), at least 0');
  return n;
}

/** --db and --json on every command; --sessions and --plugins on those that read sessions or load plugins. */
function common(command: Command, withSessions: boolean): Command {
  command
    .option('--db <file>', 'state database (default: $SESSION_INSPECTOR_DB, else the app data folder)', defaultDbPath())
    .option('--json', 'print machine-readable JSON on stdout');
  if (withSessions) {
    command
      .option('--sessions <dir>', 'session root (default: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects)', defaultSessionRoot())
      .option('--plugins <path>', 'a plugin folder, or a folder of plugin folders (repeatable)', collect, [])
      .option('--no-builtins', 'do not load the built-in plugins/ folder');
  }
  return command;
}

async function withEngine<T>(options: CommonOptions, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({
    db: options.db,
    sessions: options.sessions ?? defaultSessionRoot(),
    plugins: options.plugins ?? [],
    builtins: options.builtins ?? true,
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** Plugin load problems go to stderr on every command that loads plugins; they never stop the others. */
async function reportPluginErrors(engine: Engine): Promise<void> {
  for (const plugin of (await engine.plugins()).plugins) {
    for (const error of plugin.errors) process.stderr.write(`plugin ${plugin.folder}: ${error}\n`);
  }
}

function runOptions(options: CommonOptions & { maxSessions?: number; timeBudget?: number; maxAttempts?: number }, trigger: string): RunOptions {
  const progress = progressLine(!options.json);
  return {
    trigger,
    maxSessionsPerRun: options.maxSessions,
    timeBudgetSeconds: options.timeBudget,
    maxAttempts: options.maxAttempts,
    log: (level, message) => {
      progress.done();
      process.stderr.write(`${level}: ${message}\n`);
    },
    onProgress: (p) => {
      if (p.current === null) progress.done();
      else progress.update(`${p.processor}: ${p.done}/${p.total} sessions, ${p.errors} errors, ${(p.elapsedMs / 1000).toFixed(1)} s — ${p.current}`);
    },
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

function printRows(rows: JsonRow[], json: boolean | undefined, columns?: string[]): void {
  if (json) printJson(rows);
  else printTable(rows, columns);
}

export function buildProgram(): Command {
  const program = new Command('session-inspector')
    .description('Run processors over Claude Code session transcripts and inspect their per-session state.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  common(program.command('run').description('run processors over every session that changed since it was processed'), true)
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--max-sessions <n>', 'processor calls per processor run; the rest wait for the next run', wholeNumber(0))
    .addOption(new Option('--time-budget <sec>', `seconds per processor run (default ${DEFAULT_TIME_BUDGET_SECONDS})`).argParser(seconds))
    .addOption(new Option('--max-attempts <n>', `failures on the same content before quarantine (default ${DEFAULT_MAX_ATTEMPTS})`).argParser(wholeNumber(1)))
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        await reportPluginErrors(engine);
        const stats = await engine.run(options.processor, runOptions(options, 'cli'));
        printStats(stats, options.json);
      });
    });

  common(program.command('status').description('per processor: sessions processed, failed, quarantined, pending and the last run'), true)
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        const rows = await engine.status((message) => process.stderr.write(`note: ${message}; pending counts are not shown\n`));
        printRows(rows, options.json, ['processor_name', 'loaded', 'version', 'processed', 'pending', 'failed', 'quarantined', 'items_extracted', 'last_run_at']);
      });
    });

  common(program.command('plugins').description('list plugin folders, their processors and load errors'), true)
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        const { plugins, processors } = await engine.plugins();
        if (options.json) {
          printJson(plugins.map((p) => ({ ...p, processorDetails: processors.filter((x) => x.pluginFolder === p.folder).map(describeProcessor) })));
          return;
        }
        printTable(
          plugins.map((p) => ({ plugin: p.name, version: p.version, origin: p.origin, processors: p.processors.join(', '), folder: p.folder, errors: p.errors.join('; ') })),
          undefined,
          'no plugins found',
        );
      });
    });

  const state = program.command('state').description('view and edit the per-(processor, session) state table');
  common(state.command('list').description('list state rows'), false)
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--session <key>', 'only this session key (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.listState({ processor: options.processor, session: options.session }), options.json);
      });
    });
  common(state.command('reset').description('forget that sessions were processed, so the next run processes them again'), false)
    .requiredOption('--processor <name>', 'the processor')
    .option('--session <key>', 'a session key (repeatable)', collect, [])
    .option('--all', 'every session of the processor')
    .action(async (options) => {
      if (Boolean(options.all) === options.session.length > 0) throw new UsageError('state reset needs either --session KEY... or --all (not both)');
      await withEngine(options, async (engine) => {
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

  common(program.command('failures').description('list failed and quarantined sessions with their last error'), false)
    .option('--processor <name>', 'only this processor (repeatable)', collect, [])
    .option('--session <key>', 'only this session key (repeatable)', collect, [])
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.listFailures({ processor: options.processor, session: options.session }), options.json);
      });
    });

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

  common(program.command('query').description('run read-only SQL over the state database and the processors\' views'), false)
    .argument('<sql>', 'one or more SELECT statements; the last one\'s rows are printed')
    .action(async (sql: string, options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.readOnlyQuery(sql), options.json);
      });
    });

  return program;
}

function describeProcessor(p: { name: string; version: string; cadenceMinutes: number; timeoutMs: number; view?: unknown }) {
  return { name: p.name, version: p.version, cadenceMinutes: p.cadenceMinutes, timeoutMs: p.timeoutMs, view: p.view ?? null };
}
