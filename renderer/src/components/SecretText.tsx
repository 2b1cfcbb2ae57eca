// Transcript text with the secrets main masked in it: each shows its masked preview, marked, and is read
// from its file only when the user asks (Reveal), kept in this component while shown and dropped on Hide.
import { useState, type MouseEvent } from 'react';
import type { TranscriptSecret } from '../../../main/api/contract.js';
import { useApp } from '../StoreContext.js';

function SecretMark({ secret, masked }: { secret: TranscriptSecret; masked: string }) {
  const reveal = useApp((s) => s.revealSecret);
  const current = useApp((s) => s.detail.highlightFinding === secret.findingId);
  const [value, setValue] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function toggle(e: MouseEvent) {
    // Inside a clipped entry's <summary>: the click is the button's, not a toggle of the entry.
    e.preventDefault();
    e.stopPropagation();
    if (value !== null) return setValue(null);
    setBusy(true);
    setValue(await reveal(secret.findingId));
    setBusy(false);
  }

  return (
    <mark className={`secret-span${current ? ' secret-span-finding' : ''}`} data-finding={secret.findingId} data-testid="secret-span">
      {value === null ? (
        <span className="secret-masked" title={`${secret.kind}, masked`}>
          {masked}
        </span>
      ) : (
        <span className="secret-value" data-testid="secret-value">
          {value}
        </span>
      )}
      <button
        type="button"
        className="link-button secret-toggle"
        onClick={(e) => void toggle(e)}
        disabled={busy}
        aria-label={`${value === null ? 'Reveal' : 'Hide'} the ${secret.kind}`}
      >
        {value === null ? 'Reveal' : 'Hide'}
      </button>
    </mark>
  );
}

/** `text` from `from` to `to` (its offsets), with the secrets inside that range as marks. */
export function SecretText({ text, secrets, from = 0, to = text.length }: { text: string; secrets?: TranscriptSecret[]; from?: number; to?: number }) {
  const inside = (secrets ?? []).filter((s) => s.start >= from && s.end <= to).sort((a, b) => a.start - b.start);
  if (inside.length === 0) return <>{text.slice(from, to)}</>;
  const parts = [];
  let at = from;
  for (const s of inside) {
    if (s.start > at) parts.push(text.slice(at, s.start));
    parts.push(<SecretMark key={s.start} secret={s} masked={text.slice(s.start, s.end)} />);
    at = s.end;
  }
  if (at < to) parts.push(text.slice(at, to));
  return <>{parts}</>;
}
