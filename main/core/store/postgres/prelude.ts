/**
 * Functions the shared SQL relies on that PostgreSQL lacks or names differently. DuckDB has `epoch_ms`
 * built in; the `si_try_*` casts give views over processor_items DuckDB's TRY_CAST behaviour: a value that
 * does not convert reads as NULL. Each is created only when missing, so a role that does not own the
 * schema (an analyst's) can open the store that a runner's role set up.
 */
const TRY_CASTS: [string, string][] = [
  ['boolean', 'boolean'],
  ['integer', 'integer'],
  ['bigint', 'bigint'],
  ['double', 'double precision'],
  ['timestamp', 'timestamp'],
  ['date', 'date'],
];

const FUNCTIONS: [signature: string, definition: string][] = [
  [
    'epoch_ms(timestamp)',
    `CREATE FUNCTION epoch_ms(timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM $1) * 1000)::bigint $$`,
  ],
  ...TRY_CASTS.map(([name, type]): [string, string] => [
    `si_try_${name}(text)`,
    `CREATE FUNCTION si_try_${name}(value text) RETURNS ${type} LANGUAGE plpgsql IMMUTABLE AS ` +
      `$$ BEGIN RETURN value::${type}; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
  ]),
  [
    'si_try_varchar_array(json)',
    'CREATE FUNCTION si_try_varchar_array(value json) RETURNS varchar[] LANGUAGE plpgsql IMMUTABLE AS ' +
      '$$ BEGIN RETURN ARRAY(SELECT json_array_elements_text(value)); EXCEPTION WHEN others THEN RETURN NULL; END $$',
  ],
];

export const PG_PRELUDE = FUNCTIONS.map(
  ([signature, definition]) => `DO $prelude$ BEGIN
    IF to_regprocedure('${signature}') IS NULL THEN EXECUTE $definition$ ${definition} $definition$; END IF;
  END $prelude$`,
).join(';\n');

/** Replacing a session's items must not scan every item of every session (PostgreSQL reads rows, not columns). */
export const PG_INDEXES = `DO $indexes$ BEGIN
  IF to_regclass('processor_items_by_session') IS NULL THEN
    CREATE INDEX processor_items_by_session ON processor_items (processor_name, session_file);
  END IF;
END $indexes$`;
