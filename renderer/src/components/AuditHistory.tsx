// Every manual state change, newest first, each undoable once (a redaction is recorded, never undone).
import type { AuditEntry } from '../../../main/api/contract.js';
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

/** A finding's review (a `finding_reviews` row), as the review and undo entries carry it. */
interface ReviewImage {
  finding_id: string;
  status?: string;
  note?: string | null;
}

/** What a redaction's audit row says: which finding, where, and who (never the secret). */
function redactionSummary(entry: AuditEntry): string {
  const after = (entry.after ?? {}) as { line_no?: number; kind?: string; by?: string; via?: string };
  return `${after.kind ?? 'secret'} at line ${after.line_no ?? '?'} replaced by [REDACTED] · by ${after.by ?? '?'} (${after.via ?? '?'})`;
}

function reviewOf(entry: AuditEntry): { before: ReviewImage | null; after: ReviewImage | null } | null {
  if (entry.action === 'redact') return null;
  const image = (v: unknown) => (v !== null && typeof v === 'object' && typeof (v as ReviewImage).finding_id === 'string' ? (v as ReviewImage) : null);
  const before = image(entry.before);
  const after = image(entry.after);
  return before || after ? { before, after } : null;
}

/** A review in a few words: no review is a finding still open. */
function reviewSummary(review: ReviewImage | null): string {
  if (!review) return 'open (no review)';
  const status = review.status ?? '?';
  return review.note ? `${status}: "${review.note.length > 80 ? `${review.note.slice(0, 80)}…` : review.note}"` : status;
}

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
        {history.map((h) => {
          const review = reviewOf(h);
          const redaction = h.action === 'redact';
          const redacted = redaction ? String((h.after as { finding_id?: string } | null)?.finding_id ?? '') : null;
          const finding = review ? (review.after ?? review.before)!.finding_id : redacted;
          return (
            <li key={h.auditId} className="audit-entry" data-audit={h.auditId} data-action={h.action}>
              <div>
                <strong>{h.action}</strong> {h.processor} <span className="col-key">{h.sessionKey}</span>
                {finding && (
                  <span className="muted">
                    {' '}
                    · finding <code>{finding}</code>
                  </span>
                )}
              </div>
              <div className="muted audit-change">
                {formatTime(h.at)} ·{' '}
                {redaction
                  ? redactionSummary(h)
                  : review
                    ? `${reviewSummary(review.before)} → ${reviewSummary(review.after)}`
                    : `${summary(h.before)} → ${summary(h.after)}`}
              </div>
              {h.undoneBy !== null ? (
                <span className="muted">undone (#{h.undoneBy})</span>
              ) : h.action.startsWith('undo:') || redaction ? null : (
                // An undo is not undone (main refuses it): the change is made again instead.
                <button type="button" onClick={() => void undo(h.auditId)} aria-label={`Undo change #${h.auditId}`}>
                  Undo
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
