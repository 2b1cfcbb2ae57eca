import type { Engine } from '../core/engine.js';
import { UsageError } from '../core/errors.js';
import type { JsonRow } from '../core/store/jsonRows.js';

/**
 * Orphaned sessions, after bringing the marks up to date with a scan (stat only) when the session root
 * can be read; otherwise the marks as the last run or watch left them, with a note saying so.
 */
export async function listOrphans(engine: Engine): Promise<JsonRow[]> {
  try {
    await engine.scanSessions();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`note: ${error.message}; showing the orphans as last recorded\n`);
  }
  return engine.orphans.list();
}
