import type { ApiContext, DomainHandlers } from './context.js';

/** The SQL console: read-only queries, the catalog of tables and views, exports to CSV or Parquet. */
export function queryHandlers(ctx: ApiContext): DomainHandlers<'query'> {
  return {
    'query/run': async ({ sql, limit }) => {
      const started = performance.now();
      const table = await ctx.engine.store.db.readOnlyTable(sql, limit ?? 1000);
      return { ...table, elapsedMs: Math.round(performance.now() - started) };
    },
    'query/catalog': async () => ctx.engine.store.db.catalog(),
    'query/export': async ({ sql, format }) => {
      const fileName = `session-inspector-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
      const target = await ctx.face.exportTarget(fileName);
      if (!target) return { fileName, rows: 0, downloadUrl: null, savedTo: null };
      const count = await ctx.engine.store.db.exportQuery(sql, format, target.path);
      return { fileName, rows: count, downloadUrl: target.downloadUrl, savedTo: target.downloadUrl ? null : target.path };
    },
  };
}
