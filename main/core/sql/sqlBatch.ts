import { sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { errnoCode, errorMessage } from '../errors.js';
import { BatchConnection, describeQueryError, firstLine } from './batchConnection.js';
import { feedSession, type ReadFacts } from './fedSession.js';
import { outcomeOf, pendingWork, type SqlBatchSession } from './batchOutcomes.js';
import type { ProcessorOutcome, SessionTaskResult } from '../pluginProcesses/protocol.js';
import { sessionsRelation, type SqlSandbox } from './sqlSandbox.js';
import { hashFiles, statAll, existsNow, type KnownRead } from './fileReads.js';
import { filesOf } from '../archive/archivedSource.js';

export type { KnownRead } from './fileReads.js';
import { RECORDS_RELATION, SESSIONS_RELATION, ident, listLiteral, literal } from './sqlGuard.js';
import {
  FED_LINES_SQL,
  FED_TABLE,
  MALFORMED,
  RECORD,
  SURROGATE_ESCAPE,
  type ParseGroup,
  appendFedRow,
  directLinesSql,
  parseGroups,
  parsedLinesSql,
  wellFormedLine,
  type SqlProcessorSpec,
} from './recordsSql.js';

export type { SqlProcessorSpec } from './recordsSql.js';

export type { SqlBatchSession, SqlDue } from './batchOutcomes.js';

export interface SqlBatchOptions {
  signal?: AbortSignal;
  /** Sessions already hashed in this run, by key: reused when the file has not changed since. */
  known?: Map<string, KnownRead>;
  log?: (level: 'warn', processor: string, message: string) => void;
}

/**
 * Sessions from this size on are read by Node and handed to DuckDB in chunks of whole lines (as are those
 * DuckDB cannot take as text: invalid UTF-8): DuckDB holds a whole file as one value when it reads it itself.
 */
export const FED_MIN_BYTES = 32 * 1024 * 1024;
/** Rows one processor query may return per batch: a query past it fails (and is narrowed to the session that does it). */
export const MAX_ITEMS_PER_QUERY = 1_000_000;

/**
 * Runs the due SQL processors over one batch of sessions in the sandbox, and answers for every session
 * what a plugin process answers for one: its hash, bytes and each processor's outcome. DuckDB reads each
 * file once (read_blob: the bytes hashed are exactly the bytes parsed), splits it into lines with their
 * numbers, parses each line once per parse group and runs each processor's SELECT over its records.
 * A statement that fails is retried on halves of the sessions until the failure is pinned to a session:
 * one hostile session, or a query that breaks on one, fails only that (processor, session).
 */
export async function runSqlBatch(sandbox: SqlSandbox, sessions: SqlBatchSession[], options: SqlBatchOptions = {}): Promise<Map<string, SessionTaskResult>> {
  const results = new Map<string, SessionTaskResult>();
  await sandbox.withConnection((connection) => new BatchRun(connection, sandbox.root, options, results).run(sessions));
  return results;
}

class BatchRun {
  private readonly conn: BatchConnection;

  constructor(
    db: DuckDBConnection,
    /** The session root, as the scan joined it into every entry's path. */
    private readonly root: string,
    private readonly options: SqlBatchOptions,
    private readonly results: Map<string, SessionTaskResult>,
  ) {
    this.conn = new BatchConnection(db, options.signal);
  }

  async run(sessions: SqlBatchSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const readAtMs = Date.now(); // rule 2: the read time is taken before anything is read or hashed
    if (this.options.signal?.aborted) return this.cancelAll(sessions, readAtMs);
    const groups = parseGroups(uniqueProcessors(sessions));
    const facts = await this.readAll(sessions, groups, readAtMs);
    if (!facts) return;
    const live = sessions.filter((s) => facts.has(s.entry.sessionKey));
    const { outcomes, todo } = pendingWork(live, facts);
    try {
      await this.queryAll(groups, todo, outcomes, live.length === sessions.length ? live.length : null);
    } finally {
      await this.dropAll(groups);
    }
    for (const s of live) {
      const { fileHash, bytesRead } = facts.get(s.entry.sessionKey)!;
      this.results.set(s.entry.sessionKey, { vanished: false, readAtMs, fileHash, bytesRead, outcomes: outcomes.get(s.entry.sessionKey)!, tainted: false });
    }
  }

  /**
   * Reads, hashes and parses every session of the batch into the group tables: the facts of those read.
   * Sessions gone since the scan get their result here; null when a failure split the batch or failed it
   * (every result is then set).
   */
  private async readAll(sessions: SqlBatchSession[], groups: ParseGroup[], readAtMs: number): Promise<Map<string, ReadFacts> | null> {
    const fed = new Set<string>();
    const direct: SqlBatchSession[] = [];
    for (const s of sessions) {
      // An archived session's bytes are compressed: only Node's reader (SessionFile) can hand them over.
      if (s.entry.sizeBytes >= FED_MIN_BYTES || s.entry.archived) fed.add(s.entry.sessionKey);
      else direct.push(s);
    }
    const facts = new Map<string, ReadFacts>();
    const vanished = new Set<string>();
    try {
      await this.readDirect(direct, groups, { fed, facts, vanished });
    } catch (error) {
      await this.dropAll(groups);
      await this.splitOrFail(sessions, error, readAtMs);
      return null;
    }
    for (const s of sessions.filter((x) => fed.has(x.entry.sessionKey))) {
      const fedFacts = await feedSession(this.conn, s.entry, () => this.parseFed(groups)).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      );
      if (!(fedFacts instanceof Error)) {
        facts.set(s.entry.sessionKey, fedFacts);
        continue;
      }
      await this.conn.exec(FED_TABLE).catch(() => undefined);
      for (const group of groups) await this.conn.exec(`DELETE FROM ${group.table} WHERE session_file = ${literal(s.entry.sessionKey)}`).catch(() => undefined);
      if (errnoCode(fedFacts) === 'ENOENT') vanished.add(s.entry.sessionKey);
      else this.failAll([s], fedFacts, readAtMs);
    }
    try {
      await this.repairLoneSurrogates(groups);
    } catch (error) {
      await this.dropAll(groups);
      await this.splitOrFail(
        sessions.filter((x) => facts.has(x.entry.sessionKey)),
        error,
        readAtMs,
      );
      return null;
    }
    for (const key of vanished) this.results.set(key, { vanished: true, readAtMs, fileHash: null, bytesRead: 0, outcomes: {}, tainted: false });
    return facts;
  }

  /**
   * The sessions DuckDB reads itself, parsed in its threads while this thread hashes them (MD5 in Node is
   * the faster of the two, and the cores are otherwise idle). One that changed between the first stat and
   * the last may differ between the two reads, and one that is not valid UTF-8 decodes differently: both
   * join `fed`, to be read again by Node alone, hashed and parsed as one. The rest get their facts.
   */
  private async readDirect(
    direct: SqlBatchSession[],
    groups: ParseGroup[],
    into: { fed: Set<string>; facts: Map<string, ReadFacts>; vanished: Set<string> },
  ): Promise<void> {
    const { fed, facts, vanished } = into;
    await this.conn.exec(FED_TABLE);
    const before = statAll(direct.map((d) => d.entry));
    const hashing = hashFiles(
      direct.map((d) => d.entry),
      before,
      this.options.known,
    );
    hashing.catch(() => undefined);
    for (const group of groups) await this.parse(group, direct.length > 0 ? direct : null);
    const hashes = await hashing;
    const after = statAll(direct.map((d) => d.entry));
    for (const s of direct) {
      const key = s.entry.sessionKey;
      const hash = hashes.get(key)!;
      if (hash instanceof Error) {
        if (errnoCode(hash) === 'ENOENT') vanished.add(key);
        else throw hash;
        continue;
      }
      const unchanged = before.get(key) !== undefined && before.get(key)?.signature === after.get(key)?.signature;
      if (!unchanged || !hash.utf8) fed.add(key);
      else facts.set(key, { fileHash: hash.fileHash, bytesRead: hash.bytesRead });
    }
    if (fed.size > 0) {
      for (const group of groups) await this.conn.exec(`DELETE FROM ${group.table} WHERE list_contains(${listLiteral([...fed])}, session_file)`);
    }
  }

  /**
   * Runs each processor's query over the sessions it has work on, group by group, and records the outcome
   * of each in `outcomes`. `liveCount`: how many sessions were read, when that is every session of the batch
   * (a processor due on all of them then needs no filter on session_file); else null.
   */
  private async queryAll(
    groups: ParseGroup[],
    todo: Map<SqlProcessorSpec, string[]>,
    outcomes: Map<string, Record<string, ProcessorOutcome>>,
    liveCount: number | null,
  ): Promise<void> {
    for (const group of groups) {
      const malformed = await this.malformed(group);
      for (const due of group.members) {
        const keys = todo.get(due);
        if (!keys) continue;
        const items = await this.query(due, group, keys, malformed, keys.length === liveCount);
        for (const key of keys) outcomes.get(key)![due.name] = outcomeOf(items.get(key), malformed.get(`${due.name}\0${key}`) ?? 0);
      }
    }
  }

  private async dropAll(groups: ParseGroup[]): Promise<void> {
    for (const table of [...groups.map((g) => g.table), 'si_fed']) await this.conn.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }

  /**
   * The session key of a path DuckDB read, in SQL: the path below the root with '/' separators, as the scan
   * makes it. (A join on a table of keys made DuckDB build its hash table from the file contents.)
   */
  private keyOf(column: string): string {
    const relative = `substr(${column}, ${this.root.length + 2})`;
    return sep === '/' ? relative : `replace(${relative}, ${literal(sep)}, '/')`;
  }

  /**
   * Parses lines into a group's table (recordsSql.ts): `direct`, the files DuckDB reads itself, into a new
   * table; null, the chunks Node put in si_fed, added to it (created empty when no file was read directly).
   */
  private async parse(group: ParseGroup, direct: SqlBatchSession[] | null): Promise<void> {
    const lines = direct
      ? directLinesSql(
          this.keyOf('filename'),
          direct.map((s) => s.entry.path),
        )
      : FED_LINES_SQL;
    const body = parsedLinesSql(group, lines);
    const exists = direct === null && this.created.has(group.table);
    await this.conn.exec(exists ? `INSERT INTO ${group.table} ${body}` : `CREATE OR REPLACE TEMP TABLE ${group.table} AS ${body}`);
    this.created.add(group.table);
  }

  /** The lines in si_fed, parsed into every group's table. */
  private async parseFed(groups: ParseGroup[]): Promise<void> {
    for (const group of groups) await this.parse(group, null);
  }

  /**
   * Lines DuckDB refused that JSON.parse accepts: an escaped lone surrogate (JavaScript keeps it in the
   * string; DuckDB's parser, and UTF-8, cannot). Written again as well-formed JSON (the surrogate becomes
   * U+FFFD, the only difference) and parsed in their place. Rare, so found among the failed lines only.
   */
  private async repairLoneSurrogates(groups: ParseGroup[]): Promise<void> {
    const suspects = new Map<string, { key: string; lineNo: number; text: string }>();
    for (const group of groups) {
      for (const [key, lineNo, bad] of await this.conn.rows(
        `SELECT session_file, line_no, bad FROM ${group.table} WHERE r IS NULL AND regexp_matches(bad, ${literal(SURROGATE_ESCAPE)})`,
      )) {
        const repaired = wellFormedLine(String(bad));
        if (repaired !== bad) suspects.set(`${String(key)}\0${String(lineNo)}`, { key: String(key), lineNo: Number(lineNo), text: repaired });
      }
    }
    if (suspects.size === 0) return;
    const where = [...suspects.values()].map((x) => `(session_file = ${literal(x.key)} AND line_no = ${x.lineNo})`).join(' OR ');
    for (const group of groups) await this.conn.exec(`DELETE FROM ${group.table} WHERE ${where}`);
    await this.conn.exec(FED_TABLE);
    const appender = await this.conn.fedAppender();
    try {
      for (const { key, lineNo, text } of suspects.values()) appendFedRow(appender, key, lineNo, null, text);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await this.parseFed(groups);
  }

  /** Group tables created by this batch. */
  private readonly created = new Set<string>();

  /** Malformed lines per (processor, session), among the lines each selects. */
  private async malformed(group: ParseGroup): Promise<Map<string, number>> {
    const counts = group.members.map((_, i) => `count(*) FILTER (WHERE sel_${i})`);
    const out = new Map<string, number>();
    for (const row of await this.conn.rows(`SELECT session_file, ${counts.join(', ')} FROM ${group.table} WHERE ${MALFORMED} GROUP BY session_file`)) {
      group.members.forEach((due, i) => out.set(`${due.name}\0${String(row[0])}`, Number(row[i + 1])));
    }
    return out;
  }

  /**
   * One processor's SELECT over its records of `keys`; items (JSON) by session. A failure is narrowed down
   * by halving the sessions until it is pinned to single sessions; a cancel is `cancelled` for all.
   */
  private async query(
    due: SqlProcessorSpec,
    group: ParseGroup,
    keys: string[],
    malformed: Map<string, number>,
    everyone = false,
  ): Promise<Map<string, string[] | Error | 'cancelled'>> {
    const out = new Map<string, string[] | Error | 'cancelled'>();
    const index = group.members.indexOf(due);
    // A field the group reads as a wider STRUCT (another member reads more of it) is cast back to this processor's own.
    const columns = Object.entries(due.checked.columns).map(([field, type]) =>
      group.columns[field] === type ? `r.${ident(field)} AS ${ident(field)}` : `CAST(r.${ident(field)} AS ${type}) AS ${ident(field)}`,
    );
    await this.conn.exec(`CREATE OR REPLACE TEMP VIEW ${RECORDS_RELATION} AS
      SELECT session_file, CAST(line_no AS BIGINT) AS line_no${columns.map((c) => `, ${c}`).join('')}
      FROM ${group.table} WHERE ${RECORD} AND sel_${index}${everyone ? '' : ` AND list_contains(${listLiteral(keys)}, session_file)`}`);
    const sessions = sessionsRelation(keys.map((key) => [key, malformed.get(`${due.name}\0${key}`) ?? 0]));
    await this.conn.exec(`CREATE OR REPLACE TEMP VIEW ${SESSIONS_RELATION} AS ${sessions}`);
    const item = `json_object(${due.checked.fields.map((f) => `${literal(f)}, ${ident(f)}`).join(', ')})`;
    const sql = `SELECT CAST(session_file AS VARCHAR), CAST(${item} AS VARCHAR) FROM (\n${due.checked.query}\n) AS si_query LIMIT ${MAX_ITEMS_PER_QUERY + 1}`;
    const wanted = new Set(keys);
    try {
      const rows = await this.conn.rows(sql, due.timeoutMs);
      if (rows.length > MAX_ITEMS_PER_QUERY) throw new Error(`the query returned more than ${MAX_ITEMS_PER_QUERY.toLocaleString('en-US')} rows`);
      for (const key of keys) out.set(key, []);
      let stray = 0;
      for (const [sessionFile, json] of rows) {
        const list = typeof sessionFile === 'string' && wanted.has(sessionFile) ? (out.get(sessionFile) as string[]) : undefined;
        if (list) list.push(String(json));
        else stray++;
      }
      if (stray > 0)
        this.options.log?.('warn', due.name, `${stray} result row(s) named no session being processed (session_file must come from records); not stored`);
      return out;
    } catch (error) {
      if (this.options.signal?.aborted) {
        for (const key of keys) out.set(key, 'cancelled');
        return out;
      }
      if (keys.length === 1) {
        out.set(keys[0], new Error(`SQL processor "${due.name}": ${describeQueryError(error, due.timeoutMs)}`));
        return out;
      }
      const half = Math.ceil(keys.length / 2);
      for (const part of [keys.slice(0, half), keys.slice(half)]) {
        for (const [key, value] of await this.query(due, group, part, malformed)) out.set(key, value);
      }
      return out;
    }
  }

  private async splitOrFail(sessions: SqlBatchSession[], error: unknown, readAtMs: number): Promise<void> {
    if (this.options.signal?.aborted) return this.cancelAll(sessions, readAtMs);
    if (sessions.length > 1) {
      const half = Math.ceil(sessions.length / 2);
      await this.run(sessions.slice(0, half));
      await this.run(sessions.slice(half));
      return;
    }
    const [s] = sessions;
    if (!(s.entry.archived ? filesOf(s.entry.archived) : [s.entry.path]).every(existsNow)) {
      this.results.set(s.entry.sessionKey, { vanished: true, readAtMs, fileHash: null, bytesRead: 0, outcomes: {}, tainted: false });
      return;
    }
    this.failAll(sessions, error, readAtMs);
  }

  private failAll(sessions: SqlBatchSession[], error: unknown, readAtMs: number): void {
    for (const s of sessions) {
      const outcomes: Record<string, ProcessorOutcome> = {};
      for (const due of s.due)
        outcomes[due.processor.name] = { kind: 'failed', error: `reading the session for SQL processors failed: ${firstLine(errorMessage(error))}` };
      this.results.set(s.entry.sessionKey, { vanished: false, readAtMs, fileHash: null, bytesRead: 0, outcomes, tainted: false });
    }
  }

  private cancelAll(sessions: SqlBatchSession[], readAtMs: number): void {
    for (const s of sessions) {
      const outcomes: Record<string, ProcessorOutcome> = {};
      for (const due of s.due) outcomes[due.processor.name] = { kind: 'cancelled' };
      this.results.set(s.entry.sessionKey, { vanished: false, readAtMs, fileHash: null, bytesRead: 0, outcomes, tainted: false });
    }
  }
}

function uniqueProcessors(sessions: SqlBatchSession[]): SqlProcessorSpec[] {
  return [...new Set(sessions.flatMap((s) => s.due.map((d) => d.processor)))];
}
