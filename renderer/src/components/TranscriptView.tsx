// A readable transcript. Its text is untrusted (anything a model or a tool printed): it is rendered only
// as React text children, never as HTML, and nothing in it is turned into a link.
import type { TranscriptEntry } from '../../../main/api/contract.js';
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

/** Characters of one entry shown before "show all" (a tool result can be megabytes). */
const CLIP = 4000;

function Text({ text }: { text: string }) {
  if (text.length <= CLIP) return <pre className="transcript-text">{text}</pre>;
  return (
    <details className="clipped">
      <summary><pre className="transcript-text">{text.slice(0, CLIP)}</pre><span className="muted">… {text.length - CLIP} more characters (show all)</span></summary>
      <pre className="transcript-text">{text.slice(CLIP)}</pre>
    </details>
  );
}

const LABEL: Record<TranscriptEntry['kind'], string> = {
  user: 'User',
  assistant: 'Assistant',
  thinking: 'Thinking',
  tool_use: 'Tool call',
  tool_result: 'Tool result',
  summary: 'Summary',
  system: 'System',
  other: 'Other',
};

/** Tool calls, their results and thinking are collapsed; turns are open. */
const COLLAPSED = new Set<TranscriptEntry['kind']>(['tool_use', 'tool_result', 'thinking', 'system', 'other']);

function Entry({ entry }: { entry: TranscriptEntry }) {
  const head = (
    <>
      <span className="entry-kind">{LABEL[entry.kind]}{entry.toolName ? `: ${entry.toolName}` : ''}</span>
      {entry.isError && <span className="chip chip-failed">error</span>}
      {entry.sidechain && <span className="chip">subagent</span>}
      <span className="muted entry-meta">line {entry.line}{entry.timestamp ? ` · ${formatTime(entry.timestamp)}` : ''}</span>
    </>
  );
  const className = `entry entry-${entry.kind}${entry.isError ? ' entry-error' : ''}`;
  if (COLLAPSED.has(entry.kind)) {
    return (
      <details className={className} data-line={entry.line}>
        <summary>{head}</summary>
        <Text text={entry.text} />
      </details>
    );
  }
  return (
    <div className={className} data-line={entry.line}>
      <div className="entry-head">{head}</div>
      <Text text={entry.text} />
    </div>
  );
}

export function TranscriptView() {
  const entries = useApp((s) => s.detail.entries);
  const nextLine = useApp((s) => s.detail.nextLine);
  const loading = useApp((s) => s.detail.loadingTranscript);
  const malformed = useApp((s) => s.detail.malformedLines);
  const loadMore = useApp((s) => s.loadMoreTranscript);
  return (
    <div className="transcript" data-testid="transcript">
      {malformed > 0 && <p className="muted">{malformed} malformed line(s) skipped.</p>}
      {entries.map((e, i) => <Entry key={i} entry={e} />)}
      {loading && <p className="muted">Loading…</p>}
      {!loading && entries.length === 0 && <p className="muted">Nothing readable in this transcript.</p>}
      {nextLine !== null && !loading && (
        <button type="button" onClick={() => void loadMore()}>Load more (from line {nextLine})</button>
      )}
    </div>
  );
}
