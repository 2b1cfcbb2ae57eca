// A readable transcript. Its text is untrusted (anything a model or a tool printed): it is rendered only
// as React text children, never as HTML, and nothing in it is turned into a link. Opened at a line (a
// finding's), that line's entries are highlighted, opened and scrolled to once they are read. Secrets the
// secrets processor found arrive masked from main and are revealed one at a time, on a click (SecretText).
import { useEffect, useRef } from 'react';
import type { TranscriptEntry, TranscriptSecret } from '../../../main/api/contract.js';
import { MatchText } from './MatchText.js';
import { SecretText } from './SecretText.js';
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

/** Characters of one entry shown before "show all" (a tool result can be megabytes). */
const CLIP = 4000;

function Text({ text, secrets, match }: { text: string; secrets?: TranscriptSecret[]; match?: string | null }) {
  // A search hit's match is marked unless the entry shows masked secrets (their marks come first).
  if (match && !secrets?.length && text.length <= CLIP)
    return (
      <pre className="transcript-text">
        <MatchText text={text} match={match} />
      </pre>
    );
  if (text.length <= CLIP)
    return (
      <pre className="transcript-text">
        <SecretText text={text} secrets={secrets} />
      </pre>
    );
  // Cut where no masked secret is split.
  const cut = secrets?.find((s) => s.start < CLIP && s.end > CLIP)?.end ?? CLIP;
  return (
    <details className="clipped">
      <summary>
        <pre className="transcript-text">
          <SecretText text={text} secrets={secrets} to={cut} />
        </pre>
        <span className="muted">… {text.length - cut} more characters (show all)</span>
      </summary>
      <pre className="transcript-text">
        <SecretText text={text} secrets={secrets} from={cut} />
      </pre>
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

function Entry({ entry, highlighted, match }: { entry: TranscriptEntry; highlighted: boolean; match: string | null }) {
  const head = (
    <>
      <span className="entry-kind">
        {LABEL[entry.kind]}
        {entry.toolName ? `: ${entry.toolName}` : ''}
      </span>
      {highlighted && <span className="chip chip-finding">{match ? 'the search hit' : "the finding's line"}</span>}
      {entry.isError && <span className="chip chip-failed">error</span>}
      {entry.sidechain && <span className="chip">subagent</span>}
      <span className="muted entry-meta">
        line {entry.line}
        {entry.timestamp ? ` · ${formatTime(entry.timestamp)}` : ''}
      </span>
    </>
  );
  const className = `entry entry-${entry.kind}${entry.isError ? ' entry-error' : ''}${highlighted ? ' entry-highlight' : ''}`;
  // Highlighted entries take the focus once scrolled to (tabIndex -1: reachable by script, not by Tab).
  const mark = highlighted ? { 'data-highlight': true, tabIndex: -1 } : {};
  if (COLLAPSED.has(entry.kind)) {
    // A highlighted tool result or call is opened: it is what the finding is about.
    return (
      <details className={className} data-line={entry.line} open={highlighted || undefined} {...mark}>
        <summary>{head}</summary>
        <Text text={entry.text} secrets={entry.secrets} match={highlighted ? match : null} />
      </details>
    );
  }
  return (
    <div className={className} data-line={entry.line} {...mark}>
      <div className="entry-head">{head}</div>
      <Text text={entry.text} secrets={entry.secrets} match={highlighted ? match : null} />
    </div>
  );
}

export function TranscriptView() {
  const entries = useApp((s) => s.detail.entries);
  const nextLine = useApp((s) => s.detail.nextLine);
  const loading = useApp((s) => s.detail.loadingTranscript);
  const malformed = useApp((s) => s.detail.malformedLines);
  const sourceDeleted = useApp((s) => s.detail.sourceDeleted);
  const highlightLine = useApp((s) => s.detail.highlightLine);
  const highlightText = useApp((s) => s.detail.highlightText);
  const firstLine = useApp((s) => s.detail.firstLine);
  const loadMore = useApp((s) => s.loadMoreTranscript);
  const readFromStart = useApp((s) => s.readTranscriptFromStart);
  // The session's detail sits above the transcript: scrolling before it arrives would let it push the
  // highlighted record back out of view (a scroller at the top does not keep its place when content grows).
  const detailShown = useApp((s) => s.detail.data !== null || s.detail.error !== null);
  const ref = useRef<HTMLDivElement>(null);
  // Scrolled to once per read (a new read starts at another first line): "Load more" appending pages
  // must not pull the view back up.
  const scrolledFor = useRef<string | null>(null);

  useEffect(() => {
    if (entries.length === 0 || highlightLine === null) {
      scrolledFor.current = null;
      return;
    }
    if (!detailShown) return;
    const read = `${firstLine}:${highlightLine}`;
    if (scrolledFor.current === read) return;
    const target = ref.current?.querySelector<HTMLElement>('[data-highlight]');
    if (!target) return;
    scrolledFor.current = read;
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }, [entries, highlightLine, firstLine, detailShown]);

  const highlightRead = highlightLine !== null && !loading && entries.length > 0 && (nextLine === null || nextLine > highlightLine);
  const highlightMissing = highlightRead && !entries.some((e) => e.line === highlightLine);
  return (
    <div className="transcript" data-testid="transcript" ref={ref}>
      {firstLine > 1 && (
        <p className="muted">
          Read from line {firstLine}, a few lines before the finding.{' '}
          <button type="button" className="link-button" onClick={() => void readFromStart()} disabled={loading}>
            Read from line 1
          </button>
        </p>
      )}
      {sourceDeleted && (
        <p className="warn-text" role="status">
          Source deleted: the session file is gone, and this is its copy from the archive.
        </p>
      )}
      {malformed > 0 && <p className="muted">{malformed} malformed line(s) skipped.</p>}
      {highlightMissing && (
        <p className="warn-text" role="status">
          Line {highlightLine} has nothing readable now: the file may have changed since it was processed.
        </p>
      )}
      {entries.map((e, i) => (
        <Entry key={i} entry={e} highlighted={e.line === highlightLine} match={highlightText} />
      ))}
      {loading && <p className="muted">Loading…</p>}
      {!loading && entries.length === 0 && <p className="muted">Nothing readable in this transcript.</p>}
      {nextLine !== null && !loading && (
        <button type="button" onClick={() => void loadMore()}>
          Load more (from line {nextLine})
        </button>
      )}
    </div>
  );
}
