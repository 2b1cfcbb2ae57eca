// The selected finding: what and where it is, its review (status and note, saved with `findings/mark`,
// audited in main and undone from the State table's history), and a way into its transcript at its line.
// A secret is shown only by its kind and redacted preview: the item never holds the secret itself. A
// secret can be redacted in its file from here (RedactDialog).
import { useState, type FormEvent } from 'react';
import { RedactDialog } from './RedactDialog.js';
import { FINDING_STATUSES, type Finding, type FindingStatus } from '../../../main/api/contract.js';
import { formatTime } from '../lib/format.js';
import { CATEGORY_SINGULAR, STATUS_HINT, STATUS_LABEL, SUMMARY_LABEL } from '../lib/findingLabels.js';
import { projectOf } from '../lib/findingsFilter.js';
import { useApp } from '../StoreContext.js';

function ReviewForm({ finding }: { finding: Finding }) {
  const mark = useApp((s) => s.markFinding);
  const saving = useApp((s) => s.findings.saving === finding.id);
  const [status, setStatus] = useState<FindingStatus>(finding.status);
  const [note, setNote] = useState(finding.note ?? '');
  const unchanged = status === finding.status && note.trim() === (finding.note ?? '');

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void mark(finding.id, status, note);
  }

  return (
    <form className="review-form" onSubmit={onSubmit}>
      <fieldset>
        <legend>Review</legend>
        <div role="radiogroup" aria-label="Status" className="review-statuses">
          {FINDING_STATUSES.map((s) => (
            <label key={s} className={`review-status finding-status-${s}`}>
              <input type="radio" name={`status-${finding.id}`} value={s} checked={status === s} onChange={() => setStatus(s)} />
              <span className="review-status-name">{STATUS_LABEL[s]}</span> <span className="muted">{STATUS_HINT[s]}</span>
            </label>
          ))}
        </div>
        <label className="review-note">
          Note
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={10_000} placeholder="Why: rotated on…, a test fixture, …" />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={saving || unchanged}>
            {saving ? 'Saving…' : 'Save review'}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

/** Where and when the finding is, who found it and how it was reviewed. */
function FindingFacts({ finding }: { finding: Finding }) {
  const sessionRoot = useApp((s) => s.info?.sessionRoot ?? null);
  return (
    <dl className="facts">
      <dt>Session</dt>
      <dd>
        <code>{finding.session_file}</code>
      </dd>
      <dt>Project</dt>
      <dd>{projectOf(finding.session_file, sessionRoot)}</dd>
      <dt>Line</dt>
      <dd>{finding.line_no}</dd>
      <dt>When</dt>
      <dd>{finding.occurred_at ? formatTime(finding.occurred_at) : <span className="muted">the record has no time</span>}</dd>
      <dt>Found by</dt>
      <dd>{finding.processor}</dd>
      <dt>Status</dt>
      <dd>
        <span className={`chip finding-status-${finding.status}`}>{STATUS_LABEL[finding.status]}</span>
        {finding.reviewed_at && <span className="muted"> reviewed {formatTime(finding.reviewed_at)}</span>}
      </dd>
      {finding.note && (
        <>
          <dt>Note</dt>
          <dd className="finding-note">{finding.note}</dd>
        </>
      )}
    </dl>
  );
}

/** A secret's redacted preview, or the finding's text. */
function FindingSummary({ finding }: { finding: Finding }) {
  return (
    <>
      {finding.category === 'secret' ? (
        <>
          <h4>Redacted preview</h4>
          <pre className="finding-preview" data-testid="finding-summary">
            {finding.summary ?? '(none)'}
          </pre>
          <p className="muted">Only this preview is stored, never the secret; the transcript shows it masked, and reveals it on a click.</p>
        </>
      ) : (
        <>
          <h4>{SUMMARY_LABEL[finding.category]}</h4>
          <pre className={finding.category === 'tool_error' ? 'error-block' : 'finding-preview'} data-testid="finding-summary">
            {finding.summary ?? '(no text)'}
          </pre>
        </>
      )}
    </>
  );
}

export function FindingDetail() {
  const finding = useApp((s) => (s.findings.cursor >= 0 ? s.findings.visible[s.findings.cursor] : undefined));
  const openFinding = useApp((s) => s.openFinding);
  const setView = useApp((s) => s.setView);
  const [redacting, setRedacting] = useState<string | null>(null);

  if (!finding) {
    return (
      <aside className="finding-detail" aria-label="Finding">
        <p className="muted">Select a finding to review it (arrow keys in the list; Enter opens its transcript).</p>
      </aside>
    );
  }
  const secret = finding.category === 'secret';
  return (
    <aside className="finding-detail" aria-labelledby="finding-title" data-testid="finding-detail" data-finding={finding.id}>
      <h3 id="finding-title">
        {CATEGORY_SINGULAR[finding.category]}: {finding.kind}
      </h3>
      <FindingFacts finding={finding} />
      <FindingSummary finding={finding} />
      <div className="row">
        <button type="button" onClick={() => void openFinding(finding)}>
          Open transcript at line {finding.line_no}
        </button>
        {secret && (
          <button type="button" onClick={() => setRedacting(finding.id)}>
            Redact in the file…
          </button>
        )}
      </div>
      {redacting === finding.id && (
        <RedactDialog target={{ findings: [finding.id] }} title={`Redact this ${finding.kind}?`} onClose={() => setRedacting(null)} />
      )}
      <ReviewForm key={`${finding.id} ${finding.reviewed_at ?? ''}`} finding={finding} />
      <p className="muted">
        Reviews are audited: undo one from the{' '}
        <button type="button" className="link-button" onClick={() => setView('state')}>
          State table's history
        </button>
        .
      </p>
    </aside>
  );
}
