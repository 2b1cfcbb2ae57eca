import type { Database } from '../core/store/database.js';
import type { Dashboard, RunTimelinePoint } from './contract.js';

/** A timestamp's UTC day as YYYY-MM-DD, in SQL both backends run. */
const DAY = (column: string) => `CAST(CAST(${column} AS DATE) AS VARCHAR)`;

async function viewExists(db: Database, name: string): Promise<boolean> {
  const rows = await db.all("SELECT 1 FROM information_schema.tables WHERE table_name = $name AND table_schema = current_schema()", { name });
  return rows.length > 0;
}

/**
 * Charts from the built-in usage processor's view, where it has run: tool calls (and failed ones) per day
 * and tool. Tokens and cost are charted from the report module (`usage/report`), in the user's time zone.
 */
export async function dashboard(db: Database, days: number): Promise<Dashboard> {
  const usage = await viewExists(db, 'usage_events');
  // The window ends at the newest data, not today: an archive of last year's sessions still charts.
  const window = `INTERVAL '${Math.floor(days)} days'`;
  const toolsByDay = usage
    ? (
        await db.all(`SELECT ${DAY('occurred_at')} AS day, tool_name AS tool, count(*) AS calls, count(*) FILTER (WHERE is_error) AS errors
          FROM usage_events WHERE event_type = 'tool' AND occurred_at >= (SELECT max(occurred_at) FROM usage_events) - ${window}
          GROUP BY 1, 2 ORDER BY day, calls DESC`)
      ).map((r) => ({ day: String(r.day), tool: String(r.tool), calls: Number(r.calls), errors: Number(r.errors) }))
    : [];
  return { usage, toolsByDay };
}

/** Sessions processed and errors per day and processor, from the stats of finished runs. */
export async function runTimeline(db: Database, days: number): Promise<RunTimelinePoint[]> {
  const rows = await db.all(`
    SELECT ${DAY('started_at')} AS day, processor_name AS processor,
      sum(coalesce(CAST(stats->>'processed' AS INTEGER), 0)) AS processed, sum(coalesce(CAST(stats->>'errors' AS INTEGER), 0)) AS errors
    FROM processor_runs WHERE started_at >= (SELECT max(started_at) FROM processor_runs) - INTERVAL '${Math.floor(days)} days'
    GROUP BY 1, 2 ORDER BY day, processor`);
  return rows.map((r) => ({ day: String(r.day), processor: String(r.processor), processed: Number(r.processed), errors: Number(r.errors) }));
}
