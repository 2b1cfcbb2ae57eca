import type { ProcessorBase, ProcessorView, Session, ProcessContext, ProcessorResult } from '../../sdk/processor.js';

export const PROCESSOR_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const VIEW_COLUMN_TYPES = ['VARCHAR', 'BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'JSON', 'VARCHAR[]'] as const;
/** Names a view may not take: the host's own tables. */
const RESERVED = new Set([
  'session_processor_state',
  'session_processor_failures',
  'processor_items',
  'processor_runs',
  'state_audit',
  'schema_version',
  'orphaned_sessions',
  'session_hosts',
  'finding_reviews',
]);

type ProcessSession = (session: Session, ctx: ProcessContext) => ProcessorResult | void | Promise<ProcessorResult | void>;

// Hand-written rather than a schema library: this runs in every plugin process, and loading one there
// cost about 0.1 s of each process start.

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/** Each check reports its problems as `path message`, the way the errors name a field. */
type Problems = string[];

function viewOf(value: unknown, problems: Problems): ProcessorView | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push(`view must be an object, not ${kind(value)}`);
    return undefined;
  }
  const { name, columns } = value;
  if (typeof name !== 'string') problems.push(`view.name must be a string, not ${kind(name)}`);
  else if (!SQL_IDENTIFIER.test(name)) problems.push('view.name must be a lower-case SQL identifier');
  else if (RESERVED.has(name)) problems.push('view.name is the name of a Session Inspector table');
  if (!isRecord(columns)) {
    problems.push(`view.columns must be an object of column types, not ${kind(columns)}`);
    return undefined;
  }
  const entries = Object.entries(columns);
  if (entries.length === 0) problems.push('view.columns needs at least one column');
  if ('session_file' in columns) problems.push('view.columns session_file is added by the host; do not declare it');
  for (const [column, type] of entries) {
    if (!SQL_IDENTIFIER.test(column)) problems.push(`view.columns.${column} column names must be lower-case SQL identifiers`);
    if (!(VIEW_COLUMN_TYPES as readonly unknown[]).includes(type)) problems.push(`view.columns.${column} must be one of ${VIEW_COLUMN_TYPES.join(', ')}`);
  }
  return { name: name as string, columns: { ...columns } as ProcessorView['columns'] };
}

function linesOf(value: unknown, problems: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`linesContaining must be an array of strings, not ${kind(value)}`);
    return undefined;
  }
  if (value.length > 16) problems.push('linesContaining at most 16 strings');
  value.forEach((text: unknown, index) => {
    if (typeof text !== 'string') problems.push(`linesContaining.${index} must be a string, not ${kind(text)}`);
    else if (text === '') problems.push(`linesContaining.${index} must not be empty`);
    else if (text.includes('\n')) problems.push(`linesContaining.${index} must not contain a newline`);
  });
  return [...value] as string[];
}

/** A number field: absent takes the default; else it must pass `valid`. */
function numberOf(object: Record<string, unknown>, field: string, fallback: number, valid: (n: number) => boolean, rule: string, problems: Problems): number {
  const value = object[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !valid(value)) problems.push(`${field} must be ${rule}${typeof value === 'number' ? '' : `, not ${kind(value)}`}`);
  return value as number;
}

/** What both kinds share after validation: every default filled in. */
interface DefinitionBase extends Required<Omit<ProcessorBase, 'view' | 'linesContaining'>> {
  view?: ProcessorView;
  linesContaining?: string[];
}

/** A SQL processor's declaration, checked for shape here and against DuckDB by the host (sql/sqlCheck.ts). */
export interface SqlSpec {
  columns: Record<string, string>;
  sql: string;
}

export type JsProcessorDefinition = DefinitionBase & { kind: 'js'; processSession: ProcessSession };
export type SqlProcessorDefinition = DefinitionBase & { kind: 'sql'; sql: SqlSpec };
/** A processor after validation, of either kind. */
export type ProcessorDefinition = JsProcessorDefinition | SqlProcessorDefinition;

/** Record field names a SQL processor may declare: the relation `records` has these two of its own. */
const RECORDS_OWN_COLUMNS = new Set(['session_file', 'line_no']);
/** A top-level record key as Claude Code writes them (camelCase included), usable as a column name. */
const RECORD_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function sqlSpecOf(object: Record<string, unknown>, problems: Problems): SqlSpec {
  const { columns, sql } = object;
  if (!isRecord(columns)) problems.push(`columns must be an object of record fields and their DuckDB types, not ${kind(columns)}`);
  else {
    if (Object.keys(columns).length === 0) problems.push('columns needs at least one record field');
    for (const [field, type] of Object.entries(columns)) {
      if (!RECORD_FIELD.test(field)) problems.push(`columns.${field} must be a record field name (letters, digits, _)`);
      else if (RECORDS_OWN_COLUMNS.has(field)) problems.push(`columns.${field} is a column records always has; do not declare it`);
      if (typeof type !== 'string' || type.trim() === '') problems.push(`columns.${field} must be a DuckDB type such as 'VARCHAR' or 'STRUCT(id VARCHAR)'`);
    }
  }
  if (typeof sql !== 'string' || sql.trim() === '') problems.push(`sql must be a SELECT over records, not ${kind(sql)}`);
  return { columns: isRecord(columns) ? ({ ...columns } as Record<string, string>) : {}, sql: typeof sql === 'string' ? sql : '' };
}

/** Validates one exported processor object; throws an Error listing every problem with its field. */
export function parseProcessor(value: unknown, label: string): ProcessorDefinition {
  if (typeof value !== 'object' || value === null) throw new Error(`${label} is ${value === null ? 'null' : `a ${typeof value}`}, not a processor object`);
  const object = value as Record<string, unknown>;
  const problems: Problems = [];
  const { name, version = '1', processSession } = object;
  if (typeof name !== 'string') problems.push('name is required (a string)');
  else if (!PROCESSOR_NAME.test(name)) problems.push('name must match /^[a-z0-9][a-z0-9_-]{0,63}$/');
  if (typeof version !== 'string') problems.push(`version must be a string, not ${kind(version)}`);
  else if (version === '') problems.push('version must not be empty');
  const cadenceMinutes = numberOf(object, 'cadenceMinutes', 10, (n) => n > 0 && Number.isFinite(n), 'a positive number of minutes', problems);
  const timeoutMs = numberOf(
    object,
    'timeoutMs',
    60_000,
    (n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647,
    'a whole number of milliseconds from 1 to 2147483647',
    problems,
  );
  const view = viewOf(object.view, problems);
  const linesContaining = linesOf(object.linesContaining, problems);
  const isSql = object.sql !== undefined || object.columns !== undefined;
  let sql: SqlSpec | undefined;
  if (isSql && processSession !== undefined) problems.push('a processor has either processSession (JavaScript) or sql and columns (SQL), not both');
  else if (isSql) sql = sqlSpecOf(object, problems);
  else if (typeof processSession !== 'function') problems.push('processSession must be a function (or declare sql and columns for a SQL processor)');
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
  const base: DefinitionBase = {
    name: name as string,
    version: version as string,
    cadenceMinutes,
    timeoutMs,
    ...(view ? { view } : {}),
    ...(linesContaining ? { linesContaining } : {}),
  };
  return sql ? { ...base, kind: 'sql', sql } : { ...base, kind: 'js', processSession: processSession as ProcessSession };
}
