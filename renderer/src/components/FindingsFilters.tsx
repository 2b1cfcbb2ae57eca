// The Findings page's filters: kind or category (with counts), project, processor, dates, status, and
// whether false positives are listed at all (main leaves them out unless asked). A chip that is off keeps
// full opacity (the sessions filter's dimmed chips fall under 4.5:1 with coloured text): the outline and
// aria-pressed say which are on.
import { FINDING_STATUSES, type FindingStatus } from '../../../main/api/contract.js';
import { formatCount } from '../lib/format.js';
import { CATEGORY_LABEL, STATUS_LABEL } from '../lib/findingLabels.js';
import { FINDING_CATEGORIES } from '../lib/findingsFilter.js';
import { useApp } from '../StoreContext.js';

function KindChip({ value, label, count }: { value: string | null; label: string; count: number }) {
  const kind = useApp((s) => s.findings.filter.kind);
  const setFilter = useApp((s) => s.setFindingsFilter);
  const on = kind === value;
  return (
    <button type="button" className={`chip${on ? ' chip-on' : ''}`} aria-pressed={on} onClick={() => setFilter({ kind: value })} data-kind={value ?? 'all'}>
      {label} <span className="chip-count">{formatCount(count)}</span>
    </button>
  );
}

function KindFilter() {
  const kind = useApp((s) => s.findings.filter.kind);
  const counts = useApp((s) => s.findings.counts);
  const choices = useApp((s) => s.findings.choices);
  const all = FINDING_CATEGORIES.reduce((n, c) => n + (counts.byCategory[c] ?? 0), 0);
  return (
    <div className="status-filter" role="group" aria-label="Kind">
      <KindChip value={null} label="All" count={all} />
      {/* A category none of the loaded findings is in has no chip: five empty groups would crowd the row. */}
      {FINDING_CATEGORIES.filter((c) => choices.kinds[c].length > 0 || kind === c).map((category) => (
        <span key={category} className="kind-group">
          <KindChip value={category} label={CATEGORY_LABEL[category]} count={counts.byCategory[category] ?? 0} />
          {choices.kinds[category].map((k) => (
            <KindChip key={k} value={k} label={k} count={counts.byKind[k] ?? 0} />
          ))}
        </span>
      ))}
    </div>
  );
}

/** Where and when: project, processor and the dates. */
function FindingPlaceFilters() {
  const filter = useApp((s) => s.findings.filter);
  const choices = useApp((s) => s.findings.choices);
  const setFilter = useApp((s) => s.setFindingsFilter);
  return (
    <>
      <select aria-label="Project" value={filter.project ?? ''} onChange={(e) => setFilter({ project: e.target.value || null })}>
        <option value="">All projects</option>
        {choices.projects.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <select aria-label="Processor" value={filter.processor ?? ''} onChange={(e) => setFilter({ processor: e.target.value || null })}>
        <option value="">All processors</option>
        {choices.processors.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <label className="date-filter">
        From{' '}
        <input
          type="date"
          aria-label="Occurred from"
          value={filter.since ?? ''}
          max={filter.until ?? undefined}
          onChange={(e) => setFilter({ since: e.target.value || null })}
        />
      </label>
      <label className="date-filter">
        to{' '}
        <input
          type="date"
          aria-label="Occurred until"
          value={filter.until ?? ''}
          min={filter.since ?? undefined}
          onChange={(e) => setFilter({ until: e.target.value || null })}
        />
      </label>
    </>
  );
}

function FindingStatusFilter() {
  const selected = useApp((s) => s.findings.filter.statuses);
  const counts = useApp((s) => s.findings.counts);
  const showFalsePositives = useApp((s) => s.findings.showFalsePositives);
  const setFilter = useApp((s) => s.setFindingsFilter);
  const statuses = FINDING_STATUSES.filter((s) => showFalsePositives || s !== 'false-positive');
  function toggleStatus(status: FindingStatus) {
    setFilter({ statuses: selected.includes(status) ? selected.filter((s) => s !== status) : [...selected, status] });
  }
  return (
    <div className="status-filter" role="group" aria-label="Status">
      {statuses.map((status) => (
        <button
          key={status}
          type="button"
          className={`chip finding-status-${status}${selected.includes(status) ? ' chip-on' : ''}`}
          aria-pressed={selected.includes(status)}
          onClick={() => toggleStatus(status)}
        >
          {STATUS_LABEL[status]} <span className="chip-count">{formatCount(counts.byStatus[status] ?? 0)}</span>
        </button>
      ))}
    </div>
  );
}

export function FindingsFilters() {
  const counts = useApp((s) => s.findings.counts);
  const shown = useApp((s) => s.findings.visible.length);
  const loaded = useApp((s) => s.findings.items !== null);
  const loading = useApp((s) => s.findings.loading);
  const showFalsePositives = useApp((s) => s.findings.showFalsePositives);
  const setShowFalsePositives = useApp((s) => s.setShowFalsePositives);
  const reload = useApp((s) => s.loadFindings);

  return (
    <div className="findings-filters" role="search" aria-label="Filter findings">
      <KindFilter />
      <div className="filters">
        <FindingPlaceFilters />
        <FindingStatusFilter />
        <label className="checkbox">
          <input type="checkbox" checked={showFalsePositives} onChange={(e) => void setShowFalsePositives(e.target.checked)} /> Show false positives
        </label>
        <span className="spacer" />
        <span className="muted" data-testid="findings-total" aria-live="polite">
          {loaded ? `${formatCount(shown)} ${shown === 1 ? 'finding' : 'findings'}` : '…'}
          {counts.undatedOutside > 0 ? ` (${formatCount(counts.undatedOutside)} without a time left out by the dates)` : ''}
        </span>
        <button type="button" onClick={() => void reload()} disabled={loading} title="Read the findings again">
          Refresh
        </button>
      </div>
    </div>
  );
}
