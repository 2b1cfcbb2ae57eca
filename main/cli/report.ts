import Table from 'cli-table3';
import type { Command } from 'commander';
import type { Engine } from '../core/engine.js';
import { BusyError, UsageError } from '../core/errors.js';
import { checkReportKind, reportOptions } from '../core/reports/reportOptions.js';
import { readUsageReport, REPORT_KINDS, type BlockRow, type ReportOptions, type UsageReport } from '../core/reports/usageReport.js';
import type { ModelBreakdown, UsageRowFields } from '../core/reports/usageTally.js';
import { common, withEngine, wholeNumber, type CommonOptions } from './commonOptions.js';
import { printJson } from './output.js';

interface ReportFlags extends CommonOptions {
  since?: string;
  until?: string;
  timezone?: string;
  project?: string;
  last?: number;
  order?: string;
  weekStart?: string;
  breakdown?: boolean;
  instances?: boolean;
  prices?: string;
  update: boolean;
}

export function reportCommand(program: Command): void {
  common(program.command('report'), true)
    .description(`usage and cost from the stored tokens: ${REPORT_KINDS.join(', ')} (see docs/reports.md)`)
    .argument('<kind>', REPORT_KINDS.join(' | '))
    .option('--since <date>', 'from this local day on (YYYY-MM-DD or YYYYMMDD)')
    .option('--until <date>', 'up to this local day, inclusive')
    .option('--timezone <zone>', "IANA time zone of days, weeks and months (default: the system's)")
    .option('--project <name>', "one project: its folder name, its full path, or Claude Code's encoded folder")
    .option('--breakdown', 'a line per model under each row (JSON always has modelBreakdowns)')
    .option('--last <n>', 'only the newest N rows', wholeNumber(1))
    .option('--order <asc|desc>', 'oldest first (asc, default) or newest first')
    .option('--week-start <day>', 'first day of a week (default sunday, as ccusage)')
    .option('--instances', 'also split by the machine that processed each session (team stores; JSON: instances)')
    .option('--prices <file>', "reprice with this table, in LiteLLM's JSON shape or prices.json's (default: the costs stored with the bundled table)")
    .option('--no-update', 'report the store as it is, without first running tokens over changed sessions')
    .action(async (kindArgument: string, flags: ReportFlags) => {
      const kind = checkReportKind(kindArgument);
      const options = reportOptions({ ...flags });
      await withEngine(
        flags,
        async (engine) => {
          if (flags.update) await updateTokens(engine);
          const report = await readUsageReport(engine.store.db, kind, options);
          if (flags.json) printJson(reportJson(report));
          else if (report.instances) {
            for (const [host, rows] of Object.entries(report.instances)) {
              process.stdout.write(`${host}\n`);
              printReport({ ...report, [rowsKey(report)]: rows, instances: undefined } as UsageReport, options, flags.breakdown === true);
            }
          } else printReport(report, options, flags.breakdown === true);
        },
        flags.update,
      );
    });
}

/**
 * Brings `tokens` up to date first (usually a no-op: only sessions that changed are read). A missing root
 * or a running run leaves the stored numbers as they are, said on stderr: history outlives the transcripts.
 */
async function updateTokens(engine: Engine): Promise<void> {
  const { processors } = await engine.plugins();
  if (!processors.some((p) => p.name === 'tokens')) {
    process.stderr.write('note: the tokens processor is not loaded; reporting what the store holds\n');
    return;
  }
  try {
    const [stats] = await engine.run(['tokens'], { trigger: 'report' });
    if (stats && stats.errors > 0) process.stderr.write(`note: tokens failed on ${stats.errors} session(s); see \`session-inspector failures\`\n`);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof BusyError)) throw error;
    process.stderr.write(`note: ${error.message}; reporting what the store holds\n`);
  }
}

const rowsKey = (report: UsageReport) => (report.kind === 'session' ? 'sessions' : report.kind);

/** ccusage's JSON (top-level key per report plus `totals`), with our fields added and our metadata under `meta`. */
function reportJson(report: UsageReport): Record<string, unknown> {
  const { kind: _kind, ...rest } = report;
  return rest;
}

const count = (n: number) => n.toLocaleString('en-US');
const usd = (n: number, unpriced: number) => `$${n.toFixed(2)}${unpriced > 0 ? ' + no price' : ''}`;

/** The token and cost cells of a row, a breakdown line or the totals. */
function amounts(r: { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number }, cost: string): string[] {
  const total = r.inputTokens + r.outputTokens + r.cacheCreationTokens + r.cacheReadTokens;
  return [count(r.inputTokens), count(r.outputTokens), count(r.cacheCreationTokens), count(r.cacheReadTokens), count(total), cost];
}

const breakdownLine = (m: ModelBreakdown, width: number) => [
  `  └ ${m.modelName}`,
  ...Array(width).fill(''),
  ...amounts(m, m.cost === null ? 'no price' : `$${m.cost.toFixed(2)}`),
];

function printReport(report: UsageReport, options: ReportOptions, breakdown: boolean): void {
  const amountsHead = ['Input', 'Output', 'Cache create', 'Cache read', 'Total tokens', 'Cost (USD)'];
  const rowsOf = (label: (r: UsageRowFields & Record<string, unknown>) => string[], head: string[], rows: (UsageRowFields & Record<string, unknown>)[]) => {
    const table = new Table({ head: [...head, 'Models', ...amountsHead], style: { head: [], border: [], compact: true } });
    for (const r of rows) {
      table.push([...label(r), r.modelsUsed.join(', '), ...amounts(r, usd(r.totalCost, r.unpricedMessages))]);
      if (breakdown) for (const m of r.modelBreakdowns) table.push(breakdownLine(m, head.length));
    }
    // The total of the rows shown (with --last or per machine, less than the report's totals).
    const total = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalCost: 0, unpricedMessages: 0 };
    for (const r of rows) for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += r[key];
    table.push([...head.map((_, i) => (i === 0 ? 'Total' : '')), '', ...amounts(total, usd(total.totalCost, total.unpricedMessages))]);
    return table;
  };
  let table: Table.Table;
  switch (report.kind) {
    case 'daily':
      table = rowsOf((r) => [String(r.date)], ['Date'], report.daily as never);
      break;
    case 'weekly':
      table = rowsOf((r) => [String(r.week)], [`Week (from ${options.weekStart})`], report.weekly as never);
      break;
    case 'monthly':
      table = rowsOf((r) => [String(r.month)], ['Month'], report.monthly as never);
      break;
    case 'session':
      table = rowsOf(
        (r) => [`${String(r.sessionId).slice(0, 8)}${r.deleted ? ' (deleted)' : ''}`, String(r.cwd ?? r.projectPath), localTime(r.lastActivity, options)],
        ['Session', 'Project', 'Last activity'],
        report.sessions as never,
      );
      break;
    case 'projects':
      table = rowsOf((r) => [String(r.project), String(r.sessions)], ['Project', 'Sessions'], report.projects as never);
      break;
    case 'blocks':
      table = blocksTable(report.blocks, options, amountsHead);
      break;
  }
  process.stdout.write(`${table.toString()}\n`);
  const notes = [`times in ${options.timeZone}`, `prices: ${report.meta.prices}`];
  const unpriced = report.totals.unpricedMessages;
  if (unpriced > 0) notes.push(`${count(unpriced)} message(s) of models with no price are counted in tokens, not in cost`);
  if (report.meta.undatedMessages > 0) notes.push(`${count(report.meta.undatedMessages)} message(s) without a usable timestamp are in no period`);
  process.stdout.write(`${notes.join('; ')}\n`);
}

function blocksTable(blocks: BlockRow[], options: ReportOptions, amountsHead: string[]): Table.Table {
  const table = new Table({ head: ['Block start', 'Status', 'Models', ...amountsHead], style: { head: [], border: [], compact: true } });
  for (const b of blocks) {
    const t = b.tokenCounts;
    const status = b.isGap
      ? `gap until ${localTime(b.endTime, options)}`
      : b.isActive
        ? `active, ${b.projection?.remainingMinutes ?? 0} min left`
        : `${b.entries} messages`;
    const cells = amounts(
      { inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheCreationTokens: t.cacheCreationInputTokens, cacheReadTokens: t.cacheReadInputTokens },
      b.isGap ? '' : usd(b.costUSD, b.unpricedMessages),
    );
    table.push([localTime(b.startTime, options), status, b.models.join(', '), ...cells]);
    if (b.burnRate && b.projection) {
      const rate = `burn rate ${count(Math.round(b.burnRate.tokensPerMinute))} tokens/min, $${b.burnRate.costPerHour.toFixed(2)}/h`;
      const projected = `projected ${count(b.projection.totalTokens)} tokens, $${b.projection.totalCost.toFixed(2)}`;
      table.push(['', `${rate}; ${projected}`, ...Array(7).fill('')]);
    }
  }
  return table;
}

const localTime = (iso: string, options: ReportOptions) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: options.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
