/**
 * Functions the shared SQL relies on that PostgreSQL lacks or names differently, created (idempotently)
 * each time a process opens the store. DuckDB has `epoch_ms` built in; the `si_try_*` casts give views
 * over processor_items DuckDB's TRY_CAST behaviour: a value that does not convert reads as NULL.
 */
const TRY_CASTS: [string, string][] = [
  ['boolean', 'boolean'],
  ['integer', 'integer'],
  ['bigint', 'bigint'],
  ['double', 'double precision'],
  ['timestamp', 'timestamp'],
  ['date', 'date'],
];

export const PG_PRELUDE = [
  `CREATE OR REPLACE FUNCTION epoch_ms(timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT
     AS $$ SELECT (extract(epoch FROM $1) * 1000)::bigint $$`,
  ...TRY_CASTS.map(
    ([name, type]) => `CREATE OR REPLACE FUNCTION si_try_${name}(value text) RETURNS ${type} LANGUAGE plpgsql IMMUTABLE AS $$
     BEGIN RETURN value::${type}; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
  ),
  `CREATE OR REPLACE FUNCTION si_try_varchar_array(value json) RETURNS varchar[] LANGUAGE plpgsql IMMUTABLE AS $$
     BEGIN RETURN ARRAY(SELECT json_array_elements_text(value)); EXCEPTION WHEN others THEN RETURN NULL; END $$`,
].join(';\n');
