import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_THRESHOLDS, type ProcessorHealth } from '../core/health.js';
import { prometheusMetrics } from '../core/healthMetrics.js';
import type { JsonRow } from '../core/store/jsonRows.js';
import { common, withEngine } from './commonOptions.js';
import { printJson, printTable } from './output.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number greater than 0');
  return n;
}

/** The health fields `status --json` adds to each processor's row. */
function healthFields(h: ProcessorHealth | undefined): JsonRow {
  if (!h) return { healthy: null };
  const { processor: _name, ...fields } = h;
  return fields;
}

const problemsOf = (h: ProcessorHealth) =>
  [h.overdue && 'overdue', h.failing && 'failing', h.stuck && 'stuck', h.quarantined > 0 && 'quarantined'].filter(Boolean).join(', ');

export function statusCommand(program: Command): void {
  common(program.command('status'), true)
    .description(
      'per processor: sessions processed, failed, quarantined, pending, the last run and its health; on a team store, also the runners holding leases',
    )
    .option('--check', 'one line per problem (overdue, failing, stuck, quarantined sessions, a stopped runner); exit 1 if any, 0 if healthy')
    .addOption(new Option('--format <format>', 'table (default), json (as --json), or prometheus (text exposition)').choices(['table', 'json', 'prometheus']))
    .option('--grace-factor <n>', `overdue after this many cadences without a run starting (default ${DEFAULT_THRESHOLDS.graceFactor})`, positiveNumber)
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        const thresholds = { ...DEFAULT_THRESHOLDS, ...(options.graceFactor ? { graceFactor: options.graceFactor } : {}) };
        const health = await engine.health(new Date(), thresholds);
        const format = options.format ?? (options.json ? 'json' : 'table');
        if (options.check) {
          if (format === 'json') printJson(health);
          else if (health.problems.length === 0) process.stdout.write(`healthy: ${health.processors.length} processor(s)\n`);
          else for (const p of health.problems) process.stdout.write(`${p.kind}: ${p.message}\n`);
          process.exitCode = health.problems.length > 0 ? 1 : 0;
          return;
        }
        // A missing or read-only archive mount is said here: runs go on without it, and nobody would notice.
        await engine.archive((message) => process.stderr.write(`warning: ${message}\n`));
        const rows = await engine.status((message) => process.stderr.write(`note: ${message}; pending counts are not shown\n`));
        if (format === 'prometheus') {
          process.stdout.write(prometheusMetrics(rows, health));
          return;
        }
        const byName = new Map(health.processors.map((h) => [h.processor, h]));
        if (format === 'json') printJson(rows.map((row) => ({ ...row, ...healthFields(byName.get(String(row.processor_name))) })));
        else {
          const table = rows.map((row) => {
            const h = byName.get(String(row.processor_name));
            return { ...row, health: h ? (h.healthy ? 'healthy' : problemsOf(h)) : '' };
          });
          const columns = ['processor_name', 'loaded', 'version', 'processed', 'pending', 'failed', 'quarantined', 'items_extracted', 'last_run_at'];
          printTable(table, [...columns, 'health']);
          for (const p of health.problems) process.stderr.write(`note: ${p.kind}: ${p.message}\n`);
        }
        // On a team store, who is working right now (notes on stderr keep --json output as it was).
        if (engine.store.db.shared) {
          for (const r of await engine.store.activeRunners()) {
            process.stderr.write(`note: runner ${r.runner_id} holds ${r.sessions} session lease(s), since ${r.since}, until ${r.lease_until}\n`);
          }
        }
      });
    });
}
