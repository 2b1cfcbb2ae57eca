import { utcDay, type Database } from '../store/database.js';
import { viewExists } from '../store/views.js';

/** Calls of one tool on one UTC day, and how many of them failed. */
export interface ToolDay {
  day: string;
  tool: string;
  calls: number;
  errors: number;
}

/**
 * Tool calls (and failed ones) per day and tool over the last `days` days, from the built-in usage
 * processor's view where it has run (`usage` says whether it has). The window ends at the newest call, not
 * today: an archive of last year's sessions still charts. Tokens and cost are the report module's.
 */
export async function toolUsage(db: Database, days: number): Promise<{ usage: boolean; toolsByDay: ToolDay[] }> {
  const usage = await viewExists(db, 'usage_events');
  if (!usage) return { usage, toolsByDay: [] };
  const rows = await db.all(`SELECT ${utcDay('occurred_at')} AS day, tool_name AS tool, count(*) AS calls, count(*) FILTER (WHERE is_error) AS errors
    FROM usage_events WHERE event_type = 'tool' AND occurred_at >= (SELECT max(occurred_at) FROM usage_events) - INTERVAL '${Math.floor(days)} days'
    GROUP BY 1, 2 ORDER BY day, calls DESC`);
  return { usage, toolsByDay: rows.map((r) => ({ day: String(r.day), tool: String(r.tool), calls: Number(r.calls), errors: Number(r.errors) })) };
}
