import { useEffect } from 'react';
import type { Notice } from '../store/appSlice.js';
import { useApp } from '../StoreContext.js';

/** Information fades after this long (ms); errors stay until dismissed. */
const INFO_MS = 8000;

function NoticeLine({ notice }: { notice: Notice }) {
  const dismiss = useApp((s) => s.dismissNotice);
  useEffect(() => {
    if (notice.kind !== 'info') return;
    const t = setTimeout(() => dismiss(notice.id), INFO_MS);
    return () => clearTimeout(t);
  }, [notice, dismiss]);
  return (
    <div className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : undefined}>
      <span className="notice-text">{notice.text}</span>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
        ×
      </button>
    </div>
  );
}

export function Notices() {
  const notices = useApp((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <NoticeLine key={n.id} notice={n} />
      ))}
    </div>
  );
}
