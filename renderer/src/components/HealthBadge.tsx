// The header's health badge: "healthy", or the number of problems; it opens a panel listing each problem
// (as `status --check` words it) with links to where the app fixes it.
import { useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import type { HealthReport } from '../../../main/api/contract.js';
import { healthFixes, healthLabel, type HealthFix } from '../store/healthSlice.js';
import { useApp } from '../StoreContext.js';

/** What gets the keyboard focus once a fix's view is on screen. */
const FIX_FOCUS: Record<HealthFix['kind'], string> = {
  'failed-sessions': 'session-list',
  runs: 'run-history-title',
  scheduler: 'scheduler-title',
};

/** Focuses an element of a view that is about to render (it is there by the next frame or two). */
function focusWhenShown(id: string, frames = 10): void {
  const element = document.getElementById(id);
  if (element) element.focus();
  else if (frames > 0) requestAnimationFrame(() => focusWhenShown(id, frames - 1));
}

/** On opening, focuses the panel's first button; while open, a click outside the badge closes it. */
function usePanelFocusAndOutsideClose(
  open: boolean,
  setOpen: (open: boolean) => void,
  wrapper: RefObject<HTMLDivElement | null>,
  panel: RefObject<HTMLDivElement | null>,
): void {
  useEffect(() => {
    if (!open) return;
    const first = panel.current?.querySelector<HTMLElement>('button');
    (first ?? panel.current)?.focus();
    // A click anywhere else closes it, as a menu would; focus stays where that click put it.
    const onPointer = (e: MouseEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open, setOpen, wrapper, panel]);
}

interface HealthPanelProps {
  panel: RefObject<HTMLDivElement | null>;
  report: HealthReport | null;
  error: string | null;
  onFix(fix: HealthFix): void;
}

/** Each problem with the links that fix it, or why there is none. */
function HealthPanel({ panel, report, error, onFix }: HealthPanelProps) {
  const problems = report?.problems ?? [];
  return (
    <div ref={panel} id="health-panel" className="health-panel" role="dialog" aria-label="Health" tabIndex={-1} data-testid="health-panel">
      {error && (
        <p className="error-text" role="alert">
          Cannot read the health report: {error}
        </p>
      )}
      {report && problems.length === 0 && <p>{healthyText(report.processors.length)}</p>}
      {problems.length > 0 && (
        <ul className="plain-list health-problems-list">
          {problems.map((problem, i) => (
            <li key={`${problem.kind}-${problem.processor ?? ''}-${i}`} className="health-problem" data-kind={problem.kind}>
              <p className="health-message">
                <strong>{problem.kind}</strong>: {problem.message}
              </p>
              <div className="row">
                {healthFixes(problem).map((fix) => (
                  <button key={fix.kind} type="button" className="link-button" onClick={() => onFix(fix)}>
                    {fix.label}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      <p className="muted health-note">
        The same rules as <code>session-inspector status --check</code>; read again after every run and each minute.
      </p>
    </div>
  );
}

export function HealthBadge() {
  const report = useApp((s) => s.health.report);
  const error = useApp((s) => s.health.error);
  const follow = useApp((s) => s.followHealthFix);
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const badge = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  usePanelFocusAndOutsideClose(open, setOpen, wrapper, panel);

  // Nothing to say until main has answered once (a badge that says "unknown" on every start, then flips, is noise).
  if (!report && !error) return null;

  function close() {
    setOpen(false);
    badge.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLElement>) {
    if (e.key !== 'Escape' || !open) return;
    // Escape closes the panel only: not the session drawer under it as well.
    e.stopPropagation();
    close();
  }

  // Tabbing out of the panel closes it (a click elsewhere is handled above: its blur has no relatedTarget).
  function onBlur(e: FocusEvent<HTMLElement>) {
    if (open && e.relatedTarget && !wrapper.current?.contains(e.relatedTarget as Node)) setOpen(false);
  }

  function onFix(fix: HealthFix) {
    setOpen(false);
    follow(fix);
    focusWhenShown(FIX_FOCUS[fix.kind]);
  }

  const label = report ? healthLabel(report) : 'health unknown';
  const tone = !report ? 'health-unknown' : report.problems.length === 0 ? 'health-ok' : 'health-problems';

  return (
    <div className="health" ref={wrapper} onKeyDown={onKeyDown} onBlur={onBlur}>
      <button
        ref={badge}
        type="button"
        className={`health-badge ${tone}`}
        aria-label={`Health: ${label}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? 'health-panel' : undefined}
        onClick={() => setOpen(!open)}
        data-testid="health-badge"
      >
        <span className="health-dot" aria-hidden="true" />
        {label}
      </button>
      {open && <HealthPanel panel={panel} report={report} error={error} onFix={onFix} />}
    </div>
  );
}

function healthyText(processors: number): string {
  if (processors === 0) return 'No processors are loaded: nothing to judge.';
  const which = processors === 1 ? 'The one loaded processor is' : `All ${processors.toLocaleString('en-US')} loaded processors are`;
  return `${which} healthy: none overdue, failing or stuck, no sessions quarantined.`;
}
