import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PluginPool } from '../core/pluginProcesses/pool.js';
import type { PluginReport } from '../core/plugins/loader.js';
import { common, withEngine } from './commonOptions.js';
import { printJson, printTable } from './output.js';

/** `plugins`: list, install, approve, enable, disable, scaffold (`new`) and validate. */
export function pluginsCommand(program: Command): void {
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
  trustCommands(plugins);
  authoringCommands(plugins);
}

/** Install, approve, enable and disable: what decides whether a plugin's code may run. */
function trustCommands(plugins: Command): void {
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
}

/** `new` and `validate`: for someone writing a plugin; neither needs a state store. */
function authoringCommands(plugins: Command): void {
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
