// What a plugin is, before anything is copied or run: name, version, processors, content hash.
import { useApp } from '../StoreContext.js';
import { Dialog } from './Dialog.js';

export function TrustPrompt() {
  const preview = useApp((s) => s.plugins.preview);
  const busy = useApp((s) => s.plugins.busy);
  const confirm = useApp((s) => s.confirmInstall);
  const cancel = useApp((s) => s.cancelInstall);
  if (!preview) return null;
  const blocked = preview.problems.length > 0;
  return (
    <Dialog title="Install this plugin?" onClose={cancel} className="trust-prompt">
      <p>Plugins run code on this computer with your permissions. Install only plugins you trust; the approval is pinned to this exact content.</p>
      <dl className="facts">
        <dt>Name</dt>
        <dd data-testid="trust-name">{preview.name ?? '(no name)'}</dd>
        <dt>Version</dt>
        <dd data-testid="trust-version">{preview.version ?? '(no version)'}</dd>
        <dt>Processors</dt>
        <dd data-testid="trust-processors">{preview.processors.length > 0 ? preview.processors.join(', ') : '(not declared: not loaded until approved)'}</dd>
        <dt>Content hash</dt>
        <dd>
          <code data-testid="trust-hash" className="hash">
            {preview.contentHash ?? '–'}
          </code>
        </dd>
        <dt>From</dt>
        <dd>
          <code>{preview.path}</code>
        </dd>
      </dl>
      {blocked && (
        <ul className="error-text" role="alert">
          {preview.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="row end">
        <button type="button" onClick={cancel}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={busy || blocked} onClick={() => void confirm()}>
          Trust and install
        </button>
      </div>
    </Dialog>
  );
}
