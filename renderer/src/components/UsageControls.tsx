// The usage page's choices: period, time zone, project (and a week's first day), plus the CSV export.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { USAGE_WEEK_STARTS, type UsageWeekStart } from '../../../main/api/contract.js';
import { timeZoneChoices } from '../lib/timeZones.js';
import { USAGE_PERIODS, type UsagePeriod } from '../store/usageSlice.js';
import { useApp } from '../StoreContext.js';

const PERIOD_LABELS: Record<UsagePeriod, string> = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' };

/**
 * Any IANA name may be typed (Chromium suggests some zones only by their old names): a listed name applies
 * at once, a typed one on Enter or on leaving the field. A name main refuses keeps the last good zone.
 */
function TimeZoneField() {
  const timeZone = useApp((s) => s.usage.timeZone);
  const changeUsage = useApp((s) => s.changeUsage);
  const zones = useMemo(() => timeZoneChoices(), []);
  const known = useMemo(() => new Set(zones), [zones]);
  const [draft, setDraft] = useState(timeZone);
  // The name last asked for: Enter and then leaving the field ask once, not twice.
  const asked = useRef(timeZone);
  useEffect(() => {
    setDraft(timeZone);
    asked.current = timeZone;
  }, [timeZone]);

  const apply = (zone: string) => {
    const trimmed = zone.trim();
    if (!trimmed || trimmed === asked.current) return;
    asked.current = trimmed;
    void changeUsage({ timeZone: trimmed });
  };
  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') apply(draft);
    if (e.key === 'Escape') {
      setDraft(timeZone);
      asked.current = timeZone;
    }
  }

  return (
    <label>
      Time zone{' '}
      <input
        className="zone-input"
        list="usage-time-zones"
        aria-label="Time zone"
        value={draft}
        spellCheck={false}
        onChange={(e) => {
          setDraft(e.target.value);
          if (known.has(e.target.value)) apply(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => apply(draft)}
      />
      <datalist id="usage-time-zones">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </label>
  );
}

export function UsageControls({ onExport, canExport }: { onExport: () => void; canExport: boolean }) {
  const kind = useApp((s) => s.usage.kind);
  const project = useApp((s) => s.usage.project);
  const weekStart = useApp((s) => s.usage.weekStart);
  const projects = useApp((s) => s.usage.projects);
  const loading = useApp((s) => s.usage.loading);
  const changeUsage = useApp((s) => s.changeUsage);

  return (
    <div className="row usage-controls">
      <div className="segmented" role="group" aria-label="Period">
        {USAGE_PERIODS.map((p) => (
          <button key={p} type="button" aria-pressed={p === kind} className={p === kind ? 'active' : undefined} onClick={() => void changeUsage({ kind: p })}>
            {PERIOD_LABELS[p]}
          </button>
        ))}
      </div>
      {kind === 'weekly' && (
        <label>
          Weeks start on{' '}
          <select aria-label="First day of the week" value={weekStart} onChange={(e) => void changeUsage({ weekStart: e.target.value as UsageWeekStart })}>
            {USAGE_WEEK_STARTS.map((d) => (
              <option key={d} value={d}>
                {d[0].toUpperCase() + d.slice(1)}
              </option>
            ))}
          </select>
        </label>
      )}
      <TimeZoneField />
      <label>
        Project{' '}
        <select aria-label="Project" value={project ?? ''} onChange={(e) => void changeUsage({ project: e.target.value || null })}>
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.projectPath} value={p.projectPath} title={p.projectPath}>
              {p.project}
              {projects.some((q) => q !== p && q.project === p.project) ? ` (${p.projectPath})` : ''}
            </option>
          ))}
        </select>
      </label>
      {loading && <span className="muted">Loading…</span>}
      <span className="spacer" />
      <button type="button" disabled={!canExport} onClick={onExport}>
        Export CSV
      </button>
    </div>
  );
}
