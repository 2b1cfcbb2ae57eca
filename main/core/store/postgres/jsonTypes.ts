import type { CustomTypesConfig } from 'pg';
import { pg } from '../commonjs.js';

const { types } = pg();

/**
 * Per-client type parsers that make PostgreSQL rows plain JSON, the same shapes as the DuckDB store's rows
 * (store/jsonRows.ts): timestamps as ISO-8601 UTC strings, dates as YYYY-MM-DD, big integers as numbers
 * while exact (strings beyond), json parsed, bytes as base64. No Date, BigInt or Buffer crosses a boundary.
 * They assume the session settings connectPostgres makes (TimeZone UTC, DateStyle ISO, IntervalStyle iso_8601).
 */

type Parser = (text: string) => unknown;

/** pg's type OIDs (pg_type.oid), fixed since PostgreSQL 7. */
const OID = {
  bytea: 17,
  int8: 20,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  byteaArray: 1001,
  int8Array: 1016,
  float4Array: 1021,
  float8Array: 1022,
  timestampArray: 1115,
  dateArray: 1182,
  timestamptzArray: 1185,
  intervalArray: 1187,
  numericArray: 1231,
} as const;

// "2025-09-01 10:00:00.123456+05:30 BC": ISO DateStyle output; the offset only on timestamptz, BC last.
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/** ISO-8601 UTC with milliseconds (microseconds are cut, as the DuckDB rows do); infinity and dates out of JavaScript's range stay text. */
export function parseTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [, year, month, day, hour, minute, second, fraction = '', sign, offH = '0', offM = '0', offS = '0', bc] = m;
  const date = new Date(
    Date.UTC(2000, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3))),
  );
  // Set separately: Date.UTC maps years 0-99 to 1900-1999. Year 1 BC is astronomical year 0.
  date.setUTCFullYear(bc ? 1 - Number(year) : Number(year));
  if (sign) {
    const offsetS = Number(offH) * 3600 + Number(offM) * 60 + Number(offS);
    date.setTime(date.getTime() - (sign === '-' ? -1 : 1) * offsetS * 1000);
  }
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** A bigint as a number while every digit survives, else its exact decimal text. */
export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * A numeric as a number when the double prints back as the same decimal value ("0.1", "1.50", "1e21"),
 * else the exact text ("0.1000000000000000000001", "12345678901234567890", "NaN", "Infinity").
 */
export function parseNumeric(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (decimalKey(String(n)) !== decimalKey(text)) return text;
  return n === 0 ? 0 : n;
}

/** A decimal's value as "digits e exponent" with leading and trailing zeros removed, to compare two spellings. */
function decimalKey(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m) return `?${text}`;
  const [, sign, whole, fraction = '', exponent = '0'] = m;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let exp = Number(exponent) - fraction.length;
  if (!digits) return '0';
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign === '-' ? '-' : ''}${digits}e${exp}`;
}

/** Like DuckDB rows: NaN and the infinities are not JSON numbers, so they stay text. */
function parseFloatText(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

const defaultByteaParser = types.getTypeParser(OID.bytea, 'text') as (text: string) => Buffer;
function parseBytea(text: string): string {
  return defaultByteaParser(text).toString('base64');
}

// @types/pg-types declares arrayParser as a function; pg-types 2.x exports { create(source, transform) }.
const arrayParser = (types as unknown as { arrayParser: { create(source: string, transform: Parser): { parse(): unknown[] } } }).arrayParser;
function arrayOf(element: Parser): Parser {
  return (text) => arrayParser.create(text, element).parse();
}

const identity: Parser = (text) => text;

const parsers = new Map<number, Parser>([
  [OID.timestamp, parseTimestamp],
  [OID.timestamptz, parseTimestamp],
  // ISO DateStyle already prints YYYY-MM-DD; a Date object would shift it by the local time zone.
  [OID.date, identity],
  [OID.interval, identity],
  [OID.int8, parseInt8],
  [OID.numeric, parseNumeric],
  [OID.float4, parseFloatText],
  [OID.float8, parseFloatText],
  [OID.bytea, parseBytea],
  [OID.timestampArray, arrayOf(parseTimestamp)],
  [OID.timestamptzArray, arrayOf(parseTimestamp)],
  [OID.dateArray, arrayOf(identity)],
  [OID.intervalArray, arrayOf(identity)],
  [OID.int8Array, arrayOf(parseInt8)],
  [OID.numericArray, arrayOf(parseNumeric)],
  [OID.float4Array, arrayOf(parseFloatText)],
  [OID.float8Array, arrayOf(parseFloatText)],
  [OID.byteaArray, arrayOf(parseBytea)],
]);

/** The `types` option of a pg.Client: ours for the types above, pg's defaults (json parsed, ints, booleans, text) for the rest. */
export const jsonTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const parser = format === 'binary' ? undefined : parsers.get(oid);
    return parser ?? types.getTypeParser(oid, format);
  },
} as CustomTypesConfig;
