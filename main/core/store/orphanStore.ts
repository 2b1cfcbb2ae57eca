import { UsageError } from '../errors.js';
import type { Connection, Database } from './database.js';
import type { JsonRow } from './jsonRows.js';
import type { SessionEntry } from '../sessionFile.js';
import { forgetStagedScan, SCANNED, stageScan } from './scanStage.js';

/** Every session the database holds anything for: a state row, a failure row or items (items outlive a `state reset`). */
const KNOWN_SESSIONS = `(SELECT session_file FROM session_processor_state
  UNION SELECT session_file FROM session_processor_failures
  UNION SELECT session_file FROM processor_items)`;

/** What one comparison of the database with the disk changed. */
export interface OrphanChanges {
  /** Sessions whose file is gone: newly marked orphaned. */
  orphaned: string[];
  /** Orphaned sessions whose file is back: no longer orphaned (the next run checks their content as usual). */
  restored: string[];
}

/**
 * Sessions whose file was deleted. Their state, failures and items are kept (a deleted transcript is often
 * the only record of what it held) and marked orphaned, until the user removes them: never silently dropped.
 */
export class OrphanStore {
  constructor(private readonly db: Database) {}

  /**
   * Compares the sessions found on disk with those the database knows. `markMissing` is false when the scan
   * could not read every folder: a session in an unreadable folder is not gone, so only restorations count.
   */
  async sync(present: SessionEntry[], markMissing: boolean, now: Date): Promise<OrphanChanges> {
    try {
      return await this.db.transaction((db) => this.compare(db, present, markMissing, now));
    } catch (error) {
      forgetStagedScan(this.db);
      throw error;
    }
  }

  private async compare(db: Connection, present: SessionEntry[], markMissing: boolean, now: Date): Promise<OrphanChanges> {
    await stageScan(this.db, db, present);
    const restored = await db.all(`DELETE FROM orphaned_sessions WHERE session_file IN (SELECT session_file FROM ${SCANNED}) RETURNING session_file`);
    const orphaned = markMissing
      ? await db.all(
          `INSERT INTO orphaned_sessions (session_file, orphaned_at)
           SELECT session_file, $1::TIMESTAMP FROM ${KNOWN_SESSIONS} known
           WHERE session_file NOT IN (SELECT session_file FROM ${SCANNED})
             AND session_file NOT IN (SELECT session_file FROM orphaned_sessions)
           RETURNING session_file`,
          [now.toISOString()],
        )
      : [];
    return { orphaned: sortedKeys(orphaned), restored: sortedKeys(restored) };
  }

  /** One row per orphaned session: when it was found gone, which processors hold something for it, how many items. */
  list(): Promise<JsonRow[]> {
    return this.db.all(`
      SELECT o.session_file, o.orphaned_at,
        (SELECT array_agg(DISTINCT processor_name ORDER BY processor_name) FROM (
            SELECT processor_name FROM session_processor_state s WHERE s.session_file = o.session_file
            UNION ALL SELECT processor_name FROM session_processor_failures f WHERE f.session_file = o.session_file
            UNION ALL SELECT processor_name FROM processor_items i WHERE i.session_file = o.session_file) AS holders) AS processors,
        (SELECT count(*) FROM session_processor_state s WHERE s.session_file = o.session_file) AS state_rows,
        (SELECT count(*) FROM processor_items i WHERE i.session_file = o.session_file) AS items
      FROM orphaned_sessions o ORDER BY o.session_file`);
  }

  /**
   * Deletes the state, failures and items of orphaned sessions, in one transaction, with one audit row per
   * (processor, session) holding what was removed. A key that is not orphaned is refused before anything
   * is written: `state reset` is the command for sessions whose file exists.
   */
  async remove(sessions: string[] | 'all'): Promise<{ sessions: number; stateRows: number; items: number }> {
    return this.db.transaction(async (db) => {
      await db.run('CREATE TEMP TABLE IF NOT EXISTS removed_orphans (session_file VARCHAR)');
      await db.run('DELETE FROM removed_orphans');
      if (sessions === 'all') {
        await db.run('INSERT INTO removed_orphans SELECT session_file FROM orphaned_sessions');
      } else {
        const keys = [...new Set(sessions)];
        const found = new Set(
          (await db.all('SELECT session_file FROM orphaned_sessions WHERE session_file = ANY($1::VARCHAR[])', [keys])).map((r) => String(r.session_file)),
        );
        const notOrphaned = keys.filter((key) => !found.has(key));
        if (notOrphaned.length > 0) {
          throw new UsageError(
            `--session ${notOrphaned.join(', ')}: not an orphaned session (see \`session-inspector orphans\`); to process a session again use \`state reset\``,
          );
        }
        await db.run('INSERT INTO removed_orphans SELECT unnest($1::VARCHAR[])', [keys]);
      }
      await db.run(
        `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
         SELECT now()::TIMESTAMP, 'remove-orphan', k.processor_name, k.session_file,
           ${this.db.jsonObjectFunction}('state', to_json(s), 'failure', to_json(f),
             'items', (SELECT count(*) FROM processor_items i WHERE i.processor_name = k.processor_name AND i.session_file = k.session_file)),
           NULL
         FROM (SELECT processor_name, session_file FROM session_processor_state
               UNION SELECT processor_name, session_file FROM session_processor_failures
               UNION SELECT processor_name, session_file FROM processor_items) k
         LEFT JOIN session_processor_state s USING (processor_name, session_file)
         LEFT JOIN session_processor_failures f USING (processor_name, session_file)
         WHERE k.session_file IN (SELECT session_file FROM removed_orphans)
         ORDER BY k.session_file, k.processor_name`,
      );
      const inRemoved = 'WHERE session_file IN (SELECT session_file FROM removed_orphans)';
      const stateRows = (await db.all(`DELETE FROM session_processor_state ${inRemoved} RETURNING 1`)).length;
      await db.run(`DELETE FROM session_processor_failures ${inRemoved}`);
      const items = (await db.all(`SELECT count(*) AS n FROM processor_items ${inRemoved}`))[0].n;
      await db.run(`DELETE FROM processor_items ${inRemoved}`);
      await db.run(`DELETE FROM session_hosts ${inRemoved}`);
      const removed = (await db.all(`DELETE FROM orphaned_sessions ${inRemoved} RETURNING 1`)).length;
      return { sessions: removed, stateRows, items: Number(items) };
    });
  }
}

function sortedKeys(rows: JsonRow[]): string[] {
  return rows.map((row) => String(row.session_file)).sort();
}
