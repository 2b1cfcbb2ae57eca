import type { DuckDBResultReader } from '@duckdb/node-api';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRow = Record<string, Json>;

/**
 * Result rows as plain JSON: timestamps as ISO-8601 UTC strings, dates as YYYY-MM-DD, integers as numbers
 * (as strings beyond 2^53), JSON columns as their parsed values. Safe to print, send over IPC or HTTP.
 */
export function toJsonRows(reader: DuckDBResultReader): JsonRow[] {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const jsonColumn = types.map((type) => type.alias === 'JSON');
  const dateColumn = types.map((type) => type.toString() === 'DATE');
  return reader.getRowsJS().map((values) => {
    const row: JsonRow = {};
    values.forEach((value, i) => {
      row[names[i]] = jsonColumn[i] && typeof value === 'string' ? parseJsonCell(value) : toJson(value, dateColumn[i]);
    });
    return row;
  });
}

function parseJsonCell(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function toJson(value: unknown, isDate = false): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return isDate ? value.toISOString().slice(0, 10) : value.toISOString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toJson(v));
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return String(value);
}
