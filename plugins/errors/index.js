// @ts-check
// errors: one item per failed tool call (a tool_result with is_error) and per API error record: the
// synthetic assistant line Claude Code writes when a request finally fails (isApiErrorMessage), and the
// system lines it writes for errors, e.g. each api_error retry. Each item carries the line it comes from.
// A SQL processor: the functions it calls (blocks_text, truncate_utf8, …) are the SDK's rules, see docs/plugins.md.
import { definePlugin } from 'session-inspector/plugin';

/** error_text keeps the first 2 KB: enough to recognise an error, bounded for multi-MB build logs. */
const MAX_ERROR_BYTES = 2048;

const sql = `
WITH blocks AS (
  -- The content blocks of the lines that can hold tool calls or results (the cheap text test first).
  SELECT session_file, line_no, type, unnest(list) AS block, unnest(generate_series(1, len(list))) AS block_no
  FROM (
    SELECT session_file, line_no, type, CAST(json_extract(message.content, '$[*]') AS JSON[]) AS list
    FROM records
    WHERE (type = 'assistant' AND contains(CAST(message.content AS VARCHAR), '"tool_use"'))
       OR (type = 'user' AND contains(CAST(message.content AS VARCHAR), '"tool_result"'))
  )
),
events AS (
  SELECT session_file, line_no, block_no, false AS is_result, block ->> 'id' AS id, block ->> 'name' AS name, NULL AS block
  FROM blocks
  WHERE type = 'assistant' AND (block ->> 'type') = 'tool_use' AND json_type(block, '$.id') = 'VARCHAR' AND json_type(block, '$.name') = 'VARCHAR'
  UNION ALL
  SELECT session_file, line_no, block_no, true, block ->> 'tool_use_id', NULL, block
  FROM blocks
  WHERE type = 'user' AND (block ->> 'type') = 'tool_result' AND json_type(block, '$.tool_use_id') = 'VARCHAR'
),
tool_results AS (
  -- A result answers the call just before it with its id, unless a result came in between (one result per
  -- call; a repeated id replaces the earlier call): the pairing rule of the SDK's ToolCallPairing.
  SELECT session_file, line_no, block_no, id, block,
         CASE WHEN NOT lag(is_result) OVER (PARTITION BY session_file, id ORDER BY line_no, block_no) THEN lag(name) OVER (PARTITION BY session_file, id ORDER BY line_no, block_no) END AS tool_name
  FROM events
),
failures AS (
  SELECT t.session_file, t.line_no, t.block_no, 'tool_result' AS kind, t.tool_name, t.id AS tool_use_id, blocks_text(t.block -> 'content') AS text
  FROM tool_results AS t
  WHERE t.block IS NOT NULL AND json_true(t.block -> 'is_error')
  UNION ALL
  SELECT session_file, line_no, 0, 'api_error_message', NULL, NULL, blocks_text(message.content)
  FROM records
  WHERE type = 'assistant' AND message IS NOT NULL AND json_true(isApiErrorMessage)
  UNION ALL
  -- A system line's readable error: its error (a string, or an object's formatted or message), else its content, else the error as JSON.
  SELECT session_file, line_no, 0, 'system_error', NULL, NULL,
         coalesce(string_field(error), string_field(error -> 'formatted'), string_field(error -> 'message'), string_field(content), CAST(error AS VARCHAR), '')
  FROM records
  WHERE type = 'system' AND (level = 'error' OR subtype = 'api_error')
)
SELECT f.session_file, f.kind, f.tool_name, f.tool_use_id, truncate_utf8(f.text, ${MAX_ERROR_BYTES}) AS error_text,
       iso_timestamp(r.timestamp) AS occurred_at, string_field(r.uuid) AS event_uuid, f.line_no
FROM failures AS f JOIN records AS r USING (session_file, line_no)
ORDER BY f.session_file, f.line_no, f.block_no
`;

export default definePlugin({
  name: 'errors',
  // 2: items carry line_no.
  version: '2',
  view: {
    name: 'tool_errors',
    columns: {
      kind: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      error_text: 'VARCHAR',
      occurred_at: 'TIMESTAMP',
      event_uuid: 'VARCHAR',
      line_no: 'BIGINT',
    },
  },
  columns: {
    type: 'VARCHAR',
    uuid: 'JSON',
    timestamp: 'JSON',
    isApiErrorMessage: 'JSON',
    level: 'VARCHAR',
    subtype: 'VARCHAR',
    error: 'JSON',
    content: 'JSON',
    message: 'STRUCT(content JSON)',
  },
  sql,
});
