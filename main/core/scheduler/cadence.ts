import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, errnoCode, errorMessage } from '../errors.js';

export type CadenceSource = 'env' | 'settings' | 'processor';

export interface Cadence {
  minutes: number;
  source: CadenceSource;
}

/** `SESSION_INSPECTOR_CADENCE_<NAME>`: the processor name upper-cased, every other character as `_` (bash-commands -> BASH_COMMANDS). */
export function cadenceEnvName(processor: string): string {
  return `SESSION_INSPECTOR_CADENCE_${processor.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * How often a processor runs, in minutes. The environment wins (it is what an operator sets for one
 * process), then the user's settings, then what the processor declares (default 10).
 */
export function resolveCadence(processor: { name: string; cadenceMinutes: number }, settings: CadenceSettings, env: NodeJS.ProcessEnv = process.env): Cadence {
  const variable = cadenceEnvName(processor.name);
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') {
    const minutes = Number(fromEnv);
    if (!isValidCadence(minutes)) throw new UsageError(`${variable}=${fromEnv}: must be a number of minutes greater than 0 (fractions allowed)`);
    return { minutes, source: 'env' };
  }
  const fromSettings = settings.get(processor.name);
  if (fromSettings !== undefined) return { minutes: fromSettings, source: 'settings' };
  return { minutes: processor.cadenceMinutes, source: 'processor' };
}

function isValidCadence(minutes: number): boolean {
  return Number.isFinite(minutes) && minutes > 0;
}

interface SettingsFile {
  version: 1;
  /** Minutes, by processor name. */
  cadenceMinutes: Record<string, number>;
}

/**
 * The user's per-processor cadence overrides, in a JSON file in the per-user data folder (beside the
 * plugin settings), shared by the CLI and the app. Written atomically (temp file + rename).
 */
export class CadenceSettings {
  private data: SettingsFile;

  constructor(readonly file: string) {
    this.data = CadenceSettings.read(file);
  }

  private static read(file: string): SettingsFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { version: 1, cadenceMinutes: {} };
      throw new UsageError(`cannot read schedule settings ${file}: ${errorMessage(error)}`);
    }
    try {
      const parsed = JSON.parse(text) as SettingsFile;
      if (parsed?.version !== 1 || typeof parsed.cadenceMinutes !== 'object' || parsed.cadenceMinutes === null) throw new Error('unexpected layout');
      for (const [name, minutes] of Object.entries(parsed.cadenceMinutes)) {
        if (typeof minutes !== 'number' || !isValidCadence(minutes)) throw new Error(`cadence of "${name}" is not a number of minutes greater than 0`);
      }
      return parsed;
    } catch (error) {
      throw new UsageError(
        `schedule settings ${file} are damaged (${errorMessage(error)}): fix or delete the file (cadences then fall back to the processors' own)`,
      );
    }
  }

  get(processor: string): number | undefined {
    return this.data.cadenceMinutes[processor];
  }

  /** Sets (or, with null, clears) a processor's cadence override. */
  set(processor: string, minutes: number | null): void {
    if (minutes !== null && !isValidCadence(minutes)) throw new UsageError(`cadence of "${processor}": ${minutes} is not a number of minutes greater than 0`);
    const cadenceMinutes = { ...this.data.cadenceMinutes };
    if (minutes === null) delete cadenceMinutes[processor];
    else cadenceMinutes[processor] = minutes;
    this.data = { version: 1, cadenceMinutes };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.data, null, 2)}\n`);
    renameSync(temp, this.file);
  }
}
