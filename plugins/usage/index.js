// @ts-check
// usage: one item per invocation: every tool call, plus a second item for the calls that are a skill, a
// subagent or an MCP tool, and one per slash command the user typed. A call's is_error comes from its
// tool_result, which arrives lines later. A SQL processor: the functions it calls (slash_command,
// mcp_server, iso_timestamp, …) are the SDK's rules, see docs/plugins.md.
import { definePlugin } from 'session-inspector/plugin';

const sql = `
WITH blocks AS (
  -- The content blocks of the lines that can hold tool calls or results (the cheap text test first).
  SELECT session_file, line_no, type, uuid, timestamp, isSidechain, model, unnest(list) AS block, unnest(generate_series(1, len(list))) AS block_no
  FROM (
    SELECT session_file, line_no, type, uuid, timestamp, isSidechain, message.model AS model,
           CAST(json_extract(message.content, '$[*]') AS JSON[]) AS list
    FROM records
    WHERE (type = 'assistant' AND contains(CAST(message.content AS VARCHAR), '"tool_use"'))
       OR (type = 'user' AND contains(CAST(message.content AS VARCHAR), '"tool_result"'))
  )
),
events AS (
  SELECT *, false AS is_result, block ->> 'id' AS id, NULL AS is_error
  FROM blocks
  WHERE type = 'assistant' AND (block ->> 'type') = 'tool_use' AND json_type(block, '$.id') = 'VARCHAR' AND json_type(block, '$.name') = 'VARCHAR'
  UNION ALL
  SELECT *, true, block ->> 'tool_use_id', json_true(block -> 'is_error')
  FROM blocks
  WHERE type = 'user' AND (block ->> 'type') = 'tool_result' AND json_type(block, '$.tool_use_id') = 'VARCHAR'
),
calls AS (
  -- A call is answered by the next event with its id when that is a result (a repeated id replaces the
  -- earlier call, which then stays unanswered): the pairing rule of the SDK's ToolCallPairing.
  SELECT * EXCLUDE (is_error, next_is_result), CASE WHEN next_is_result THEN next_is_error END AS is_error
  FROM (
    SELECT *, lead(is_result) OVER w AS next_is_result, lead(is_error) OVER w AS next_is_error
    FROM events
    WINDOW w AS (PARTITION BY session_file, id ORDER BY line_no, block_no)
  )
  WHERE NOT is_result
),
call_items AS (
  SELECT session_file, line_no, block_no, id, block ->> 'name' AS tool_name,
         CASE WHEN (block ->> 'name') = 'Skill' THEN string_field(block -> '$.input.skill') END AS skill_name,
         CASE WHEN (block ->> 'name') IN ('Task', 'Agent') THEN string_field(block -> '$.input.subagent_type') END AS subagent_type,
         mcp_server(block ->> 'name') AS mcp_server, is_error, model, uuid, timestamp, isSidechain
  FROM calls
),
items AS (
  -- Every call is a tool event; a skill, subagent or MCP call is also one of that kind, right after it.
  SELECT session_file, line_no, block_no, 0 AS kind_no, 'tool' AS event_type, tool_name, skill_name, subagent_type,
         NULL AS command_name, mcp_server, is_error, model, uuid, id AS tool_use_id, timestamp, isSidechain
  FROM call_items
  UNION ALL
  SELECT session_file, line_no, block_no, 1, CASE WHEN tool_name = 'Skill' THEN 'skill' WHEN tool_name IN ('Task', 'Agent') THEN 'subagent' ELSE 'mcp' END,
         tool_name, skill_name, subagent_type, NULL, mcp_server, is_error, model, uuid, id, timestamp, isSidechain
  FROM call_items
  WHERE tool_name IN ('Skill', 'Task', 'Agent') OR mcp_server IS NOT NULL
  UNION ALL
  SELECT session_file, line_no, 0, 0, 'slash_command', NULL, NULL, NULL, command.name, NULL, NULL, NULL, uuid, NULL, timestamp, isSidechain
  FROM (
    SELECT session_file, line_no, uuid, timestamp, isSidechain, slash_command(blocks_text(message.content)) AS command
    FROM records
    WHERE type = 'user' AND contains(CAST(message.content AS VARCHAR), '<command-name>')
  )
  WHERE command IS NOT NULL
)
SELECT
  session_file, event_type, tool_name, skill_name, subagent_type, command_name, mcp_server, is_error,
  CASE WHEN string_field(model) <> '<synthetic>' THEN string_field(model) END AS model,
  string_field(uuid) AS event_uuid, tool_use_id, iso_timestamp(timestamp) AS occurred_at, json_true(isSidechain) AS is_sidechain
FROM items
ORDER BY session_file, line_no, block_no, kind_no
`;

export default definePlugin({
  name: 'usage',
  version: '1',
  view: {
    name: 'usage_events',
    columns: {
      event_type: 'VARCHAR',
      tool_name: 'VARCHAR',
      skill_name: 'VARCHAR',
      subagent_type: 'VARCHAR',
      command_name: 'VARCHAR',
      mcp_server: 'VARCHAR',
      is_error: 'BOOLEAN',
      model: 'VARCHAR',
      event_uuid: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      occurred_at: 'TIMESTAMP',
      is_sidechain: 'BOOLEAN',
    },
  },
  columns: {
    type: 'VARCHAR',
    uuid: 'JSON',
    timestamp: 'JSON',
    isSidechain: 'JSON',
    message: 'STRUCT(model JSON, content JSON)',
  },
  sql,
});
