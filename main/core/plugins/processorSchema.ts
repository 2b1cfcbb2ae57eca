import type { Processor, ProcessorView, Session, ProcessContext, ProcessorResult } from '../../sdk/processor.js';

export const PROCESSOR_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const VIEW_COLUMN_TYPES = ['VARCHAR', 'BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'JSON', 'VARCHAR[]'] as const;
/** Names a view may not take: the host's own tables. */
const RESERVED = new Set(['session_processor_state', 'session_processor_failures', 'processor_items', 'processor_runs', 'state_audit', 'schema_version', 'orphaned_sessions']);

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

/** A processor after validation: every default filled in. */
export interface ProcessorDefinition extends Required<Omit<Processor, 'view' | 'linesContaining'>> {
  view?: ProcessorView;
  linesContaining?: string[];
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
  const timeoutMs = numberOf(object, 'timeoutMs', 60_000, (n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647, 'a whole number of milliseconds from 1 to 2147483647', problems);
  const view = viewOf(object.view, problems);
  const linesContaining = linesOf(object.linesContaining, problems);
  if (typeof processSession !== 'function') problems.push('processSession must be a function');
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
  return {
    name: name as string,
    version: version as string,
    cadenceMinutes,
    timeoutMs,
    ...(view ? { view } : {}),
    ...(linesContaining ? { linesContaining } : {}),
    processSession: processSession as ProcessSession,
  };
}
