// Every manual state change, newest first, each undoable once.
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

/** A short, readable form of a before/after value (state rows, failure rows, or anything else). */
function summary(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  const v = value as Record<string, unknown>;
  const items = v.itemsExtracted ?? v.items_extracted;
  const at = v.processedAt ?? v.processed_at;
  if (items !== undefined || at !== undefined) return `items ${String(items ?? '–')}, at ${at ? formatTime(String(at)) : '–'}`;
  const error = v.lastError ?? v.last_error;
  if (v.attempts !== undefined || error !== undefined) return `failed ×${String(v.attempts ?? '?')}${error ? `: ${String(error).slice(0, 80)}` : ''}`;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

export function AuditHistory() {
  const history = useApp((s) => s.stateTable.history);
  const undo = useApp((s) => s.undoAudit);
  return (
    <aside className="audit" aria-label="Change history">
      <h3>History</h3>
      {history.length === 0 && <p className="muted">No manual changes yet.</p>}
      <ol className="plain-list">
        {history.map((h) => (
          <li key={h.auditId} className="audit-entry" data-audit={h.auditId} data-action={h.action}>
            <div>
              <strong>{h.action}</strong> {h.processor} <span className="col-key">{h.sessionKey}</span>
            </div>
            <div className="muted">{formatTime(h.at)} · {summary(h.before)} → {summary(h.after)}</div>
            {h.undoneBy !== null ? (
              <span className="muted">undone (#{h.undoneBy})</span>
            ) : (
              <button type="button" onClick={() => void undo(h.auditId)}>Undo</button>
            )}
          </li>
        ))}
      </ol>
    </aside>
  );
}
