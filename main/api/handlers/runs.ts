import { toolUsage } from '../../core/reports/toolUsage.js';
import { listRuns, runTimeline } from '../../core/store/runHistory.js';
import * as rows from '../rows.js';
import type { ApiContext, DomainHandlers } from './context.js';

/** Processors and their runs: starting and cancelling them, what runs now, the history and the Runs view's charts. */
export function runsHandlers(ctx: ApiContext): DomainHandlers<'processors' | 'runs' | 'dashboard'> {
  return {
    'processors/list': async () => {
      const { processors } = await ctx.engine.plugins();
      const lastRuns = await ctx.engine.store.lastRunTimes();
      const schedule = new Map((await ctx.schedule()).map((s) => [s.processor, s]));
      return processors.map((p) => ({
        name: p.name,
        version: p.version,
        timeoutMs: p.timeoutMs,
        plugin: p.pluginName,
        view: p.view?.name ?? null,
        lastRunAt: lastRuns.has(p.name) ? new Date(lastRuns.get(p.name)!).toISOString() : null,
        running: ctx.runs.isActive(p.name),
        cadenceMinutes: schedule.get(p.name)?.cadenceMinutes ?? p.cadenceMinutes,
        nextRunAt: schedule.get(p.name)?.nextDueAt ?? null,
      }));
    },
    // Runs the UI started and the scheduler's alike: they all go through the engine's run service.
    'runs/start': async ({ filter, ...request }) => ctx.runs.start(filter ? { ...request, sessions: await ctx.index.keys(filter) } : request),
    'runs/cancel': async ({ processor }) => ({ cancelled: ctx.runs.cancel(processor) }),
    'runs/active': async () => ctx.runs.list(),
    'runs/history': async ({ limit, processor }) => (await listRuns(ctx.engine.store.db, { limit: limit ?? 200, processor })).map(rows.run),
    'runs/timeline': async ({ days }) => runTimeline(ctx.engine.store.db, days ?? 30),
    'dashboard/get': async ({ days }) => toolUsage(ctx.engine.store.db, days ?? 30),
  };
}
