import type { ProcessorView } from '../../sdk/processor.js';
import type { Database } from './database.js';

/**
 * Typed views over processor_items, one per processor that declares one, so analysts can query items as
 * columns (`SELECT tool_name, count(*) FROM usage_events GROUP BY tool_name`). Values that do not convert read
 * as NULL instead of failing the query: items come from plugins and are not trusted to match their types.
 * Names and columns were validated by the processor schema (lower-case identifiers), so quoting suffices.
 */
export function syncViews(db: Database, processors: { name: string; view?: ProcessorView }[]): Promise<string[]> {
  // On a shared store several processes may start at once: one at a time replaces the views.
  return db.withSchemaLock(() => replaceViews(db, processors));
}

async function replaceViews(db: Database, processors: { name: string; view?: ProcessorView }[]): Promise<string[]> {
  const problems: string[] = [];
  const claimed = new Map<string, string>();
  for (const processor of processors) {
    const view = processor.view;
    if (!view) continue;
    const owner = claimed.get(view.name);
    if (owner) {
      problems.push(`processor "${processor.name}": view "${view.name}" is already defined by processor "${owner}"; not created`);
      continue;
    }
    claimed.set(view.name, processor.name);
    const body = `AS ${db.typedItems(processor.name, view.columns)}`;
    try {
      await db.run(`CREATE OR REPLACE VIEW "${view.name}" ${body}`).catch(async () => {
        // PostgreSQL replaces a view only when its columns stay the same; a new processor version may change them.
        await db.transaction(async (c) => {
          await c.run(`DROP VIEW IF EXISTS "${view.name}"`);
          await c.run(`CREATE VIEW "${view.name}" ${body}`);
        });
      });
    } catch (error) {
      // On a team store the view belongs to the role that set the store up (the runners'); it keeps it in step.
      if (/must be owner of/.test((error as Error).message) && (await viewExists(db, view.name))) continue;
      problems.push(`processor "${processor.name}": view "${view.name}" could not be created: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Whether the store has a view of that name in its schema (a processor's view, once it was created). */
export async function viewExists(db: Database, name: string): Promise<boolean> {
  const rows = await db.all('SELECT 1 FROM information_schema.views WHERE table_name = $1 AND table_schema = current_schema()', [name]);
  return rows.length > 0;
}
