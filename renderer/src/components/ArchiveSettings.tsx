import { useEffect, useState, type FormEvent } from 'react';
import { useApp } from '../StoreContext.js';

/** A size as people read one: kB below a megabyte (a few small sessions would read as "0.0 MB"). */
const megabytes = (bytes: number) => (bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/** Settings' archive section (docs/archive.md): where sessions are kept after Claude Code deletes them. */
export function ArchiveSettings() {
  const archive = useApp((s) => s.info?.archive);
  const status = useApp((s) => s.archiveStatus);
  const loadStatus = useApp((s) => s.loadArchiveStatus);
  const setArchive = useApp((s) => s.setArchive);
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void loadStatus();
  }, [loadStatus, archive?.folder]);
  if (!archive) return null;

  async function apply(choice: string | null) {
    setBusy(true);
    if (await setArchive(choice)) setFolder('');
    setBusy(false);
  }
  function onUseFolder(e: FormEvent) {
    e.preventDefault();
    void apply(folder.trim());
  }
  return (
    <section aria-labelledby="archive-title">
      <h3 id="archive-title">Archive</h3>
      <p className="muted">
        Claude Code deletes transcripts after 30 days. The archive keeps a compressed copy of every session, so a deleted one stays readable, searchable and
        processable.
      </p>
      {archive.problem && (
        <p className="warn-text" role="alert">
          {archive.problem}
        </p>
      )}
      <dl className="facts">
        <dt>Folder</dt>
        <dd>{archive.folder === null ? 'off: sessions are not archived' : <code>{archive.folder}</code>}</dd>
        {status && (
          <>
            <dt>Holds</dt>
            <dd>
              {status.sessions} sessions ({status.sourceGone} whose file is gone), {megabytes(status.rawBytes)} in {megabytes(status.packedBytes)}
              {status.oldest ? `, the oldest last changed ${status.oldest.slice(0, 10)}` : ''}
              {status.unpackedSettledBytes > 0
                ? `; ${megabytes(status.unpackedSettledBytes)} of settled sessions not packed yet ` +
                  `(packed between runs from ${megabytes(status.packsFromBytes)} on)`
                : ''}
            </dd>
          </>
        )}
      </dl>
      <form className="row" onSubmit={onUseFolder}>
        <label htmlFor="archive-folder">Archive folder</label>
        <input
          id="archive-folder"
          type="text"
          className="grow"
          placeholder={archive.folder ?? '/path/to/archive'}
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" disabled={busy || folder.trim() === ''}>
          Use
        </button>
        {archive.folder !== null && (
          <button type="button" disabled={busy} onClick={() => void apply(null)}>
            Turn off
          </button>
        )}
      </form>
    </section>
  );
}
