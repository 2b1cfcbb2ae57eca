import { utcDay, type Database } from './database.js';
import type { JsonRow } from './jsonRows.js';

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
