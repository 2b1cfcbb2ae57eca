// The SQL functions the sandbox gives every SQL processor: the SDK's rules for reading transcript records,
// in SQL. Each mirrors one TypeScript function of the SDK (named beside it) and is tested equal to it on
// hostile values (test/core/sql/sqlFunctions.test.ts), so a SQL processor reads records exactly as a
// JavaScript one does. They are DuckDB macros: expanded into the query, no cost of a call.
//
// Record fields should be declared JSON where a rule needs the value's JSON type (a string, not a number
// that reads as one): a VARCHAR column turns 5 into '5'.

/** JavaScript's `\s` (and what String.prototype.trim removes), as an RE2 class. RE2's own `\s` is ASCII only. */
export const JS_SPACE = String.raw`[\t\n\x0B\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]`;
/** A code point outside the Basic Multilingual Plane: two UTF-16 units in JavaScript, one character in DuckDB. */
const ASTRAL = String.raw`[\x{10000}-\x{10FFFF}]`;

/** time.ts: CANONICAL_UTC and DATE_TIME (the same patterns; RE2 and JavaScript agree on them). */
const CANONICAL_UTC = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z`;
/** The canonical form with any day 29-31 (a tenth of real timestamps): canonical when that day exists in its month. */
const CANONICAL_LATE_DAY = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:29|30|31)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z`;
const DATE_TIME = String.raw`^([1-9]\d{3})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$`;

/** commands.ts: LEADING_TAGS without its back-reference (RE2 has none): one alternative per tag. */
const SLASH_COMMAND = (() => {
  const tag = (name: string) => `<${name}>[\\s\\S]*?</${name}>${JS_SPACE}*`;
  const leadingTags = `(?:${tag('command-message')}|${tag('command-args')}|${tag('command-contents')})*`;
  return `^${JS_SPACE}*${leadingTags}<command-name>${JS_SPACE}*([^<]*?)${JS_SPACE}*</command-name>`;
})();
const COMMAND_ARGS = String.raw`<command-args>([\s\S]*?)</command-args>`;
/** content.ts: NOT_TYPED. */
const NOT_TYPED = `^${JS_SPACE}*(?:<(?:local-command-stdout|local-command-stderr|bash-stdout|bash-stderr)>|\\[Request interrupted by user)`;
/** tools.ts: MCP_NAME (JavaScript's `.` stops at line terminators). */
const MCP_NAME = String.raw`^mcp__([^\n\r\x{2028}\x{2029}]+?)__[^\n\r\x{2028}\x{2029}]+$`;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** name → [parameters, body]. Names without the `si_` prefix are documented for plugin authors (docs/plugins.md). */
const MACROS: [string, string, string][] = [
  // records.ts `typeof v === 'string'`: the string a JSON value is, else NULL.
  ['json_string', 'v', `CASE WHEN json_type(v) = 'VARCHAR' THEN v ->> '$' END`],
  // `v === true`.
  ['json_true', 'v', `coalesce(CAST(v AS VARCHAR) = 'true', false)`],
  // records.ts stringField: a non-empty JSON string, else NULL.
  ['string_field', 'v', `nullif(json_string(v), '')`],
  // String.prototype.trim.
  ['js_trim', 's', `regexp_replace(s, ${quote(`^${JS_SPACE}+|${JS_SPACE}+$`)}, '', 'g')`],

  // time.ts isoTimestamp: a JSON date-time string as `YYYY-MM-DDTHH:MM:SS.mmmZ`, else NULL.
  ['iso_timestamp', 'v', `si_iso_timestamp_text(json_string(v))`],
  [
    'si_iso_timestamp_text',
    's',
    `CASE WHEN regexp_full_match(s, ${quote(CANONICAL_UTC)}) THEN s
          WHEN regexp_full_match(s, ${quote(CANONICAL_LATE_DAY)}) THEN CASE WHEN year(TRY_CAST(left(s, 10) AS DATE)) >= 1000 THEN s END
          WHEN regexp_matches(s, ${quote(DATE_TIME)})
            THEN si_iso_from_parts(regexp_extract(s, ${quote(DATE_TIME)}, ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z'])) END`,
  ],
  // A DATE_TIME match's parts (absent ones are ''): the instant in UTC, or NULL when a part is out of range.
  [
    'si_iso_from_parts',
    'p',
    `CASE WHEN si_int(p.mo) BETWEEN 1 AND 12 AND si_int(p.h) <= 23 AND si_int(p.mi) <= 59 AND si_int(p.s) <= 59 AND si_zone_minutes(p.z) IS NOT NULL
          THEN si_iso_in_range(try(make_timestamp(si_int(p.y), si_int(p.mo), si_int(p.d), si_int(p.h), si_int(p.mi), si_int(p.s)))
            + to_milliseconds(si_int(rpad(p.f, 3, '0')[1:3])) - to_minutes(si_zone_minutes(p.z))) END`,
  ],
  ['si_int', 's', `coalesce(TRY_CAST(s AS BIGINT), 0)`],
  // An offset (Z, ±HH, ±HHMM, ±HH:MM, or none) in minutes east of UTC; NULL when out of range.
  [
    'si_zone_minutes',
    'z',
    `CASE WHEN z IN ('', 'Z') THEN 0
          WHEN si_int(substr(z, 2, 2)) <= 23 AND (length(z) = 3 OR si_int(right(z, 2)) <= 59)
            THEN (CASE WHEN starts_with(z, '-') THEN -1 ELSE 1 END)
                 * (si_int(substr(z, 2, 2)) * 60 + CASE WHEN length(z) > 3 THEN si_int(right(z, 2)) ELSE 0 END) END`,
  ],
  // An instant as the canonical string, for years 1000-9999 (isoTimestamp's range); make_timestamp refuses impossible days.
  ['si_iso_in_range', 't', `CASE WHEN year(t) BETWEEN 1000 AND 9999 THEN strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') END`],

  // content.ts blocksText(contentBlocks(message)): a string content as it is, else its text blocks' text joined by newlines.
  [
    'blocks_text',
    'content',
    `CASE json_type(content)
       WHEN 'VARCHAR' THEN content ->> '$'
       WHEN 'ARRAY' THEN array_to_string(list_transform(
         list_filter(json_transform(content, '[{"type": "VARCHAR", "text": "JSON"}]'), lambda b: b.type = 'text' AND json_type(b.text) = 'VARCHAR'),
         lambda b: b.text ->> '$'), chr(10))
       ELSE '' END`,
  ],
  // text.ts truncateUtf8: the longest prefix whose UTF-8 fits in max_bytes, never cutting a character (at most 3 bytes of one are cut).
  [
    'truncate_utf8',
    's, max_bytes',
    `CASE WHEN strlen(s) <= max_bytes THEN s
          ELSE coalesce(try(decode(encode(s)[1:max_bytes])), try(decode(encode(s)[1:max_bytes - 1])),
                        try(decode(encode(s)[1:max_bytes - 2])), decode(encode(s)[1:max_bytes - 3])) END`,
  ],
  // text.ts oneLine: whitespace runs collapsed, trimmed, and past max_chars UTF-16 units (JavaScript's length) cut with a trailing '…'.
  ['one_line', 's, max_chars', `si_one_line(trim(regexp_replace(s, ${quote(`${JS_SPACE}+`)}, ' ', 'g'), ' '), max_chars)`],
  [
    'si_one_line',
    'flat, max_chars',
    `CASE WHEN si_utf16_length(flat) <= max_chars THEN flat
          -- The cut keeps max_chars - 1 UTF-16 units: count the astral characters in that many units of the text
          -- with each astral character doubled (one it cuts in half counts once, and is dropped).
          ELSE rtrim(left(flat, (max_chars - 1)
                 - CAST(ceil(si_astral_count(left(si_astral_doubled(left(flat, max_chars - 1)), max_chars - 1)) / 2) AS INTEGER)), ' ') || '…' END`,
  ],
  ['si_astral_doubled', 's', `regexp_replace(s, ${quote(`(${ASTRAL})`)}, '\\1\\1', 'g')`],
  ['si_astral_count', 's', `length(regexp_replace(s, ${quote(`[^\\x{10000}-\\x{10FFFF}]`)}, '', 'g'))`],
  ['si_utf16_length', 's', `length(s) + si_astral_count(s)`],

  // commands.ts parseSlashCommand: {name, args} of the command a user line's text invokes, else NULL.
  [
    'slash_command',
    'text',
    `CASE WHEN contains(text, '<command-name>') AND regexp_matches(text, ${quote(SLASH_COMMAND)})
          THEN si_slash_command(regexp_extract(text, ${quote(SLASH_COMMAND)}, 1), text) END`,
  ],
  [
    'si_slash_command',
    'raw, text',
    `CASE WHEN raw <> '' AND NOT regexp_matches(raw, ${quote(JS_SPACE)})
          THEN {'name': CASE WHEN starts_with(raw, '/') THEN raw ELSE '/' || raw END, 'args': js_trim(regexp_extract(text, ${quote(COMMAND_ARGS)}, 1))} END`,
  ],
  // content.ts isTypedText: text a person typed (not blank, not output or a marker Claude Code writes itself).
  ['is_typed_text', 'text', `js_trim(text) <> '' AND NOT regexp_matches(text, ${quote(NOT_TYPED)})`],
  // tools.ts parseMcpToolName(name).server: the server of an `mcp__<server>__<tool>` name, else NULL.
  ['mcp_server', 'name', `nullif(regexp_extract(name, ${quote(MCP_NAME)}, 1), '')`],
];

/** Macros ordered so each comes after the ones its body calls (DuckDB resolves a macro's calls when it is created). */
function inDependencyOrder(macros: [string, string, string][]): [string, string, string][] {
  const placed = new Set<string>();
  const ordered: [string, string, string][] = [];
  const place = (macro: [string, string, string]) => {
    if (placed.has(macro[0])) return;
    placed.add(macro[0]);
    for (const other of macros) if (other !== macro && new RegExp(`\\b${other[0]}\\(`).test(macro[2])) place(other);
    ordered.push(macro);
  };
  macros.forEach(place);
  return ordered;
}

/** The statements that create the functions (run once per sandbox, before its configuration is locked). */
export const SQL_FUNCTION_STATEMENTS: string[] = inDependencyOrder(MACROS).map(([name, parameters, body]) => `CREATE MACRO ${name}(${parameters}) AS ${body}`);

/** The functions documented for plugin authors. */
export const SQL_FUNCTION_NAMES: string[] = MACROS.map(([name]) => name).filter((name) => !name.startsWith('si_'));
