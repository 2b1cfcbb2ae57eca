// Read-only SQL over the state database and the processors' views, with export of any result.
import { useEffect, type KeyboardEvent } from 'react';
import { CatalogSidebar } from '../components/CatalogSidebar.js';
import { ResultsGrid } from '../components/ResultsGrid.js';
import { useApp } from '../StoreContext.js';

export function QueryView() {
  const sql = useApp((s) => s.query.sql);
  const running = useApp((s) => s.query.running);
  const error = useApp((s) => s.query.error);
  const exported = useApp((s) => s.query.exported);
  const setSql = useApp((s) => s.setSql);
  const run = useApp((s) => s.runQuery);
  const loadCatalog = useApp((s) => s.loadCatalog);
  const exportQuery = useApp((s) => s.exportQuery);

  useEffect(() => {
    void loadCatalog();
  }, [loadCatalog]);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  }

  async function onExport(format: 'csv' | 'parquet') {
    const result = await exportQuery(format);
    // Browser mode: the file is fetched from the server's download URL by a plain same-origin link.
    if (result?.downloadUrl) {
      const a = document.createElement('a');
      a.href = result.downloadUrl;
      a.download = result.fileName;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
  }

  return (
    <section className="query-view" aria-labelledby="query-title">
      <CatalogSidebar />
      <div className="query-main">
        <div className="row">
          <h2 id="query-title">SQL (read-only)</h2>
          <span className="spacer" />
          <button type="button" className="primary" disabled={running} onClick={() => void run()}>
            Run (Ctrl+Enter)
          </button>
          <button type="button" onClick={() => void onExport('csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => void onExport('parquet')}>
            Export Parquet
          </button>
        </div>
        <textarea
          className="sql"
          aria-label="SQL query"
          value={sql}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={onKeyDown}
          spellCheck={false}
          rows={6}
        />
        {error && (
          <pre className="error-block" role="alert">
            {error}
          </pre>
        )}
        {exported && (
          <p className="muted" data-testid="export-result">
            Exported {exported.rows} row(s) to {exported.savedTo ?? exported.fileName}
            {exported.downloadUrl ? ' (downloading)' : exported.savedTo ? '' : ' (cancelled)'}
          </p>
        )}
        <ResultsGrid />
      </div>
    </section>
  );
}
