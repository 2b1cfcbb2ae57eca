import { Command, Option } from 'commander';
import type { Engine } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import { collect, common, resolveState, seconds, positiveSeconds, wholeNumber, withEngine, type CommonOptions } from './commonOptions.js';
import { reportCommand } from './report.js';
import { statusCommand } from './status.js';
import { findingsCommand } from './findings.js';
import { sessionsCommand } from './sessions.js';
import { searchCommand } from './search.js';
import { secretsCommand } from './secrets.js';
import { archiveCommand } from './archive.js';
import { ConflictError, listAudit, NotFoundError, undoChange } from '../core/store/stateEdits.js';
import { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_BUDGET_SECONDS, type RunOptions } from '../core/runner/runner.js';
import type { RunStats } from '../core/runner/stats.js';
import type { JsonRow } from '../core/store/jsonRows.js';
import { printJson, printTable } from './output.js';
import { ProgressReporter, progressMode } from './progress.js';
import { listOrphans } from './orphans.js';
import { resolve } from 'node:path';
import { PluginPool } from '../core/pluginProcesses/pool.js';
import type { PluginReport } from '../core/plugins/loader.js';
import type { ServeOptions } from './serve.js';

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

/** Plugin load problems go to stderr on every command that loads plugins; they never stop the others. */
async function reportPluginErrors(engine: Engine): Promise<void> {
  for (const plugin of (await engine.plugins()).plugins) {
    for (const error of plugin.errors) process.stderr.write(`plugin ${plugin.folder}: ${error}\n`);
  }
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

function printRows(rows: JsonRow[], json: boolean | undefined, columns?: string[]): void {
  if (json) printJson(rows);
  else printTable(rows, columns);
}

export function buildProgram(): Command {
  const program = new Command('session-inspector')
    .description('Run processors over Claude Code session transcripts and inspect their per-session state.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

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
          } finally {
            stop.dispose();
          }
        },
        true,
      );
    });

  statusCommand(program);

  const plugins = program.command('plugins').description('list, install, approve, enable, disable, scaffold and validate plugins');
  common(
    plugins.command('list', { isDefault: true }).description('every plugin: folder, version, processors, content hash, approval, enabled, load errors'),
    true,
  ).action(async (options) => {
    await withEngine(options, async (engine) => {
      const { plugins: reports, processors } = await engine.plugins();
      if (options.json) {
        printJson(reports.map((p) => ({ ...p, processorDetails: processors.filter((x) => x.pluginFolder === p.folder).map(describeProcessor) })));
        return;
      }
      printTable(reports.map(pluginRow), undefined, 'no plugins found');
    });
  });
  common(plugins.command('install').description('copy a plugin folder into the user plugin folder (unapproved until approved)'), false)
    .argument('<path>', 'the plugin folder')
    .option('--yes', 'approve it now, at its current content')
    .action(async (path: string, options) => {
      await withEngine({ ...options, builtins: true }, async (engine) => {
        const { installed, plugin } = await engine.installPlugin(path, Boolean(options.yes));
        if (options.json)
          return printJson({ ...installed, approval: plugin.approval, loaded: plugin.loaded, processors: plugin.processors, errors: plugin.errors });
        process.stdout.write(
          [
            `installed ${installed.name} ${installed.version} into ${installed.folder}`,
            `  processors: ${(plugin.loaded ? plugin.processors : installed.declaredProcessors).join(', ') || '(not declared in package.json)'}`,
            `  content hash: ${installed.contentHash}`,
            plugin.approval === 'approved'
              ? `  approved${plugin.errors.length ? `, but: ${plugin.errors.join('; ')}` : ''}`
              : `  not approved: its code will not run until you run \`session-inspector plugins approve ${installed.name}\``,
          ].join('\n') + '\n',
        );
      });
    });
  common(plugins.command('approve').description('approve a user plugin at its current content (a later change needs approval again)'), false)
    .argument('<name>', 'plugin name or folder')
    .action(async (name: string, options) => {
      await withEngine({ ...options, builtins: true }, async (engine) => {
        const plugin = await engine.approvePlugin(name);
        if (options.json) printJson(plugin);
        else printTable([pluginRow(plugin)]);
      });
    });
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    common(plugins.command(verb).description(`${verb} a plugin (${enabled ? 'its processors load again' : 'kept installed, its code not loaded'})`), false)
      .argument('<name>', 'plugin name or folder')
      .action(async (name: string, options) => {
        await withEngine({ ...options, builtins: true }, async (engine) => {
          const plugin = await engine.setPluginEnabled(name, enabled);
          if (options.json) printJson(plugin);
          else printTable([pluginRow(plugin)]);
        });
      });
  }
  plugins
    .command('new')
    .description('create a working plugin folder with a test')
    .argument('<name>', 'processor and folder name')
    .option('--dir <dir>', 'where to create it', '.')
    .option('--sql', 'a SQL processor (one DuckDB SELECT over the records) instead of a JavaScript one')
    .action(async (name: string, options: { dir: string; sql?: boolean }) => {
      const { scaffoldPlugin } = await import('../core/plugins/scaffold.js');
      const folder = scaffoldPlugin(name, options.dir, { sql: options.sql === true });
      process.stdout.write(
        `created ${folder}\n  test it:  cd ${folder} && npm test\n  run it:   session-inspector run --plugins ${folder} --processor ${name}\n`,
      );
    });
  plugins
    .command('validate')
    .description('report every problem of a plugin folder at once (exit 2 when there are any)')
    .argument('<path>', 'the plugin folder')
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (path: string, options: { json?: boolean }) => {
      const { validatePlugin } = await import('../core/plugins/validate.js');
      const { SqlEngine } = await import('../core/sql/sqlEngine.js');
      const pool = new PluginPool({ size: 1 });
      const sql = new SqlEngine();
      try {
        const report = await validatePlugin(resolve(path), pool, (spec) => sql.check(spec));
        if (options.json) printJson(report);
        else {
          process.stdout.write(`${report.name ?? path} ${report.version ?? ''}: ${report.processors.map((p) => p.name).join(', ') || 'no processors'}\n`);
          for (const problem of report.problems) process.stdout.write(`  problem: ${problem}\n`);
          if (report.problems.length === 0) process.stdout.write('  no problems found\n');
        }
        if (report.problems.length > 0) process.exitCode = 2;
      } finally {
        await pool.close();
        await sql.close();
      }
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
            `--session ${missing.join(', ')}: ${options.processor} has no state row for it (see \`session-inspector state list --processor ${options.processor}\`)`,
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

  reportCommand(program);
  findingsCommand(program);
  sessionsCommand(program);
  searchCommand(program);
  secretsCommand(program);
  archiveCommand(program);

  common(program.command('query').description("run read-only SQL over the state database and the processors' views"), false)
    .argument('<sql>', "one or more SELECT statements; the last one's rows are printed")
    .action(async (sql: string, options) => {
      await withEngine(options, async (engine) => {
        printRows(await engine.store.readOnlyQuery(sql), options.json);
      });
    });

  const ui = (name: string, description: string, action: (options: ServeOptions) => Promise<void>) =>
    program
      .command(name)
      .description(description)
      .option('--port <n>', 'browser mode port (0 picks a free one)', wholeNumber(0), 0)
      .option(
        '--state <file|url>',
        "state store: a DuckDB file, or postgres://user@host/db for a team store (default: $SESSION_INSPECTOR_STATE, the app's setting, else state.duckdb in the app data folder)",
      )
      .option('--db <file>', 'the same as --state (its older name)')
      .option('--sessions <dir>', 'session folder (default: the last one chosen in the app, else ~/.claude/projects)')
      .option('--plugins <path>', 'a plugin folder, or a folder of plugin folders (repeatable)', collect, [])
      .option('--no-builtins', 'do not load the built-in plugins/ folder')
      .option('--no-schedule', 'no background runs (on cadence, or when sessions change): run only on request')
      .option('--archive <dir>', "archive folder (default: $SESSION_INSPECTOR_ARCHIVE, the app's setting, else archive in the app data folder)")
      .option('--no-archive', 'do not archive sessions, nor read deleted ones from the archive')
      .action(async (options: ServeOptions & { db?: string }) => {
        if (options.port > 65535) throw new UsageError('--port must be at most 65535');
        // Nothing named: the app's own setting (or the environment) decides, in ApiService.
        await action({ ...options, state: options.state === undefined && options.db === undefined ? undefined : resolveState(options) });
      });
  // Loaded on use: the server, the app launcher and the watcher are most of the CLI's start-up time.
  ui('serve', 'run the app in a browser: the UI and its API on 127.0.0.1, with a per-start token in the printed address', async (options) =>
    (await import('./serve.js')).serve(options),
  );
  ui('app', 'open the desktop app (falls back to browser mode where Electron cannot run)', async (options) => (await import('./launch.js')).launchApp(options));

  return program;
}

function pluginRow(p: PluginReport) {
  return {
    plugin: p.name,
    version: p.version,
    origin: p.origin,
    approval: p.approval,
    enabled: p.enabled,
    processors: p.processors.join(', '),
    hash: p.contentHash?.slice(0, 12) ?? null,
    folder: p.folder,
    errors: p.errors.join('; '),
  };
}

function describeProcessor(p: { name: string; version: string; cadenceMinutes: number; timeoutMs: number; view?: unknown }) {
  return { name: p.name, version: p.version, cadenceMinutes: p.cadenceMinutes, timeoutMs: p.timeoutMs, view: p.view ?? null };
}
