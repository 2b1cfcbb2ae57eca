import type { Database } from './database.js';
import type { Json, JsonRow } from './jsonRows.js';

/** What the store holds of one processor for one session: the detail view of a session shows it. */
export interface ProcessorResult {
  state: JsonRow | null;
  failure: JsonRow | null;
  /** The first items, in item order. */
  items: Json[];
  itemsTotal: number;
}

/**
 * Each processor's state row, failure row and first `itemLimit` items for one session, in three queries
 * whatever the number of processors. A processor the store holds nothing of gets an empty result.
 */
export async function sessionResults(db: Database, sessionKey: string, processors: string[], itemLimit: number): Promise<Map<string, ProcessorResult>> {
  const results = new Map<string, ProcessorResult>(processors.map((p) => [p, { state: null, failure: null, items: [], itemsTotal: 0 }]));
  if (processors.length === 0) return results;
  const params = { session: sessionKey, processors };
  const mine = 'session_file = $session AND processor_name = ANY($processors::VARCHAR[])';
  for (const row of await db.all(`SELECT * FROM session_processor_state WHERE ${mine}`, params)) results.get(String(row.processor_name))!.state = row;
  for (const row of await db.all(`SELECT * FROM session_processor_failures WHERE ${mine}`, params)) results.get(String(row.processor_name))!.failure = row;
  const items = await db.all(
    `SELECT processor_name, item, total FROM (
       SELECT processor_name, item, item_index, row_number() OVER (PARTITION BY processor_name ORDER BY item_index) AS n,
         count(*) OVER (PARTITION BY processor_name) AS total
       FROM processor_items WHERE ${mine}) AS i
     WHERE n <= $limit ORDER BY processor_name, item_index`,
    { ...params, limit: itemLimit },
  );
  for (const row of items) {
    const result = results.get(String(row.processor_name))!;
    result.items.push(row.item);
    result.itemsTotal = Number(row.total);
  }
  return results;
}
