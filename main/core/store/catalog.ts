import type { CatalogEntry, Database } from './database.js';

/** Tables and views of the store's schema with their columns (information_schema: the same on both backends). */
export async function schemaCatalog(db: Database): Promise<CatalogEntry[]> {
  const rows = await db.all(
    `SELECT t.table_name, t.table_type, c.column_name, c.data_type
     FROM information_schema.tables t JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
     WHERE t.table_schema = current_schema() AND t.table_catalog = current_database()
     ORDER BY t.table_name, c.ordinal_position`,
  );
  const byName = new Map<string, CatalogEntry>();
  for (const row of rows) {
    const name = String(row.table_name);
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { name, kind: row.table_type === 'VIEW' ? 'view' : 'table', columns: [] }));
    entry.columns.push({ name: String(row.column_name), type: String(row.data_type) });
  }
  return [...byName.values()];
}
