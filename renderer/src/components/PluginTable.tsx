import type { PluginInfo } from '../../../main/api/contract.js';
import { useApp } from '../StoreContext.js';

const APPROVAL: Record<PluginInfo['approval'], string> = {
  trusted: 'trusted (built in or --plugins)',
  approved: 'approved',
  unapproved: 'not approved',
  changed: 'changed since approval',
};

export function PluginTable() {
  const plugins = useApp((s) => s.plugins.list);
  const setEnabled = useApp((s) => s.setPluginEnabled);
  const approve = useApp((s) => s.approvePlugin);
  const busy = useApp((s) => s.plugins.busy);
  if (plugins.length === 0) return <p className="muted">No plugin folders.</p>;
  return (
    <table className="table" aria-label="Plugin folders">
      <thead>
        <tr>
          <th>Plugin</th>
          <th>Version</th>
          <th>Origin</th>
          <th>Trust</th>
          <th>Processors</th>
          <th>State</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {plugins.map((p) => {
          const name = p.name ?? p.folder;
          const needsApproval = p.approval === 'unapproved' || p.approval === 'changed';
          return (
            <tr key={p.folder} data-plugin={name}>
              <td>
                <strong>{name}</strong>
                <div className="muted">
                  <code>{p.folder}</code>
                </div>
                <div className="muted hash">{p.contentHash?.slice(0, 16)}</div>
              </td>
              <td>{p.version ?? '–'}</td>
              <td>{p.origin}</td>
              <td className={needsApproval ? 'error-text' : ''}>{APPROVAL[p.approval]}</td>
              <td>{p.processors.length > 0 ? p.processors.join(', ') : needsApproval ? 'not loaded until approved' : '–'}</td>
              <td>
                {p.enabled ? (p.loaded ? 'enabled, loaded' : 'enabled, not loaded') : 'disabled'}
                {p.errors.length > 0 && (
                  <ul className="error-text plugin-errors">
                    {p.errors.map((e) => (
                      <li key={e}>{e}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="actions">
                {needsApproval && p.name && (
                  <button type="button" disabled={busy} onClick={() => void approve(p.name!)}>
                    Approve
                  </button>
                )}
                {p.name && (
                  <button type="button" disabled={busy} onClick={() => void setEnabled(p.name!, !p.enabled)}>
                    {p.enabled ? 'Disable' : 'Enable'}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
