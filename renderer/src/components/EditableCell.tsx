// One editable value of the state table: Enter (or the button) edits, Enter saves, Escape cancels.
// A refused value (by the UI's check or by main) stays in the field with the reason; nothing is written.
import { useState, type KeyboardEvent } from 'react';

interface Props<T> {
  label: string;
  display: string;
  initial: string;
  /** What the value is edited from; captured when editing starts, so a refresh meanwhile cannot change it. */
  source: T;
  onSave(text: string, editedFrom: T): Promise<string | null>;
}

export function EditableCell<T>({ label, display, initial, source, onSave }: Props<T>) {
  const [editing, setEditing] = useState(false);
  const [editedFrom, setEditedFrom] = useState<T>(source);
  const [text, setText] = useState(initial);
  const [reason, setReason] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    setBusy(true);
    const refused = await onSave(text, editedFrom);
    setBusy(false);
    setReason(refused);
    if (!refused) setEditing(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setEditing(false);
      setReason(null);
    }
  }

  if (!editing) {
    return (
      <button
        type="button"
        className="cell-button"
        aria-label={`Edit ${label}`}
        onClick={() => {
          setText(initial);
          setEditedFrom(source);
          setReason(null);
          setEditing(true);
        }}
      >
        {display}
      </button>
    );
  }
  return (
    <span className="cell-editor">
      <input
        aria-label={label}
        value={text}
        autoFocus
        disabled={busy}
        aria-invalid={reason ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        spellCheck={false}
      />
      <button type="button" disabled={busy} onClick={() => void save()}>
        Save
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setEditing(false);
          setReason(null);
        }}
      >
        Cancel
      </button>
      {reason && (
        <span className="error-text cell-reason" role="alert">
          {reason}
        </span>
      )}
    </span>
  );
}
