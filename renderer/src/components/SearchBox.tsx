// The search box in the header of every page: results as you type, grouped by session, newest first. Down
// from the box moves into the results, Up and Down move between hits, Enter or a click opens the hit's
// transcript at its line, Escape closes the results. Snippets are untrusted text, rendered as text nodes.
import { useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { SearchHit } from '../../../main/api/contract.js';
import { formatTime } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

const ROLE: Record<SearchHit['role'], string> = { user: 'prompt', assistant: 'reply', tool: 'tool' };

/** Hits in their order, grouped by session (hits arrive session by session). */
function bySession(hits: SearchHit[]): { sessionKey: string; hits: SearchHit[] }[] {
  const groups: { sessionKey: string; hits: SearchHit[] }[] = [];
  for (const hit of hits) {
    const last = groups.at(-1);
    if (last?.sessionKey === hit.sessionKey) last.hits.push(hit);
    else groups.push({ sessionKey: hit.sessionKey, hits: [hit] });
  }
  return groups;
}

function IndexNote() {
  const result = useApp((s) => s.search.result);
  if (!result?.index.updating) return null;
  const p = result.index.progress;
  return (
    <div className="muted search-note" role="status">
      The search index is catching up with the folder{p ? ` (${p.done} of ${p.total} sessions read)` : ''}: more hits may appear.
    </div>
  );
}

function SearchHitGroup({ group, onOpen }: { group: { sessionKey: string; hits: SearchHit[] }; onOpen(hit: SearchHit): void }) {
  return (
    <section className="search-group" aria-label={group.sessionKey}>
      <h3 className="search-session">{group.sessionKey}</h3>
      {group.hits.map((hit) => (
        <button type="button" key={`${hit.lineNo}-${hit.role}`} className="search-hit" data-line={hit.lineNo} onClick={() => onOpen(hit)}>
          <span className="muted search-where">
            line {hit.lineNo} · {ROLE[hit.role]}
            {hit.time ? ` · ${formatTime(hit.time)}` : ''}
          </span>
          <span className="search-snippet">
            {hit.before}
            <mark className="search-match">{hit.match}</mark>
            {hit.after}
          </span>
        </button>
      ))}
    </section>
  );
}

/** The results panel under the box; `close` hides it. */
function SearchResults({ panel, close }: { panel: RefObject<HTMLDivElement | null>; close(): void }) {
  const search = useApp((s) => s.search);
  const clearSearch = useApp((s) => s.clearSearch);
  const openHit = useApp((s) => s.openSearchHit);

  function onOpen(hit: SearchHit) {
    close();
    void openHit(hit);
  }

  return (
    <div className="search-results" ref={panel} role="region" aria-label="Search results">
      {search.error && (
        <div className="error-text" role="alert">
          {search.error}
        </div>
      )}
      {search.loading && !search.result && <div className="muted">Searching…</div>}
      <IndexNote />
      {search.result && search.result.hits.length === 0 && !search.error && <div className="muted">No hits.</div>}
      {search.result && bySession(search.result.hits).map((group) => <SearchHitGroup key={group.sessionKey} group={group} onOpen={onOpen} />)}
      {search.result?.more && <div className="muted">More hits: search for something more specific.</div>}
      <button type="button" className="link-button" onClick={() => (clearSearch(), close())}>
        Clear
      </button>
    </div>
  );
}

export function SearchBox() {
  const search = useApp((s) => s.search);
  const setSearch = useApp((s) => s.setSearch);
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const hits = () => [...(panel.current?.querySelectorAll<HTMLButtonElement>('button.search-hit') ?? [])];
  function onKey(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      setOpen(false);
      input.current?.focus();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const list = hits();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === 'ArrowDown' ? at + 1 : at - 1;
    if (next < 0) input.current?.focus();
    else list[Math.min(next, list.length - 1)]?.focus();
  }

  const shown = open && search.text.trim() !== '';
  return (
    <div className="search-box" onKeyDown={onKey}>
      <input
        ref={input}
        type="search"
        role="searchbox"
        aria-label="Search every session"
        placeholder="Search sessions…"
        value={search.text}
        onChange={(e) => {
          setSearch({ text: e.target.value });
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
      />
      <label className="search-regex" title="The text is an RE2 regular expression (case as written; (?i) for any case)">
        <input type="checkbox" checked={search.regex} onChange={(e) => setSearch({ regex: e.target.checked })} /> .*
      </label>
      {shown && <SearchResults panel={panel} close={() => setOpen(false)} />}
    </div>
  );
}
