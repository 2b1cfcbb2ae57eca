import type { Database } from './database.js';
import { openDatabase } from './openDatabase.js';
import { migrate } from './migrations.js';
import { recordHost, REPLACE_STATE, STAGED_ITEM_COLUMNS, writeOutcomes, type LostOutcome, type OutcomeGroup } from './outcomeBatch.js';
import { SCANNED, stageScan } from './scanStage.js';
import { activeRunners, claimSessions, releaseClaims, renewClaims } from './claims.js';
import { lastRunTimes, recordRunFailure, recordRunFinish, recordRunStart } from './runHistory.js';
import { LEGACY_VERSION, staleSql } from '../dueRule.js';
import type { SessionEntry } from '../sessionFile.js';
import type { JsonRow, MarkProcessedEntry, ProcessorSnapshot, StateFilter } from './types.js';

/**
 * The state repository: processor state, failures, items, runs, the audit and (on a shared store) the
 * claims runners hold on sessions. The same SQL runs on the DuckDB file and on PostgreSQL (see Database).
 * All writes of one unit (a batch of session outcomes, one manual edit) are one transaction.
 */
export class StateStore {
  /**
   * `coordination`: on a shared store, a second connection for claims and the fresh look at claimed
   * sessions, so they never queue behind a batch commit (that idled every plugin process meanwhile).
   */
  private constructor(
    readonly db: Database,
    private readonly coordination: Database,
  ) {}

  /** `target`: a DuckDB file or a postgres:// URL. */
  static async open(target: string): Promise<StateStore> {
    const db = await openDatabase(target);
    let coordination: Database | undefined;
    try {
      await migrate(db);
      await db.afterMigrations();
      coordination = db.shared ? await openDatabase(target) : db;
    } catch (error) {
      await db.close();
      throw error;
    }
    return new StateStore(db, coordination);
  }

  async close(): Promise<void> {
    if (this.coordination !== this.db) await this.coordination.close();
    await this.db.close();
  }

  /**
   * Rule 1 as a query: the scanned sessions that may be due for a processor (in scan order), and the state
   * and failure rows the rule still needs for them: a stored result of this version (to hash first) or a
   * failure. An unchanged folder of 100,000 sessions brings back no rows at all, and a first run 100,000
   * positions in one list and no rows (row objects for all of them cost 0.7-1 s per processor). The caller
   * applies the exact rule (selectCandidates) to what comes back; this only has to never leave a candidate
   * out, so its mtime margin is a millisecond wider than the rule's.
   */
  async dueSnapshot(processor: string, version: string, sessions: SessionEntry[]): Promise<{ due: SessionEntry[]; snapshot: ProcessorSnapshot }> {
    const params = { processor, version };
    const from = `FROM ${SCANNED} s
      LEFT JOIN session_processor_state st ON st.processor_name = $processor AND st.session_file = s.session_file
      LEFT JOIN session_processor_failures f ON f.processor_name = $processor AND f.session_file = s.session_file
      WHERE (f.session_file IS NOT NULL OR ${staleSql('st', '$version', 's.mtime_ms', 1)})`;
    const { positions, rows } = await this.db.exclusive(async (c) => {
      await stageScan(this.db, c, sessions);
      const [{ due }] = await c.all(`SELECT array_agg(s.ordinal ORDER BY s.ordinal) AS due ${from}`, params);
      if (due === null) return { positions: [], rows: [] }; // nothing due (a no-op rerun): one query, not two
      const detail = await c.all(
        `SELECT s.session_file, ${STATE_AND_FAILURE} ${from}
           AND (f.session_file IS NOT NULL OR (st.session_file IS NOT NULL AND coalesce(st.processor_version, '${LEGACY_VERSION}') = $version))`,
        params,
      );
      return { positions: due as number[], rows: detail };
    });
    return { due: positions.map((i) => sessions[i]), snapshot: toSnapshot(rows) };
  }

  /**
   * Whether some processor has no state row of its version yet (a first run, a new version): then every
   * session is due for it, which a run can know before its scan ends.
   */
  async hasNeverRun(processors: { name: string; version: string }[]): Promise<boolean> {
    if (processors.length === 0) return false;
    const rows = await this.db.all(
      `SELECT 1 AS never FROM unnest($names::VARCHAR[]) WITH ORDINALITY AS n(name, i)
       JOIN unnest($versions::VARCHAR[]) WITH ORDINALITY AS v(version, j) ON i = j
       WHERE NOT EXISTS (SELECT 1 FROM session_processor_state s WHERE s.processor_name = n.name AND s.processor_version = v.version)
       LIMIT 1`,
      { names: processors.map((p) => p.name), versions: processors.map((p) => p.version) },
    );
    return rows.length > 0;
  }

  /** A fresh look at some sessions' state and failures for a processor (after claiming them). */
  async snapshot(processor: string, sessions: string[]): Promise<ProcessorSnapshot> {
    const rows = await this.coordination.all(
      `SELECT k AS session_file, ${STATE_AND_FAILURE}
       FROM unnest($sessions::VARCHAR[]) AS wanted(k)
       LEFT JOIN session_processor_state st ON st.processor_name = $processor AND st.session_file = k
       LEFT JOIN session_processor_failures f ON f.processor_name = $processor AND f.session_file = k`,
      { processor, sessions },
    );
    return toSnapshot(rows);
  }

  /**
   * Writes a batch of outcomes, of one or several processors, in one transaction. A success replaces the
   * state row, removes the failure row and replaces the session's items; a failure counts one more attempt
   * on the same content and version (or starts over at 1) and quarantines at maxAttempts. Old state and
   * items of a failed session stay: they describe the content last processed successfully.
   */
  async commitOutcomes(groups: OutcomeGroup[], maxAttempts: number, runnerId?: string): Promise<LostOutcome[]> {
    const nonEmpty = groups.filter((g) => g.outcomes.length > 0 || (runnerId !== undefined && (g.released?.length ?? 0) > 0));
    if (nonEmpty.length === 0) return [];
    const attempts = nonEmpty.flatMap((g) => g.outcomes.flatMap((o) => (o.kind === 'processed' && o.staged ? [o.staged.attempt] : [])));
    const lost = await this.db.transaction((db) => writeOutcomes(db, nonEmpty, maxAttempts, runnerId, attempts.length > 0));
    if (attempts.length > 0) {
      for (const attempt of attempts) this.liveAttempts.delete(attempt);
      await this.dropStagingWhenEmpty();
    }
    return lost;
  }

  /**
   * A new key for one (processor, session) attempt's staged items; unique while this store is open, and
   * the staging table lives and dies with the connection, so keys never meet rows of another process.
   */
  newStagingAttempt(): number {
    return this.nextAttempt++;
  }

  private nextAttempt = 1;
  /** Attempts with rows in staged_items, not yet moved by a commit nor discarded. */
  private readonly liveAttempts = new Set<number>();

  /**
   * Stages items of a session that is still running, so neither the plugin process nor the host holds
   * all of a big session's items: a TEMP table on the store's own connection (it vanishes with the
   * connection, so a crash leaves nothing behind). Nothing reaches processor_items until the attempt's
   * outcome is committed (commitOutcomes); `discardStagedItems` drops an attempt that did not succeed.
   */
  async stageItems(attempt: number, firstIndex: number, itemsJson: string[]): Promise<void> {
    if (itemsJson.length === 0) return;
    this.liveAttempts.add(attempt);
    await this.db.exclusive(async (c) => {
      await c.run('CREATE TEMP TABLE IF NOT EXISTS staged_items (attempt INTEGER, item_index INTEGER, item JSON)');
      await c.insertRows(
        'staged_items',
        STAGED_ITEM_COLUMNS,
        itemsJson.map((json, i) => [attempt, firstIndex + i, json]),
      );
    });
  }

  /** The attempt failed, was cancelled or lost its process: its staged items never count. */
  async discardStagedItems(attempt: number): Promise<void> {
    if (!this.liveAttempts.delete(attempt)) return;
    await this.db.run('DELETE FROM staged_items WHERE attempt = $1', [attempt]);
    await this.dropStagingWhenEmpty();
  }

  /**
   * DuckDB keeps the memory of deleted rows of a temp table until the table is dropped: with nothing
   * staged, the table goes (it is created again by the next stageItems).
   */
  private async dropStagingWhenEmpty(): Promise<void> {
    if (this.liveAttempts.size === 0) await this.db.run('DROP TABLE IF EXISTS staged_items');
  }

  /**
   * Claims (processor, session) pairs for a runner on a shared store (claims.ts): the pairs granted, whose
   * state the caller must look at again. On the coordination connection, never behind a batch commit.
   */
  claim(runnerId: string, leaseMs: number, processor: string, sessions: string[]): Promise<string[]> {
    return claimSessions(this.coordination, runnerId, leaseMs, processor, sessions);
  }

  /** Extends every lease the runner holds; returns how many it still holds. */
  renewClaims(runnerId: string, leaseMs: number): Promise<number> {
    return renewClaims(this.coordination, runnerId, leaseMs);
  }

  /** Shared store: the runners holding live leases now, with how many sessions and until when. */
  activeRunners(): Promise<JsonRow[]> {
    return activeRunners(this.coordination);
  }

  /** Drops every claim of the runner (its run ended, or failed). */
  releaseClaims(runnerId: string): Promise<void> {
    return releaseClaims(this.coordination, runnerId);
  }

  /** Records a run's start; the row stays with finished_at NULL if the process dies (an interrupted run). */
  startRun(runId: string, processor: string, trigger: string, startedAt: Date): Promise<void> {
    return recordRunStart(this.db, runId, processor, trigger, startedAt);
  }

  /** Records a run that failed as a whole; a run that had already finished keeps its real stats. */
  failRun(runId: string, finishedAt: Date, stats: unknown): Promise<void> {
    return recordRunFailure(this.db, runId, finishedAt, stats);
  }

  /** Per processor, the start of its latest run (ms since the epoch): the scheduler's clock starts there. */
  lastRunTimes(): Promise<Map<string, number>> {
    return lastRunTimes(this.db);
  }

  finishRun(runId: string, finishedAt: Date, stats: unknown): Promise<void> {
    return recordRunFinish(this.db, runId, finishedAt, stats);
  }

  listState(filter: StateFilter = {}): Promise<JsonRow[]> {
    const { where, params } = filterClause(filter);
    return this.db.all(
      `SELECT processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version, o.orphaned_at
       FROM session_processor_state LEFT JOIN orphaned_sessions o USING (session_file) ${where} ORDER BY processor_name, session_file`,
      params,
    );
  }

  listFailures(filter: StateFilter = {}): Promise<JsonRow[]> {
    const { where, params } = filterClause(filter);
    return this.db.all(
      `SELECT processor_name, session_file, username, attempts, quarantined, first_failed_at, last_failed_at, last_error, file_hash, processor_version
       FROM session_processor_failures ${where} ORDER BY processor_name, session_file`,
      params,
    );
  }

  /** Per processor: processed, failed, quarantined counts, items and the last run. */
  summary(): Promise<JsonRow[]> {
    return this.db.all(`
      WITH names AS (
        SELECT processor_name FROM session_processor_state UNION SELECT processor_name FROM session_processor_failures
        UNION SELECT processor_name FROM processor_runs),
      st AS (SELECT processor_name, count(*) AS processed, sum(items_extracted) AS items FROM session_processor_state GROUP BY processor_name),
      fa AS (SELECT processor_name, count(*) FILTER (WHERE NOT quarantined) AS failed, count(*) FILTER (WHERE quarantined) AS quarantined
             FROM session_processor_failures GROUP BY processor_name),
      ru AS (SELECT DISTINCT ON (processor_name) processor_name, started_at AS last_run_at, stats AS last_run_stats
             FROM processor_runs ORDER BY processor_name, started_at DESC)
      SELECT n.processor_name, coalesce(st.processed, 0) AS processed, coalesce(st.items, 0) AS items_extracted,
             coalesce(fa.failed, 0) AS failed, coalesce(fa.quarantined, 0) AS quarantined, ru.last_run_at, ru.last_run_stats
      FROM names n LEFT JOIN st USING (processor_name) LEFT JOIN fa USING (processor_name) LEFT JOIN ru USING (processor_name)
      ORDER BY n.processor_name`);
  }

  /** Processors the store has state, failures or runs of (loaded now or not). */
  async knownProcessors(): Promise<string[]> {
    const rows = await this.db.all(`SELECT processor_name FROM session_processor_state UNION SELECT processor_name FROM session_processor_failures
      UNION SELECT processor_name FROM processor_runs ORDER BY 1`);
    return rows.map((r) => String(r.processor_name));
  }

  /** Of `keys`, those the processor has no state row for. */
  async keysWithoutState(processor: string, keys: string[]): Promise<string[]> {
    const rows = await this.db.all(
      'SELECT session_file FROM session_processor_state WHERE processor_name = $processor AND session_file = ANY($keys::VARCHAR[])',
      { processor, keys },
    );
    const found = new Set(rows.map((r) => String(r.session_file)));
    return keys.filter((key) => !found.has(key));
  }

  /** Deletes state rows so the sessions are processed again; items stay until the new result replaces them. */
  async resetState(processor: string, sessions: string[] | 'all'): Promise<number> {
    return this.db.transaction(async (db) => {
      const { where, params } = filterClause({ processor: [processor], session: sessions === 'all' ? undefined : sessions });
      await db.run(
        `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
         SELECT now()::TIMESTAMP, 'reset', processor_name, session_file, to_json(s), NULL FROM session_processor_state s ${where}
         ORDER BY processor_name, session_file`,
        params,
      );
      const rows = await db.all(`DELETE FROM session_processor_state ${where} RETURNING session_file`, params);
      return rows.length;
    });
  }

  /** Marks sessions processed as they are now (hash and read time given) without running the processor. */
  async markProcessed(processor: string, version: string, entries: MarkProcessedEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    return this.db.transaction(async (db) => {
      for (const entry of entries) {
        const key = { processor, session: entry.sessionKey };
        const before = await db.all(
          'SELECT to_json(s) AS row FROM session_processor_state s WHERE processor_name = $processor AND session_file = $session',
          key,
        );
        await db.run(
          `INSERT INTO session_processor_state
             (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
           SELECT $processor::VARCHAR, $session::VARCHAR, $group::VARCHAR, $readAt::TIMESTAMP,
             (SELECT count(*) FROM processor_items WHERE processor_name = $processor AND session_file = $session), $hash::VARCHAR, $version::VARCHAR
           ON CONFLICT (processor_name, session_file) DO UPDATE SET ${REPLACE_STATE}`,
          { ...key, group: entry.group, readAt: entry.readAt.toISOString(), hash: entry.fileHash, version },
        );
        await db.run('DELETE FROM session_processor_failures WHERE processor_name = $processor AND session_file = $session', key);
        await recordHost(db, 'SELECT $session::VARCHAR AS session_file, $readAt::TIMESTAMP AS read_at', {
          session: entry.sessionKey,
          readAt: entry.readAt.toISOString(),
        });
        await db.run(
          `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
           SELECT now()::TIMESTAMP, 'mark-processed', $processor::VARCHAR, $session::VARCHAR, $before::JSON, to_json(s)
           FROM session_processor_state s WHERE processor_name = $processor AND session_file = $session`,
          { ...key, before: before.length > 0 ? JSON.stringify(before[0].row) : null },
        );
      }
      return entries.length;
    });
  }

  /** Clears the failure rows (attempts and quarantine) of the matching failed sessions; returns them. */
  async clearFailures(filter: StateFilter): Promise<{ processor: string; sessionKey: string }[]> {
    return this.db.transaction(async (db) => {
      const { where, params } = filterClause(filter);
      await db.run(
        `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
         SELECT now()::TIMESTAMP, 'rerun', processor_name, session_file, to_json(f), NULL FROM session_processor_failures f ${where}
         ORDER BY processor_name, session_file`,
        params,
      );
      const rows = await db.all(`DELETE FROM session_processor_failures ${where} RETURNING processor_name, session_file`, params);
      return rows.map((row) => ({ processor: String(row.processor_name), sessionKey: String(row.session_file) }));
    });
  }

  /** Runs SQL that can only read; anything that writes is refused. */
  readOnlyQuery(sql: string): Promise<JsonRow[]> {
    return this.db.readOnlyRows(sql);
  }
}

function filterClause(filter: StateFilter): { where: string; params: Record<string, string[]> } {
  const conditions: string[] = [];
  const params: Record<string, string[]> = {};
  if (filter.processor && filter.processor.length > 0) {
    conditions.push('processor_name = ANY($processors::VARCHAR[])');
    params.processors = filter.processor;
  }
  if (filter.session && filter.session.length > 0) {
    conditions.push('session_file = ANY($sessions::VARCHAR[])');
    params.sessions = filter.session;
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const stringOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** A session's state row (st) and failure row (f), as the candidate rules read them. */
const STATE_AND_FAILURE = `st.session_file IS NOT NULL AS has_state, epoch_ms(st.processed_at) AS processed_at_ms, st.file_hash,
  st.processor_version, f.session_file IS NOT NULL AS has_failure, f.attempts, f.file_hash AS failure_hash, f.quarantined,
  f.processor_version AS failure_version, epoch_ms(f.last_read_at) AS last_read_at_ms`;

function toSnapshot(rows: JsonRow[]): ProcessorSnapshot {
  const snapshot: ProcessorSnapshot = { states: new Map(), failures: new Map() };
  for (const row of rows) {
    const sessionKey = String(row.session_file);
    if (row.has_state) {
      snapshot.states.set(sessionKey, {
        sessionKey,
        processedAtMs: numberOrNull(row.processed_at_ms),
        fileHash: stringOrNull(row.file_hash),
        processorVersion: stringOrNull(row.processor_version),
      });
    }
    if (row.has_failure) {
      snapshot.failures.set(sessionKey, {
        sessionKey,
        attempts: Number(row.attempts),
        fileHash: stringOrNull(row.failure_hash),
        quarantined: row.quarantined === true,
        processorVersion: stringOrNull(row.failure_version),
        lastReadAtMs: numberOrNull(row.last_read_at_ms),
      });
    }
  }
  return snapshot;
}
