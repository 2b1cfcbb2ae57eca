import { DuckDBTimestampValue, listValue, type DuckDBAppender, type DuckDBListValue } from '@duckdb/node-api';
import { UsageError, errorMessage } from '../errors.js';
import { Database, type Connection } from './database.js';
import { migrate } from './migrations.js';
import { assertReadOnly } from './queries.js';
import type { JsonRow, MarkProcessedEntry, ProcessorSnapshot, SessionOutcome, StateFilter, StoredFailure, StoredState } from './types.js';


/**
 * The state repository over one DuckDB file: processor state, failures, items, runs and the audit.
 * All writes of one unit (a batch of session outcomes, one manual edit) are one transaction.
 */
export class StateStore {
  private constructor(readonly db: Database) {}

  static async open(file: string): Promise<StateStore> {
    const db = await Database.open(file);
    try {
      await db.run("SET TimeZone = 'UTC'").catch(() => undefined); // timestamps are UTC, whatever the machine's zone
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new StateStore(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async snapshot(processor: string): Promise<ProcessorSnapshot> {
    const [stateRows, failureRows] = await this.db.exclusive(async (db) => [
      await db.all(
        `SELECT session_file, epoch_ms(processed_at) AS processed_at_ms, file_hash, processor_version
         FROM session_processor_state WHERE processor_name = $1`,
        [processor],
      ),
      await db.all(
        `SELECT session_file, attempts, file_hash, quarantined, processor_version, epoch_ms(last_read_at) AS last_read_at_ms
         FROM session_processor_failures WHERE processor_name = $1`,
        [processor],
      ),
    ]);
    const states = new Map<string, StoredState>();
    for (const row of stateRows) {
      states.set(String(row.session_file), {
        sessionKey: String(row.session_file),
        processedAtMs: row.processed_at_ms === null ? null : Number(row.processed_at_ms),
        fileHash: row.file_hash === null ? null : String(row.file_hash),
        processorVersion: row.processor_version === null ? null : String(row.processor_version),
      });
    }
    const failures = new Map<string, StoredFailure>();
    for (const row of failureRows) {
      failures.set(String(row.session_file), {
        sessionKey: String(row.session_file),
        attempts: Number(row.attempts),
        fileHash: row.file_hash === null ? null : String(row.file_hash),
        quarantined: row.quarantined === true,
        processorVersion: row.processor_version === null ? null : String(row.processor_version),
        lastReadAtMs: row.last_read_at_ms === null ? null : Number(row.last_read_at_ms),
      });
    }
    return { states, failures };
  }

  /**
   * Writes a batch of outcomes, of one or several processors, in one transaction. A success replaces the
   * state row, removes the failure row and replaces the session's items; a failure counts one more attempt
   * on the same content and version (or starts over at 1) and quarantines at maxAttempts. Old state and
   * items of a failed session stay: they describe the content last processed successfully.
   */
  async commitOutcomes(groups: OutcomeGroup[], maxAttempts: number): Promise<void> {
    const nonEmpty = groups.filter((g) => g.outcomes.length > 0);
    if (nonEmpty.length === 0) return;
    await this.db.transaction(async (db) => {
      for (const group of nonEmpty) await writeOutcomes(db, group, maxAttempts);
    });
  }

  /** Records a run's start; the row stays with finished_at NULL if the process dies (an interrupted run). */
  async startRun(runId: string, processor: string, trigger: string, startedAt: Date): Promise<void> {
    await this.db.run('INSERT INTO processor_runs (run_id, processor_name, trigger, started_at) VALUES ($1, $2, $3, $4::TIMESTAMP)', [
      runId,
      processor,
      trigger,
      startedAt.toISOString(),
    ]);
  }

  /**
   * Records a run that failed as a whole (its stats hold the error). Only a row not finished yet is
   * updated, so a run that had already finished keeps its real stats.
   */
  async failRun(runId: string, finishedAt: Date, stats: unknown): Promise<void> {
    await this.db.run('UPDATE processor_runs SET finished_at = $2::TIMESTAMP, stats = $3::JSON WHERE run_id = $1 AND finished_at IS NULL', [
      runId,
      finishedAt.toISOString(),
      JSON.stringify(stats),
    ]);
  }

  /** Per processor, the start of its latest run (ms since the epoch), whatever its outcome: the scheduler's clock starts there. */
  async lastRunTimes(): Promise<Map<string, number>> {
    const rows = await this.db.all('SELECT processor_name, epoch_ms(max(started_at)) AS at FROM processor_runs GROUP BY ALL');
    return new Map(rows.map((row) => [String(row.processor_name), Number(row.at)]));
  }

  async finishRun(runId: string, finishedAt: Date, stats: unknown): Promise<void> {
    await this.db.run('UPDATE processor_runs SET finished_at = $2::TIMESTAMP, stats = $3::JSON WHERE run_id = $1', [
      runId,
      finishedAt.toISOString(),
      JSON.stringify(stats),
    ]);
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
      st AS (SELECT processor_name, count(*) AS processed, sum(items_extracted) AS items FROM session_processor_state GROUP BY ALL),
      fa AS (SELECT processor_name, count(*) FILTER (WHERE NOT quarantined) AS failed, count(*) FILTER (WHERE quarantined) AS quarantined
             FROM session_processor_failures GROUP BY ALL),
      ru AS (SELECT processor_name, max(started_at) AS last_run_at, arg_max(stats, started_at) AS last_run_stats FROM processor_runs GROUP BY ALL)
      SELECT n.processor_name, coalesce(st.processed, 0) AS processed, coalesce(st.items, 0) AS items_extracted,
             coalesce(fa.failed, 0) AS failed, coalesce(fa.quarantined, 0) AS quarantined, ru.last_run_at, ru.last_run_stats
      FROM names n LEFT JOIN st USING (processor_name) LEFT JOIN fa USING (processor_name) LEFT JOIN ru USING (processor_name)
      ORDER BY n.processor_name`);
  }

  /** Deletes state rows so the sessions are processed again; items stay until the new result replaces them. */
  async resetState(processor: string, sessions: string[] | 'all'): Promise<number> {
    return this.db.transaction(async (db) => {
      const { where, params } = filterClause({ processor: [processor], session: sessions === 'all' ? undefined : sessions });
      await db.run(
        `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
         SELECT now()::TIMESTAMP, 'reset', processor_name, session_file, to_json(s), NULL FROM session_processor_state s ${where}`,
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
          `INSERT OR REPLACE INTO session_processor_state
             (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
           SELECT $processor, $session, $username, $readAt::TIMESTAMP,
             (SELECT count(*) FROM processor_items WHERE processor_name = $processor AND session_file = $session), $hash, $version`,
          { ...key, username: entry.username, readAt: entry.readAt.toISOString(), hash: entry.fileHash, version },
        );
        await db.run('DELETE FROM session_processor_failures WHERE processor_name = $processor AND session_file = $session', key);
        await db.run(
          `INSERT INTO state_audit ("at", action, processor_name, session_file, before, after)
           SELECT now()::TIMESTAMP, 'mark-processed', $processor, $session, $before::JSON, to_json(s)
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
         SELECT now()::TIMESTAMP, 'rerun', processor_name, session_file, to_json(f), NULL FROM session_processor_failures f ${where}`,
        params,
      );
      const rows = await db.all(`DELETE FROM session_processor_failures ${where} RETURNING processor_name, session_file`, params);
      return rows.map((row) => ({ processor: String(row.processor_name), sessionKey: String(row.session_file) }));
    });
  }

  /** Runs SQL that can only read: every statement must be a SELECT (or EXPLAIN); anything else is refused. */
  async readOnlyQuery(sql: string): Promise<JsonRow[]> {
    return this.db.exclusive(async (db) => {
      await assertReadOnly(db, sql);
      try {
        return await db.all(sql);
      } catch (error) {
        throw new UsageError(`query: ${errorMessage(error)}`);
      }
    });
  }
}

function filterClause(filter: StateFilter): { where: string; params: Record<string, DuckDBListValue> } {
  const conditions: string[] = [];
  const params: Record<string, DuckDBListValue> = {};
  if (filter.processor && filter.processor.length > 0) {
    conditions.push('list_contains($processors, processor_name)');
    params.processors = listValue(filter.processor);
  }
  if (filter.session && filter.session.length > 0) {
    conditions.push('list_contains($sessions, session_file)');
    params.sessions = listValue(filter.session);
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

function timestampValue(date: Date): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(date.getTime()) * 1000n);
}

export async function withAppender(db: Connection, table: string, catalog: string | null, fill: (appender: DuckDBAppender) => void): Promise<void> {
  const appender = await db.raw().createAppender(table, catalog ? 'main' : null, catalog);
  try {
    fill(appender);
    appender.flushSync();
  } catch (error) {
    try {
      appender.closeSync();
    } catch {
      // closing after a failed flush fails too ("transaction is aborted"); the flush's error is the one that explains
    }
    throw error;
  }
  appender.closeSync();
}

/** The outcomes of one processor, in one batch. */
export interface OutcomeGroup {
  processor: string;
  version: string;
  outcomes: SessionOutcome[];
}

async function writeOutcomes(db: Connection, { processor, version, outcomes }: OutcomeGroup, maxAttempts: number): Promise<void> {
  await db.run(`CREATE TEMP TABLE IF NOT EXISTS staged_outcomes (
    session_file VARCHAR, username VARCHAR, read_at TIMESTAMP, file_hash VARCHAR, ok BOOLEAN, items_extracted INTEGER, error VARCHAR)`);
  await db.run('DELETE FROM staged_outcomes');
  await withAppender(db, 'staged_outcomes', 'temp', (staged) => {
    for (const outcome of outcomes) {
      staged.appendVarchar(outcome.sessionKey);
      staged.appendVarchar(outcome.username);
      staged.appendTimestamp(timestampValue(outcome.readAt));
      if (outcome.fileHash === null) staged.appendNull();
      else staged.appendVarchar(outcome.fileHash);
      staged.appendBoolean(outcome.kind === 'processed');
      staged.appendInteger(outcome.kind === 'processed' ? outcome.itemsCount : 0);
      if (outcome.kind === 'failed') staged.appendVarchar(outcome.error);
      else staged.appendNull();
      staged.endRow();
    }
  });
  await db.run(
    `INSERT OR REPLACE INTO session_processor_state
       (processor_name, session_file, username, processed_at, items_extracted, file_hash, processor_version)
     SELECT $processor, session_file, username, read_at, items_extracted, file_hash, $version FROM staged_outcomes WHERE ok`,
    { processor, version },
  );
  for (const table of ['session_processor_failures', 'processor_items']) {
    await db.run(`DELETE FROM ${table} WHERE processor_name = $processor AND session_file IN (SELECT session_file FROM staged_outcomes WHERE ok)`, { processor });
  }
  await withAppender(db, 'processor_items', null, (items) => {
    for (const outcome of outcomes) {
      if (outcome.kind !== 'processed') continue;
      outcome.itemsJson.forEach((json, index) => {
        items.appendVarchar(processor);
        items.appendVarchar(outcome.sessionKey);
        items.appendInteger(index);
        items.appendVarchar(json);
        items.endRow();
      });
    }
  });
  // Consecutive failures on the same content and version add up; anything new starts over at 1.
  const same = 'f.file_hash IS NOT DISTINCT FROM excluded.file_hash AND f.processor_version IS NOT DISTINCT FROM excluded.processor_version';
  await db.run(
    `INSERT INTO session_processor_failures AS f
       (processor_name, session_file, username, attempts, first_failed_at, last_failed_at, last_error, file_hash,
        quarantined, processor_version, last_read_at)
     SELECT $processor, session_file, username, 1, now()::TIMESTAMP, now()::TIMESTAMP, error, file_hash,
        1 >= $maxAttempts, $version, read_at
     FROM staged_outcomes WHERE NOT ok
     ON CONFLICT (processor_name, session_file) DO UPDATE SET
       attempts = CASE WHEN ${same} THEN f.attempts + 1 ELSE 1 END,
       quarantined = (CASE WHEN ${same} THEN f.attempts + 1 ELSE 1 END) >= $maxAttempts,
       first_failed_at = CASE WHEN ${same} THEN f.first_failed_at ELSE excluded.first_failed_at END,
       last_failed_at = excluded.last_failed_at,
       last_error = excluded.last_error,
       file_hash = excluded.file_hash,
       username = excluded.username,
       processor_version = excluded.processor_version,
       last_read_at = excluded.last_read_at`,
    { processor, version, maxAttempts },
  );
}
