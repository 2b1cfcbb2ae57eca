import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the app remembers between starts, in app-settings.json of the per-user data folder. */
export interface AppSettings {
  sessionRoot: string | null;
  recentRoots: string[];
  /** The store chosen in the app: a DuckDB file, or a postgres:// URL without its password. */
  stateStore: string | null;
  /** The archive folder; 'off' turns archiving off; absent or null: the default (paths.ts archiveFolder). */
  archive?: string | null;
}

/** Session folders offered as recent ones. */
const RECENT_ROOTS = 8;

/** The app's settings file: read once, written whole (through a temp file, so a crash leaves the old one) on each change. */
export class AppSettingsFile {
  private current: AppSettings;

  constructor(readonly path: string) {
    this.current = readAppSettings(path);
  }

  get settings(): Readonly<AppSettings> {
    return this.current;
  }

  /** The session folder in use, first among the recent ones. */
  rememberRoot(root: string): void {
    this.write({ sessionRoot: root, recentRoots: [root, ...this.current.recentRoots.filter((r) => r !== root)].slice(0, RECENT_ROOTS) });
  }

  /** The archive folder, or 'off'. */
  rememberArchive(choice: string): void {
    this.write({ archive: choice });
  }

  /** Never a password: the caller passes a URL without it (PGPASSWORD or a password file supply it next time). */
  rememberStore(target: string): void {
    this.write({ stateStore: target });
  }

  private write(changes: Partial<AppSettings>): void {
    this.current = { ...this.current, ...changes };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, `${JSON.stringify(this.current, null, 2)}\n`);
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/** The settings in the file; a missing or unreadable file, or a field of the wrong type, reads as nothing remembered. */
export function readAppSettings(file: string): AppSettings {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<AppSettings>;
    return {
      sessionRoot: typeof parsed.sessionRoot === 'string' ? parsed.sessionRoot : null,
      recentRoots: Array.isArray(parsed.recentRoots) ? parsed.recentRoots.filter((r) => typeof r === 'string') : [],
      stateStore: typeof parsed.stateStore === 'string' ? parsed.stateStore : null,
      archive: typeof parsed.archive === 'string' ? parsed.archive : null,
    };
  } catch {
    return { sessionRoot: null, recentRoots: [], stateStore: null };
  }
}
