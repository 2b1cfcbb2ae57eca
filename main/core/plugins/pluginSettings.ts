import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, errnoCode, errorMessage } from '../errors.js';

/** What the user decided about one plugin folder. */
export interface PluginDecision {
  /** Content hash the user approved; code from the user plugin folder runs only while it still matches. */
  approvedHash?: string;
  /** false: installed but switched off (its code is not loaded). */
  enabled?: boolean;
}

interface SettingsFile {
  version: 1;
  /** By absolute plugin folder path. */
  plugins: Record<string, PluginDecision>;
}

/**
 * Per-user plugin decisions (approvals pinned to a content hash, enabled or not), in a JSON file beside
 * the user plugin folder. Trust belongs to the user, not to a database: every database sees the same.
 * Written atomically (temp file + rename), so a crash never leaves half a file.
 */
export class PluginSettings {
  private data: SettingsFile;

  constructor(readonly file: string) {
    this.data = PluginSettings.read(file);
  }

  private static read(file: string): SettingsFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { version: 1, plugins: {} };
      throw new UsageError(`cannot read plugin settings ${file}: ${errorMessage(error)}`);
    }
    try {
      const parsed = JSON.parse(text) as SettingsFile;
      if (parsed?.version !== 1 || typeof parsed.plugins !== 'object' || parsed.plugins === null) throw new Error('unexpected layout');
      return parsed;
    } catch (error) {
      throw new UsageError(`plugin settings ${file} are damaged (${errorMessage(error)}): fix or delete the file; plugins will then need approval again`);
    }
  }

  get(folder: string): PluginDecision {
    return this.data.plugins[folder] ?? {};
  }

  isEnabled(folder: string): boolean {
    return this.get(folder).enabled !== false;
  }

  isApproved(folder: string, contentHash: string): boolean {
    return this.get(folder).approvedHash === contentHash;
  }

  update(folder: string, change: PluginDecision): void {
    this.data.plugins[folder] = { ...this.get(folder), ...change };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.data, null, 2)}\n`);
    renameSync(temp, this.file);
  }
}
