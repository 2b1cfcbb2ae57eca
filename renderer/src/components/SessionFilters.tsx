import { useEffect, useState } from 'react';
import { PROCESSOR_STATUSES, type ProcessorStatus } from '../../../main/api/contract.js';
import { dayBefore, dayOf, startOfDay } from '../lib/days.js';
import { formatCount } from '../lib/format.js';
import { useApp } from '../StoreContext.js';

/** Typing in the text filter queries after this pause, in ms. */
const TEXT_DEBOUNCE_MS = 250;

/**
 * The text box's value: typed text reaches the filter after a pause, and a filter changed elsewhere (the health
 * badge's links clear the text) replaces what is typed here; otherwise the debounce would put the old text back.
 */
function useFilterText(filterText: string | undefined, setFilter: (patch: { text: string }) => void): [string, (text: string) => void] {
  const [text, setText] = useState(filterText ?? '');
  const [shownText, setShownText] = useState(filterText ?? '');
  if ((filterText ?? '') !== shownText) {
    setShownText(filterText ?? '');
    setText(filterText ?? '');
  }

  useEffect(() => {
    if ((filterText ?? '') === text) return;
    const t = setTimeout(() => setFilter({ text }), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, filterText, setFilter]);
  return [text, setText];
}

function ProjectFilter() {
  const filter = useApp((s) => s.sessions.filter);
  const projects = useApp((s) => s.sessions.projects);
  const setFilter = useApp((s) => s.setSessionFilter);
  return (
    <select aria-label="Project" value={filter.project ?? ''} onChange={(e) => setFilter({ project: e.target.value || undefined })}>
      <option value="">All projects</option>
      {projects.map((p) => (
        // Two projects with one folder name (~/a/app, ~/b/app) are told apart by their paths.
        <option key={p.path} value={p.path} title={p.path}>
          {projects.some((q) => q.name === p.name && q.path !== p.path) ? `${p.name} (${p.path})` : p.name} · {formatCount(p.sessions)}
        </option>
      ))}
    </select>
  );
}

function DateFilters() {
  const filter = useApp((s) => s.sessions.filter);
  const setFilter = useApp((s) => s.setSessionFilter);
  return (
    <>
      <label className="date-filter">
        From{' '}
        <input
          type="date"
          aria-label="Started from"
          value={dayOf(filter.startedFrom)}
          onChange={(e) => setFilter({ startedFrom: startOfDay(e.target.value) })}
        />
      </label>
      <label className="date-filter">
        to{' '}
        <input
          type="date"
          aria-label="Started until"
          value={dayBefore(filter.startedTo)}
          onChange={(e) => setFilter({ startedTo: startOfDay(e.target.value, 1) })}
        />
      </label>
    </>
  );
}

function HasFilter() {
  const has = useApp((s) => s.sessions.filter.has) ?? [];
  const setFilter = useApp((s) => s.setSessionFilter);
  return (
    <div className="has-filter" role="group" aria-label="Found">
      {(['secrets', 'errors'] as const).map((finding) => (
        <button
          key={finding}
          type="button"
          className={`chip ${has.includes(finding) ? 'chip-on' : 'chip-off'}`}
          aria-pressed={has.includes(finding)}
          onClick={() => setFilter({ has: has.includes(finding) ? has.filter((f) => f !== finding) : [...has, finding] })}
        >
          has {finding === 'errors' ? 'tool errors' : 'secrets'}
        </button>
      ))}
    </div>
  );
}

function ProcessorAndGroupFilters() {
  const filter = useApp((s) => s.sessions.filter);
  const groups = useApp((s) => s.sessions.groups);
  const processors = useApp((s) => s.runs.processors);
  const setFilter = useApp((s) => s.setSessionFilter);
  return (
    <>
      <select aria-label="Processor" value={filter.processor ?? ''} onChange={(e) => setFilter({ processor: e.target.value || undefined })}>
        <option value="">All processors</option>
        {processors.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <select aria-label="Group" value={filter.group ?? ''} onChange={(e) => setFilter({ group: e.target.value || undefined })}>
        <option value="">All groups</option>
        {groups.map((g) => (
          <option key={g} value={g}>
            {g}
          </option>
        ))}
      </select>
    </>
  );
}

function StatusFilter() {
  const filter = useApp((s) => s.sessions.filter);
  const counts = useApp((s) => s.sessions.counts);
  const setFilter = useApp((s) => s.setSessionFilter);
  const statuses = filter.status ?? [];
  function toggleStatus(status: ProcessorStatus) {
    setFilter({ status: statuses.includes(status) ? statuses.filter((s) => s !== status) : [...statuses, status] });
  }
  // Sessions per status for the chosen processor, or summed over processors (a session counts once per processor).
  const countOf = (status: ProcessorStatus) =>
    filter.processor ? (counts[filter.processor]?.[status] ?? 0) : Object.values(counts).reduce((n, c) => n + (c[status] ?? 0), 0);

  return (
    <div className="status-filter" role="group" aria-label="Status">
      {PROCESSOR_STATUSES.map((status) => (
        <button
          key={status}
          type="button"
          className={`chip chip-${status} ${statuses.includes(status) ? 'chip-on' : 'chip-off'}`}
          aria-pressed={statuses.includes(status)}
          onClick={() => toggleStatus(status)}
        >
          {status} <span className="chip-count">{formatCount(countOf(status))}</span>
        </button>
      ))}
    </div>
  );
}

export function SessionFilters() {
  const filterText = useApp((s) => s.sessions.filter.text);
  const total = useApp((s) => s.sessions.total);
  const setFilter = useApp((s) => s.setSessionFilter);
  const refresh = useApp((s) => s.refreshSessions);
  const [text, setText] = useFilterText(filterText, setFilter);

  return (
    <div className="filters" role="search">
      <input
        type="search"
        aria-label="Filter sessions by text"
        placeholder="Filter by title, project or path…"
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
      />
      <ProjectFilter />
      <DateFilters />
      <HasFilter />
      <ProcessorAndGroupFilters />
      <StatusFilter />
      <span className="spacer" />
      <span className="muted" data-testid="session-total">
        {total === null ? '…' : `${formatCount(total)} sessions`}
      </span>
      <button type="button" onClick={() => void refresh()} title="Read the list again">
        Refresh
      </button>
    </div>
  );
}
