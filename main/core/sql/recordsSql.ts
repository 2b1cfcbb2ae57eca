// The SQL that turns session lines into the rows of `records`, and the rules of records() it encodes. A
// batch (sqlBatch.ts) runs it over the files DuckDB reads itself or over the chunks Node hands it.
import type { DuckDBAppender } from '@duckdb/node-api';
import { listLiteral, literal } from './sqlGuard.js';
import type { CheckedSql } from './sqlSandbox.js';

/** A SQL processor as a batch runs it. */
export interface SqlProcessorSpec {
  name: string;
  checked: CheckedSql;
  linesContaining?: string[];
  /** Per query over a batch (a batch is far less work than the one session a JavaScript limit is for). */
  timeoutMs: number;
}

/** Content Node hands DuckDB: chunks of whole lines (text, or bytes DuckDB decodes), or a line too long to hold. */
export const FED_TABLE = 'CREATE OR REPLACE TEMP TABLE si_fed (session_file VARCHAR, first_line INTEGER, content BLOB, text VARCHAR, oversized BOOLEAN)';
const WHITESPACE = "' ' || chr(9) || chr(13)";
/** Rows of a group table that are records: parsed, or the literal null (a record JSON.parse gives as null). */
export const RECORD = `(r IS NOT NULL OR trim(bad, ${WHITESPACE}) = 'null')`;
/** Rows that are malformed lines: neither parsed nor blank (a NULL line is one over MAX_LINE_BYTES). */
export const MALFORMED = `(r IS NULL AND (bad IS NULL OR trim(bad, ${WHITESPACE}) NOT IN ('', 'null')))`;
/** A failing line that JSON.parse may still accept: DuckDB refuses an escaped lone surrogate, JavaScript keeps it. */
export const SURROGATE_ESCAPE = String.raw`\\[uU][dD][89abAB]`;

/** Processors that read compatible columns parse each line once, together. */
export interface ParseGroup {
  table: string;
  columns: Record<string, string>;
  members: SqlProcessorSpec[];
}

/**
 * The lines of files DuckDB reads itself, numbered from 1; `keyOf` is the SQL giving a path's session key.
 * The BOM rule of records(): dropped before the first line, once per file (not tested line by line).
 */
export function directLinesSql(keyOf: string, paths: string[]): string {
  return linesOf(`SELECT ${keyOf} AS session_file, 1 AS first_line, CASE WHEN starts_with(t, chr(65279)) THEN substr(t, 2) ELSE t END AS text
    FROM (SELECT filename, try(decode(content)) AS t FROM read_blob(${listLiteral(paths)}))`);
}

/** The lines of the chunks in si_fed; a line over MAX_LINE_BYTES comes as NULL (malformed for every processor). */
export const FED_LINES_SQL = `${linesOf('SELECT session_file, first_line, coalesce(text, decode(content)) AS text FROM si_fed WHERE NOT oversized')}
  UNION ALL SELECT session_file, first_line AS line_no, NULL AS line FROM si_fed WHERE oversized`;

function linesOf(texts: string): string {
  return `SELECT session_file, first_line - 1 + idx AS line_no, line
    FROM (SELECT session_file, first_line, unnest(generate_series(1, len(parts))) AS idx, unnest(parts) AS line
          FROM (SELECT session_file, first_line, string_split(text, chr(10)) AS parts FROM (${texts})))`;
}

/**
 * Lines → one row per line some member selects: its parsed record `r` (the group's columns), a flag per
 * member (`sel_i`), and `bad`, the line itself where it did not parse (blank, malformed, or the literal
 * null; told apart later, on those few rows only: trimming every line cost more than parsing it).
 */
export function parsedLinesSql(group: ParseGroup, lines: string): string {
  const structure = literal(JSON.stringify(group.columns));
  const selections = group.members.map((due, i) => `(line IS NULL OR ${selectionSql(due.linesContaining)}) AS sel_${i}`);
  const anySelected = group.members.some((d) => !d.linesContaining) ? 'true' : group.members.map((d) => selectionSql(d.linesContaining)).join(' OR ');
  return `SELECT session_file, CAST(line_no AS BIGINT) AS line_no, ${selections.join(', ')}, r, CASE WHEN r IS NULL THEN line END AS bad
    FROM (SELECT session_file, line_no, line, try(json_transform(line, ${structure})) AS r
          FROM (${lines}) WHERE line IS NULL OR (${anySelected}))`;
}

/**
 * Processors share a parse when every record field they both read has the same type, or both read it as a
 * STRUCT: the group then reads the union of their struct fields (each processor's records cast it back to
 * its own). Otherwise the line is parsed once per group (json_transform maps each field name to one type).
 */
export function parseGroups(dues: SqlProcessorSpec[]): ParseGroup[] {
  const groups: ParseGroup[] = [];
  for (const due of dues) {
    const columns = Object.entries(due.checked.columns);
    const fits = groups.find((g) => columns.every(([field, type]) => g.columns[field] === undefined || mergedType(g.columns[field], type) !== null));
    if (fits) {
      for (const [field, type] of columns) fits.columns[field] = fits.columns[field] === undefined ? type : mergedType(fits.columns[field], type)!;
      fits.members.push(due);
    } else groups.push({ table: `si_records_${groups.length}`, columns: { ...due.checked.columns }, members: [due] });
  }
  return groups;
}

/** A type that holds both (DuckDB's normalized type texts): equal types, or STRUCTs merged field by field; null when none. */
export function mergedType(a: string, b: string): string | null {
  if (a === b) return a;
  const left = structFields(a);
  const right = structFields(b);
  if (!left || !right) return null;
  const merged = new Map(left);
  for (const [name, type] of right) {
    const known = merged.get(name);
    const both = known === undefined ? type : mergedType(known, type);
    if (both === null) return null;
    merged.set(name, both);
  }
  return `STRUCT(${[...merged].map(([name, type]) => `${name} ${type}`).join(', ')})`;
}

/** The fields of a `STRUCT(name TYPE, ...)` type text (names as written, quoted or not), or null for any other type. */
function structFields(type: string): Map<string, string> | null {
  if (!type.startsWith('STRUCT(') || !type.endsWith(')')) return null;
  const fields = new Map<string, string>();
  let depth = 0;
  let quoted = false;
  let start = 'STRUCT('.length;
  const body = type.length - 1;
  for (let i = start; i <= body; i++) {
    const c = type[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')' && i < body) depth--;
    if (i === body || (c === ',' && depth === 0 && !quoted)) {
      const part = type.slice(start, i).trim();
      const split = part.startsWith('"') ? quotedNameEnd(part) : part.indexOf(' ');
      if (split <= 0) return null;
      fields.set(part.slice(0, split), part.slice(split).trim());
      start = i + 1;
    }
  }
  return fields;
}

/** Where a leading double-quoted name ends (a doubled quote is part of the name). */
function quotedNameEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (text[i + 1] === '"') i++;
    else return i + 1;
  }
  return -1;
}

/** linesContaining as SQL: a line is selected when it contains one of the strings (all lines when none). */
function selectionSql(needles: string[] | undefined): string {
  if (!needles || needles.length === 0) return 'true';
  return `(${needles.map((n) => `contains(line, ${literal(n)})`).join(' OR ')})`;
}

/** A line JSON.parse accepts, written again as well-formed JSON (lone surrogates become U+FFFD); else as it was. */
export function wellFormedLine(text: string): string {
  if (!/\\u[dD][89a-fA-F]/.test(text)) return text;
  try {
    return JSON.stringify(JSON.parse(text), (_key, value: unknown) =>
      typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed() : value,
    );
  } catch {
    return text;
  }
}

export function appendFedRow(appender: DuckDBAppender, key: string, firstLine: number, bytes: Buffer | null, text: string | null): void {
  appender.appendVarchar(key);
  appender.appendInteger(firstLine);
  if (bytes) appender.appendBlob(bytes);
  else appender.appendNull();
  if (text !== null) appender.appendVarchar(text);
  else appender.appendNull();
  appender.appendBoolean(bytes === null && text === null);
  appender.endRow();
}
