// Untrusted text with a search's match marked: the text is split into React text nodes and <mark>s, never
// turned into HTML. The match is looked for as the search found it and, for a tool call shown as JSON, as
// JSON writes it (quotes and newlines escaped); case is ignored, as a plain search ignores it.
import type { ReactNode } from 'react';

/** [start, end) of each occurrence of one of `forms` in `text`, case ignored, left to right, not overlapping. */
export function matchSpans(text: string, match: string): [number, number][] {
  const forms = [...new Set([match, JSON.stringify(match).slice(1, -1)])].filter((f) => f !== '').map((f) => f.toLowerCase());
  const folded = text.toLowerCase();
  // Lowercasing changed the length (rare letters): offsets would drift, so nothing is marked rather than the wrong text.
  if (folded.length !== text.length || forms.length === 0) return [];
  const spans: [number, number][] = [];
  let from = 0;
  for (;;) {
    let best: [number, number] | null = null;
    for (const form of forms) {
      const at = folded.indexOf(form, from);
      if (at !== -1 && (best === null || at < best[0])) best = [at, at + form.length];
    }
    if (best === null || spans.length >= 1000) return spans;
    spans.push(best);
    from = best[1];
  }
}

export function MatchText({ text, match }: { text: string; match: string }) {
  const spans = matchSpans(text, match);
  if (spans.length === 0) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(
      <mark key={start} className="search-match" data-testid="search-match">
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
