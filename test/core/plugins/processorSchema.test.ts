import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcessor } from '../../../main/core/plugins/processorSchema.js';

const processSession = () => undefined;

test('a processor gets every default, and only the fields of the contract', () => {
  const parsed = parseProcessor({ name: 'p', processSession, extra: 'dropped' }, 'processor');
  assert.deepEqual(Object.keys(parsed).sort(), ['cadenceMinutes', 'kind', 'name', 'processSession', 'timeoutMs', 'version']);
  assert.equal(parsed.kind, 'js');
  assert.deepEqual([parsed.name, parsed.version, parsed.cadenceMinutes, parsed.timeoutMs], ['p', '1', 10, 60_000]);
  const full = parseProcessor(
    {
      name: 'q',
      version: '2',
      cadenceMinutes: 0.5,
      timeoutMs: 10,
      view: { name: 'q_rows', columns: { a: 'VARCHAR', tags: 'VARCHAR[]' } },
      linesContaining: ['"usage"'],
      processSession,
    },
    'processor',
  );
  assert.deepEqual(full.view, { name: 'q_rows', columns: { a: 'VARCHAR', tags: 'VARCHAR[]' } });
  assert.deepEqual(full.linesContaining, ['"usage"']);
  assert.equal(full.kind, 'js');
  assert.equal(full.kind === 'js' && full.processSession, processSession);
});

test('every problem of a processor is listed at once, each naming its field', () => {
  const problems = (value: unknown) => {
    try {
      parseProcessor(value, 'processor #2');
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail('expected an error');
  };
  assert.equal(problems(null), 'processor #2 is null, not a processor object');
  assert.equal(problems(42), 'processor #2 is a number, not a processor object');
  const message = problems({
    name: 'Bad Name',
    version: '',
    cadenceMinutes: -1,
    timeoutMs: 1.5,
    view: { name: 'processor_items', columns: { session_file: 'VARCHAR', 'Bad-Col': 'TEXT' } },
    linesContaining: ['', 'a\nb', 7],
    processSession: 'nope',
  });
  for (const expected of [
    /^processor #2: /,
    /name must match/,
    /version must not be empty/,
    /cadenceMinutes must be a positive number/,
    /timeoutMs must be a whole number of milliseconds/,
    /view\.name is the name of a Session Inspector table/,
    /view\.columns session_file is added by the host/,
    /view\.columns\.Bad-Col column names must be lower-case SQL identifiers/,
    /view\.columns\.Bad-Col must be one of VARCHAR, BOOLEAN/,
    /linesContaining\.0 must not be empty/,
    /linesContaining\.1 must not contain a newline/,
    /linesContaining\.2 must be a string, not number/,
    /processSession must be a function/,
  ]) {
    assert.match(message, expected);
  }
  assert.match(problems({ processSession }), /name is required \(a string\)/);
  assert.match(problems({ name: 'p', version: 2, processSession }), /version must be a string, not number/);
  assert.match(problems({ name: 'p', cadenceMinutes: Infinity, timeoutMs: 2 ** 31, processSession }), /cadenceMinutes .*; timeoutMs /);
  assert.match(problems({ name: 'p', view: { name: 'v', columns: {} }, processSession }), /view\.columns needs at least one column/);
  assert.match(problems({ name: 'p', view: [], processSession }), /view must be an object, not an array/);
  assert.match(problems({ name: 'p', linesContaining: Array(17).fill('x'), processSession }), /linesContaining at most 16 strings/);
});

test('a SQL processor declares columns and sql instead of processSession; mixing the two or leaving one out is named', () => {
  const parsed = parseProcessor(
    { name: 's', columns: { type: 'VARCHAR', requestId: 'VARCHAR' }, sql: 'SELECT session_file FROM records', linesContaining: ['"usage"'] },
    'processor',
  );
  assert.equal(parsed.kind, 'sql');
  assert.deepEqual(parsed.kind === 'sql' && parsed.sql, { columns: { type: 'VARCHAR', requestId: 'VARCHAR' }, sql: 'SELECT session_file FROM records' });
  const problems = (value: unknown) => {
    try {
      parseProcessor(value, 'processor');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.match(
    problems({ name: 's', columns: { type: 'VARCHAR' }, sql: 'SELECT 1', processSession }),
    /either processSession \(JavaScript\) or sql and columns \(SQL\), not both/,
  );
  assert.match(problems({ name: 's', columns: { type: 'VARCHAR' } }), /sql must be a SELECT over records, not undefined/);
  assert.match(problems({ name: 's', sql: 'SELECT 1' }), /columns must be an object/);
  assert.match(problems({ name: 's', columns: {}, sql: 'SELECT 1' }), /columns needs at least one record field/);
  assert.match(
    problems({ name: 's', columns: { line_no: 'BIGINT', 'a-b': 'VARCHAR', c: 3 }, sql: 'SELECT 1' }),
    /columns\.line_no is a column records always has.*columns\.a-b must be a record field name.*columns\.c must be a DuckDB type/,
  );
  assert.match(problems({ name: 's' }), /processSession must be a function \(or declare sql and columns for a SQL processor\)/);
});
