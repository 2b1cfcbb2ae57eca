// Tables and views with their columns; clicking one starts a SELECT over it.
import { useApp } from '../StoreContext.js';

export function CatalogSidebar() {
  const catalog = useApp((s) => s.query.catalog);
  const setSql = useApp((s) => s.setSql);
  return (
    <aside className="catalog" aria-label="Tables and views">
      <h3>Tables and views</h3>
      {catalog.length === 0 && <p className="muted">Loading…</p>}
      <ul className="plain-list">
        {catalog.map((entry) => (
          <li key={entry.name}>
            <details>
              <summary>
                <button type="button" className="link-button" onClick={() => setSql(`SELECT *\nFROM ${entry.name}\nLIMIT 100`)}>
                  {entry.name}
                </button>{' '}
                <span className="muted">{entry.kind}</span>
              </summary>
              <ul className="columns">
                {entry.columns.map((c) => (
                  <li key={c.name}>
                    <span>{c.name}</span> <span className="muted">{c.type}</span>
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </aside>
  );
}
