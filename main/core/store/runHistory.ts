import { utcDay, type Database } from './database.js';
import type { JsonRow } from './jsonRows.js';

/** Records a run's start; the row stays with finished_at NULL if the process dies (an interrupted run). */
export async function recordRunStart(db: Database, runId: string, processor: string, trigger: string, startedAt: Date): Promise<void> {
  await db.run('INSERT INTO processor_runs (run_id, processor_name, trigger, started_at) VALUES ($1, $2, $3, $4::TIMESTAMP)', [
    runId,
    processor,
    trigger,
    startedAt.toISOString(),
  ]);
}

/**
 * Records a run that failed as a whole (its stats hold the error). Only a row not finished yet is
 * updated, so a run that had already finished keeps its real stats.
 */
export async function recordRunFailure(db: Database, runId: string, finishedAt: Date, stats: unknown): Promise<void> {
  await db.run('UPDATE processor_runs SET finished_at = $2::TIMESTAMP, stats = $3::JSON WHERE run_id = $1 AND finished_at IS NULL', [
    runId,
    finishedAt.toISOString(),
    JSON.stringify(stats),
  ]);
}

/** Per processor, the start of its latest run (ms since the epoch), whatever its outcome: the scheduler's clock starts there. */
export async function lastRunTimes(db: Database): Promise<Map<string, number>> {
  const rows = await db.all('SELECT processor_name, epoch_ms(max(started_at)) AS at FROM processor_runs GROUP BY processor_name');
  return new Map(rows.map((row) => [String(row.processor_name), Number(row.at)]));
}

/** Records a run's end and its stats. */
export async function recordRunFinish(db: Database, runId: string, finishedAt: Date, stats: unknown): Promise<void> {
  await db.run('UPDATE processor_runs SET finished_at = $2::TIMESTAMP, stats = $3::JSON WHERE run_id = $1', [
    runId,
    finishedAt.toISOString(),
    JSON.stringify(stats),
  ]);
}

/** The latest runs, newest first (of one processor when named), each with its stats. */
export function listRuns(db: Database, { limit, processor }: { limit: number; processor?: string }): Promise<JsonRow[]> {
  const where = processor ? 'WHERE processor_name = $processor' : '';
  return db.all(`SELECT * FROM processor_runs ${where} ORDER BY started_at DESC LIMIT $limit`, { limit, ...(processor ? { processor } : {}) });
}

/** Sessions processed and errors on one UTC day by one processor, from the stats of its runs. */
export interface RunDay {
  day: string;
  processor: string;
  processed: number;
  errors: number;
}

/**
 * Sessions processed and errors per day and processor over the last `days` days of the run history. The
 * window ends at the newest run, not today: an archive of last year's runs still charts.
 */
export async function runTimeline(db: Database, days: number): Promise<RunDay[]> {
  const rows = await db.all(`
    SELECT ${utcDay('started_at')} AS day, processor_name AS processor,
      sum(coalesce(CAST(stats->>'processed' AS INTEGER), 0)) AS processed, sum(coalesce(CAST(stats->>'errors' AS INTEGER), 0)) AS errors
    FROM processor_runs WHERE started_at >= (SELECT max(started_at) FROM processor_runs) - INTERVAL '${Math.floor(days)} days'
    GROUP BY 1, 2 ORDER BY day, processor`);
  return rows.map((r) => ({ day: String(r.day), processor: String(r.processor), processed: Number(r.processed), errors: Number(r.errors) }));
}
