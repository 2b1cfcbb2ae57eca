// The contract's plugins domain: plugin folders, their approval, and the trust prompt's preview.
// Types and constants only, JSON-safe; re-exported by ../contract.ts, the one module the renderer imports.

export type Approval = 'trusted' | 'approved' | 'unapproved' | 'changed';

export interface PluginInfo {
  folder: string;
  origin: 'builtin' | 'cli' | 'user';
  name: string | null;
  version: string | null;
  contentHash: string | null;
  approval: Approval;
  enabled: boolean;
  loaded: boolean;
  processors: string[];
  errors: string[];
}

/** What the trust prompt shows before anything is copied or run. */
export interface InstallPreview {
  path: string;
  name: string | null;
  version: string | null;
  /** As declared in package.json (code is not loaded before approval). */
  processors: string[];
  contentHash: string | null;
  problems: string[];
}
