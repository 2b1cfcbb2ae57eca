// The answers of plugin processes, checked where they arrive in the host, for the shape the host reads.
// Plugin processes run our code, but plugin code shares each one (and could send a message of its own), so
// a result is checked before anything uses it: the fields the host reads, with their types. The rules on
// the values plugins give (names, versions, items) are not repeated here: they are the processor schema's
// and results.ts's, applied in the plugin process.
import { VIEW_COLUMN_TYPES } from '../plugins/processorSchema.js';
import type { DescribeResult, EarlyOutcome, ProcessorDescriptor, ProcessorOutcome, RequestKind, RequestResult, SessionTaskResult } from './protocol.js';

/** A plugin process's answer that does not have the shape of its kind's result. */
export class MalformedResult extends Error {}

const CHECKS: { [K in RequestKind]: (value: unknown) => RequestResult<K> } = {
  describe: (value) => {
    assertDescribeResult(value, 'result');
    return value;
  },
  session: (value) => {
    assertSessionResult(value, 'result');
    return value;
  },
};

/** The answer to a request of `kind`, typed; throws MalformedResult naming the first field that is wrong. */
export function checkResult<K extends RequestKind>(kind: K, value: unknown): RequestResult<K> {
  try {
    return CHECKS[kind](value);
  } catch (error) {
    if (!(error instanceof MalformedResult)) throw error;
    throw new MalformedResult(`the plugin process answered a ${kind} request with a malformed result: ${error.message}`);
  }
}

/** A processor's outcome sent ahead of its task's result; throws MalformedResult naming the field. */
export function checkEarlyOutcome(value: unknown): EarlyOutcome {
  assertEarlyOutcome(value, 'outcome');
  return value;
}

function assertDescribeResult(value: unknown, at: string): asserts value is DescribeResult {
  const result = objectAt(value, at);
  arrayAt(field(result, 'processors'), `${at}.processors`).forEach((p, i) => assertDescriptor(p, `${at}.processors[${i}]`));
  assertStrings(field(result, 'errors'), `${at}.errors`);
}

function assertDescriptor(value: unknown, at: string): asserts value is ProcessorDescriptor {
  const descriptor = objectAt(value, at);
  for (const key of ['name', 'version']) expect(typeof field(descriptor, key) === 'string', descriptor, key, at, 'a string');
  for (const key of ['cadenceMinutes', 'timeoutMs']) expect(typeof field(descriptor, key) === 'number', descriptor, key, at, 'a number');
  const view = field(descriptor, 'view');
  if (view !== undefined) {
    const v = objectAt(view, `${at}.view`);
    expect(typeof field(v, 'name') === 'string', v, 'name', `${at}.view`, 'a string');
    for (const [column, type] of Object.entries(objectAt(field(v, 'columns'), `${at}.view.columns`))) {
      if (!VIEW_COLUMN_TYPES.some((known) => known === type)) throw malformed(`${at}.view.columns.${column}`, type, `one of ${VIEW_COLUMN_TYPES.join(', ')}`);
    }
  }
  const sql = field(descriptor, 'sql');
  if (sql !== undefined) {
    const spec = objectAt(sql, `${at}.sql`);
    expect(typeof field(spec, 'sql') === 'string', spec, 'sql', `${at}.sql`, 'a string');
    assertStrings(Object.values(objectAt(field(spec, 'columns'), `${at}.sql.columns`)), `${at}.sql.columns`);
  }
  if (field(descriptor, 'linesContaining') !== undefined) assertStrings(field(descriptor, 'linesContaining'), `${at}.linesContaining`);
}

function assertSessionResult(value: unknown, at: string): asserts value is SessionTaskResult {
  const result = objectAt(value, at);
  for (const key of ['vanished', 'tainted']) expect(typeof field(result, key) === 'boolean', result, key, at, 'a boolean');
  for (const key of ['readAtMs', 'bytesRead']) expect(typeof field(result, key) === 'number', result, key, at, 'a number');
  const fileHash = field(result, 'fileHash');
  expect(fileHash === null || typeof fileHash === 'string', result, 'fileHash', at, 'a string or null');
  for (const [processor, outcome] of Object.entries(objectAt(field(result, 'outcomes'), `${at}.outcomes`))) {
    assertOutcome(outcome, `${at}.outcomes.${processor}`);
  }
}

function assertEarlyOutcome(value: unknown, at: string): asserts value is EarlyOutcome {
  const early = objectAt(value, at);
  assertOutcome(field(early, 'outcome'), `${at}.outcome`);
  for (const key of ['readAtMs', 'bytesRead']) expect(typeof field(early, key) === 'number', early, key, at, 'a number');
  expect(typeof field(early, 'fileHash') === 'string', early, 'fileHash', at, 'a string');
}

function assertOutcome(value: unknown, at: string): asserts value is ProcessorOutcome {
  const outcome = objectAt(value, at);
  const kind = field(outcome, 'kind');
  switch (kind) {
    case 'skipped':
    case 'quarantined':
    case 'cancelled':
    case 'capped':
      return;
    case 'failed':
      return expect(typeof field(outcome, 'error') === 'string', outcome, 'error', at, 'a string');
    case 'processed':
      for (const key of ['itemsCount', 'itemsStreamed', 'malformedLines']) expect(typeof field(outcome, key) === 'number', outcome, key, at, 'a number');
      return assertStrings(field(outcome, 'itemsJson'), `${at}.itemsJson`);
    default:
      throw malformed(`${at}.kind`, kind, 'an outcome kind');
  }
}

function assertStrings(value: unknown, at: string): asserts value is string[] {
  arrayAt(value, at).forEach((item, i) => {
    if (typeof item !== 'string') throw malformed(`${at}[${i}]`, item, 'a string');
  });
}

function objectAt(value: unknown, at: string): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(at, value, 'an object');
  return value;
}

function arrayAt(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(at, value, 'an array');
  return value;
}

/** A field of a value that came over IPC (plain data: structured clone copies no getters). */
function field(object: object, key: string): unknown {
  return Reflect.get(object, key);
}

function expect(ok: boolean, object: object, key: string, at: string, what: string): void {
  if (!ok) throw malformed(`${at}.${key}`, field(object, key), what);
}

function malformed(at: string, value: unknown, what: string): MalformedResult {
  return new MalformedResult(`${at}: expected ${what}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
