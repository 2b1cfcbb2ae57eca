// The open session: per-processor state, the failure's error text, the extracted items, the transcript,
// and (when the secrets processor found any) a way to redact its secrets in the file.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { SessionDetail as SessionDetailData, SessionProcessorDetail } from '../../../main/api/contract.js';
import { formatBytes, formatCount, formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';
import { RedactDialog } from './RedactDialog.js';
import { StatusChip } from './StatusChip.js';
import { TranscriptView } from './TranscriptView.js';

function ProcessorDetail({ p, sessionKey }: { p: SessionProcessorDetail; sessionKey: string }) {
  const startRun = useApp((s) => s.startRun);
  const failed = p.status === 'failed' || p.status === 'quarantined';
  return (
    <div className="processor-detail" data-processor={p.processor}>
      <div className="row">
        <StatusChip
          cell={{
            processor: p.processor,
            status: p.status,
            attempts: p.failure?.attempts ?? null,
            lastError: p.failure?.lastError ?? null,
            processedAt: p.state?.processedAt ?? null,
            itemsExtracted: p.state?.itemsExtracted ?? null,
          }}
        />
        <span className="muted">
          processed {formatTime(p.state?.processedAt)} · {formatCount(p.state?.itemsExtracted ?? 0)} items · version {p.state?.processorVersion ?? '–'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => void startRun({ processors: [p.processor], sessions: [sessionKey], failedOnly: failed })}>
          {failed ? 'Rerun failed' : 'Run now'}
        </button>
      </div>
      {p.failure && (
        <div className="failure">
          <div className="muted">
            {p.failure.quarantined ? 'Quarantined' : 'Failed'} after {p.failure.attempts} attempt(s), last {formatTime(p.failure.lastFailedAt)}
          </div>
          <pre className="error-block" data-testid="failure-error">
            {p.failure.lastError ?? '(no message)'}
          </pre>
        </div>
      )}
      {p.itemsTotal > 0 && (
        <details className="items">
          <summary>
            Items ({formatCount(p.itemsTotal)}
            {p.items.length < p.itemsTotal ? `, first ${p.items.length} shown` : ''})
          </summary>
          <ol className="item-list">
            {p.items.map((item, i) => (
              <li key={i}>
                <pre>{JSON.stringify(item, null, 1)}</pre>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

/** Where and when the session ran, its size and its file. */
function SessionFacts({ data }: { data: SessionDetailData }) {
  return (
    <p className="muted">
      <span title={data.session.projectPath}>{data.session.project}</span>
      {data.session.branch && ` · ${data.session.branch}`}
      {data.session.startedAt && ` · started ${formatTime(data.session.startedAt)}`}
      {data.session.costUsd !== null && ` · $${data.session.costUsd.toFixed(2)}`} · {formatBytes(data.session.sizeBytes)} · modified{' '}
      {formatTime(data.session.modifiedAt)} · <code>{data.path}</code>
    </p>
  );
}

/** Links to the session a subagent's transcript belongs to, or to the subagents of a session. */
function SessionRelations({ data }: { data: SessionDetailData }) {
  const open = useApp((s) => s.openSession);
  const subagents = useApp((s) => s.detail.subagents);
  return (
    <>
      {data.session.parentSession && (
        <p>
          A subagent's transcript of{' '}
          <button type="button" className="link-button" onClick={() => void open(data.session.parentSession!)}>
            its session
          </button>
          .
        </p>
      )}
      {subagents.length > 0 && (
        <>
          <h3>Subagents ({subagents.length})</h3>
          <ul className="subagent-list">
            {subagents.map((s) => (
              <li key={s.sessionKey}>
                <button type="button" className="link-button" title={s.sessionKey} onClick={() => void open(s.sessionKey)}>
                  {s.title ?? s.sessionKey.split('/').pop()}
                </button>{' '}
                <span className="muted">
                  {s.startedAt ? formatTime(s.startedAt) : ''}
                  {s.costUsd !== null ? ` · $${s.costUsd.toFixed(2)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Focuses the drawer when a session opens; Escape closes it unless a dialog is open over it. */
function useDrawerFocusAndEscape(key: string | null, close: () => void, ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    if (!key) return;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('.dialog')) close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, close, ref]);
}

export function SessionDetail() {
  const key = useApp((s) => s.detail.key);
  const data = useApp((s) => s.detail.data);
  const error = useApp((s) => s.detail.error);
  const close = useApp((s) => s.closeSession);
  const ref = useRef<HTMLElement>(null);
  const [redacting, setRedacting] = useState(false);

  useDrawerFocusAndEscape(key, close, ref);

  if (!key) return null;
  const secrets = data?.processors.find((p) => p.processor === 'secrets')?.itemsTotal ?? 0;
  return (
    <aside ref={ref} className="drawer" aria-label={`Session ${key}`} tabIndex={-1} data-testid="session-detail">
      <div className="drawer-head">
        <h2 title={data?.session.title ?? key}>{data?.session.title ?? key}</h2>
        <button type="button" className="icon-button" aria-label="Close session" onClick={close}>
          ×
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <SessionFacts data={data} />
          {secrets > 0 && (
            <div className="row">
              <span className="muted">The secrets processor found {secrets} secret(s) in this session.</span>
              <button type="button" onClick={() => setRedacting(true)}>
                Redact secrets…
              </button>
            </div>
          )}
          {redacting && <RedactDialog target={{ sessions: [key] }} title={`Redact the secrets in ${key}?`} onClose={() => setRedacting(false)} />}
          <SessionRelations data={data} />
          <h3>Processors</h3>
          {data.processors.length === 0 && <p className="muted">No processors are loaded.</p>}
          {data.processors.map((p) => (
            <ProcessorDetail key={p.processor} p={p} sessionKey={key} />
          ))}
        </>
      )}
      <h3>Transcript</h3>
      <TranscriptView />
    </aside>
  );
}
