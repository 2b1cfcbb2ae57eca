// The processor contract every plugin implements. The host (main/core) depends on these types;
// plugin authors import them from `session-inspector/plugin`.

/** One session transcript as a processor sees it. */
export interface Session {
  /** Absolute path of the .jsonl file. Read-only for plugins: never write to it. */
  readonly path: string;
  /** Path relative to the session root with `/` separators, e.g. `alice/0b1c.jsonl` (= session_file). */
  readonly sessionKey: string;
  /** First segment of sessionKey: the project folder (or, on a team server, the user's). */
  readonly group: string;
  /** The same as `group` (its older name, and the state table's column name). */
  readonly username: string;
  /** Bytes this run reads: the file's size when it was opened; content appended later waits for the next run. */
  readonly sizeBytes: number;
  /**
   * Every non-blank line parsed as JSON, streamed from disk (never the whole file in memory).
   * Malformed lines are skipped and counted in `malformedLines`. Each call starts a fresh pass.
   */
  records(): AsyncIterable<unknown>;
  /** Malformed lines seen by the last completed pass of records(). */
  readonly malformedLines: number;
  /**
   * The file line (1-based) of the record records() yielded last: the number a SQL processor's `line_no`
   * and the transcript view show. Read it inside the records loop, for the record at hand.
   */
  readonly lineNo: number;
}

export interface ProcessLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProcessContext {
  /** Aborted when the processor's timeoutMs elapses or the run is cancelled: stop work and return or throw. */
  readonly signal: AbortSignal;
  readonly log: ProcessLog;
  /**
   * Hands over one item now instead of returning it at the end, so a session with many items never holds
   * them all: the host stores them as they come (they replace the session's previous items only if this
   * call of processSession succeeds). Emitted items come first, then any returned in `items`. An item that
   * cannot be stored as JSON fails this session (the call throws, and ctx.signal is aborted).
   */
  emit(item: unknown): void;
}

export interface ProcessorResult {
  /** Stored as items_extracted; defaults to the number of items (emitted plus returned). */
  itemsCount?: number;
  /** JSON-serialisable items, stored in processor_items (replacing this session's previous items), after any emitted ones. */
  items?: unknown[];
}

/** DuckDB column types a processor's typed view may declare. */
export type ViewColumnType = 'VARCHAR' | 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'TIMESTAMP' | 'DATE' | 'JSON' | 'VARCHAR[]';

/** A typed DuckDB view over this processor's items (one column per item field, plus session_file). */
export interface ProcessorView {
  name: string;
  columns: Record<string, ViewColumnType>;
}

/** What every processor declares, whichever way it processes sessions. */
export interface ProcessorBase {
  /** Unique, /^[a-z0-9][a-z0-9_-]{0,63}$/. */
  name: string;
  /** Bump it to re-process every session. Default "1". */
  version?: string;
  /** How often the scheduler runs it. Default 10. */
  cadenceMinutes?: number;
  /** Per-session time limit. Default 60000. */
  timeoutMs?: number;
  /** Optional typed view over processor_items for `session-inspector query`. */
  view?: ProcessorView;
  /**
   * Performance hint: records() yields only the lines whose raw text contains at least one of these
   * strings; every other line is skipped before it is decoded or parsed (it is still hashed). Matching is
   * case-sensitive on the UTF-8 bytes as written, so pick strings Claude Code writes literally, such as
   * `'"usage"'` for lines carrying token usage (a key written with `\u` escapes would not match).
   * `session.malformedLines` then counts only malformed lines among those selected. Default: every line.
   */
  linesContaining?: string[];
}

/** A processor written in JavaScript: called once per session with its records. */
export interface Processor extends ProcessorBase {
  processSession(session: Session, ctx: ProcessContext): ProcessorResult | void | Promise<ProcessorResult | void>;
}

/**
 * A DuckDB type for a record field a SQL processor reads: `VARCHAR`, `BIGINT`, `DOUBLE`, `BOOLEAN`, `JSON`
 * (the value as JSON text), lists (`VARCHAR[]`) and `STRUCT(name TYPE, ...)` for nested objects. A value
 * that does not convert to the declared type reads as NULL.
 */
export type SqlColumnType = string;

/**
 * A processor written as one DuckDB SELECT. The engine reads the due sessions itself (DuckDB's native JSON
 * parser, one pass for every due SQL processor) and runs `sql` over the relation `records`: one row per
 * record (non-blank line that parses as JSON) with `session_file VARCHAR`, `line_no BIGINT` (the record's
 * 1-based line in its file) and the declared `columns`, and `sessions` (`session_file`, `malformed_lines`:
 * one row per session being processed, with or without records). Each result row is one item of its
 * `session_file`; its other columns are the item's fields. A due session with no rows is processed with 0
 * items. The SDK's record rules are SQL functions there (`iso_timestamp`, `blocks_text`, …: docs/plugins.md).
 */
export interface SqlProcessor extends ProcessorBase {
  /** The record fields the query reads (top-level keys of a record), each with its DuckDB type. */
  columns: Record<string, SqlColumnType>;
  /** One SELECT over `records`; it must return a `session_file` column. */
  sql: string;
}

/** What a plugin module's default export is: one processor or several, of either kind. */
export type PluginExport = Processor | SqlProcessor | (Processor | SqlProcessor)[];

/** Identity helper that gives a plugin's default export its types. */
export function definePlugin<T extends PluginExport>(plugin: T): T {
  return plugin;
}
