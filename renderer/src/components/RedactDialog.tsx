// Redacting secrets from the app, as `session-inspector secrets redact` does: first what would change (a
// dry run: line, kind, masked value, or why not), then, confirmed, the redaction itself, with its outcome.
import { useEffect, useState } from 'react';
import type { RedactReport, RedactionRow } from '../../../main/api/contract.js';
import { useApp } from '../StoreContext.js';
import { Dialog } from './Dialog.js';

const OUTCOME: Record<RedactionRow['outcome'], string> = { 'would-redact': 'will be redacted', redacted: 'redacted', refused: 'refused', skipped: 'skipped' };

function Rows({ report }: { report: RedactReport }) {
  if (report.rows.length === 0) return <p className="muted">No secret to redact here.</p>;
  return (
    <table className="redact-rows" data-testid="redact-rows">
      <thead>
        <tr>
          <th>Session</th>
          <th>Line</th>
          <th>Kind</th>
          <th>Masked</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {report.rows.map((r) => (
          <tr key={r.finding_id} data-finding={r.finding_id} data-outcome={r.outcome}>
            <td>
              <code>{r.session_file}</code>
            </td>
            <td>{r.line_no}</td>
            <td>{r.kind}</td>
            <td>
              <code>{r.preview}</code>
            </td>
            <td>
              <span className={`redact-outcome redact-${r.outcome}`}>{OUTCOME[r.outcome]}</span>
              {r.reason && <div className="muted redact-reason">{r.reason}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RedactDialog({ target, title, onClose }: { target: { findings: string[] } | { sessions: string[] }; title: string; onClose: () => void }) {
  const redact = useApp((s) => s.redactSecrets);
  const [force, setForce] = useState(false);
  const [plan, setPlan] = useState<RedactReport | null>(null);
  const [done, setDone] = useState<RedactReport | null>(null);
  const [busy, setBusy] = useState(true);
  const key = JSON.stringify(target);

  useEffect(() => {
    let live = true;
    setBusy(true);
    void redact(JSON.parse(key) as typeof target, false, force).then((report) => {
      if (!live) return;
      setPlan(report);
      setBusy(false);
    });
    return () => {
      live = false;
    };
  }, [redact, key, force]);

  async function apply() {
    setBusy(true);
    const report = await redact(target, true, force);
    setBusy(false);
    if (report) setDone(report);
  }

  const count = plan?.rows.filter((r) => r.outcome === 'would-redact').length ?? 0;
  const forceable = force || (plan?.rows.some((r) => r.forceable) ?? false);
  return (
    <Dialog title={title} onClose={onClose} className="redact-dialog">
      {done ? (
        <>
          <p role="status" data-testid="redact-done">
            Redacted {done.rows.filter((r) => r.outcome === 'redacted').length} secret(s)
            {done.items > 0 ? `; ${done.items} stored item(s) that held one rewritten` : ''}.
          </p>
          <Rows report={done} />
          <div className="row end">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            Each secret is replaced by <code>[REDACTED:kind]</code> in its session file, which is replaced whole (nothing else in it changes). This cannot be
            undone; the findings are marked fixed. Rotate a key that may still be valid: redacting the transcript does not.
          </p>
          {plan === null ? (
            <p className="muted">{busy ? 'Working out what would change…' : 'Could not work out what would change.'}</p>
          ) : (
            <Rows report={plan} />
          )}
          {forceable && (
            <label className="redact-force">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} disabled={busy} /> Also redact sessions written to in the last
              10 minutes (Claude Code may still be appending to them: close it first)
            </label>
          )}
          <div className="row end">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={busy || count === 0} onClick={() => void apply()}>
              Redact {count} secret{count === 1 ? '' : 's'}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
