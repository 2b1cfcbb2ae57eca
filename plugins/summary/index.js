// @ts-check
// summary: one item per session: when it ran, how much was said, which models, where (cwd, branch),
// with which Claude Code version, and a title (Claude Code's own summary line, else the first prompt).
// A SQL processor: the functions it calls (one_line, is_typed_text, …) are the SDK's rules, see docs/plugins.md.
import { definePlugin } from 'session-inspector/plugin';

/** Titles are for lists: a pasted 20 KB log as a first prompt must not become a 20 KB title. */
const MAX_TITLE_CHARS = 200;

const sql = `
WITH lines AS (
  SELECT
    session_file, line_no,
    CAST(iso_timestamp(timestamp) AS TIMESTAMP) AS occurred,
    string_field(sessionId) AS session_id, string_field(cwd) AS cwd, string_field(gitBranch) AS git_branch, string_field(version) AS version,
    json_true(isSidechain) AS sidechain,
    CASE WHEN type = 'summary' AND json_type(summary) = 'VARCHAR' THEN nullif(one_line(summary ->> '$', ${MAX_TITLE_CHARS}), '') END AS summary_title,
    -- A prompt the human typed in the main conversation (not a subagent's, not one Claude Code wrote).
    CASE WHEN type = 'user' AND NOT json_true(isSidechain) AND NOT json_true(isMeta) AND NOT json_true(isCompactSummary)
              AND (json_type(message.content) = 'VARCHAR' OR contains(CAST(message.content AS VARCHAR), '"text"'))
         THEN blocks_text(message.content) END AS prompt
  FROM records
),
prompts AS (
  -- A slash command titles a session as typed (/review src), anything else by its text.
  SELECT session_file, line_no, nullif(one_line(CASE WHEN command IS NULL THEN prompt ELSE command.name || ' ' || command.args END, ${MAX_TITLE_CHARS}), '') AS title
  FROM (SELECT session_file, line_no, prompt, slash_command(prompt) AS command FROM lines WHERE is_typed_text(prompt))
),
messages AS (
  -- API messages counted once each, as tokens counts them (the SDK's ApiMessageCollector): keyed ones in
  -- order of their first line, then each line without message.id and requestId on its own.
  SELECT session_file, key IS NULL AS keyless, min(line_no) AS first_line, arg_min_null(model, line_no) AS model
  FROM (
    SELECT session_file, line_no, nullif(json_string(message.model), '') AS model,
           CASE WHEN coalesce(json_string(message.id), '') <> '' OR coalesce(json_string(requestId), '') <> ''
                THEN coalesce(json_string(message.id), '') || ':' || coalesce(json_string(requestId), '') END AS key
    FROM records
    WHERE type = 'assistant' AND json_type(message.usage) = 'OBJECT' AND json_string(message.model) IS DISTINCT FROM '<synthetic>'
  )
  GROUP BY session_file, key, CASE WHEN key IS NULL THEN line_no END
),
models AS (
  -- Each model once, in the order of the first message that names it.
  SELECT session_file, sum(messages) AS assistant_messages, list(model ORDER BY rank) FILTER (WHERE model IS NOT NULL) AS models
  FROM (SELECT session_file, model, count(*) AS messages, min({'keyless': keyless, 'line': first_line}) AS rank FROM messages GROUP BY session_file, model)
  GROUP BY session_file
),
facts AS (
  SELECT
    session_file, min(occurred) AS first_at, max(occurred) AS last_at,
    arg_min(session_id, line_no) FILTER (WHERE session_id IS NOT NULL) AS session_id,
    arg_min(cwd, line_no) FILTER (WHERE cwd IS NOT NULL) AS cwd,
    arg_min(git_branch, line_no) FILTER (WHERE git_branch IS NOT NULL) AS git_branch,
    arg_min(version, line_no) FILTER (WHERE version IS NOT NULL) AS version,
    count(*) FILTER (WHERE sidechain) AS sidechain_messages,
    arg_min(summary_title, line_no) FILTER (WHERE summary_title IS NOT NULL) AS summary_title
  FROM lines
  GROUP BY session_file
),
turns AS (
  SELECT session_file, count(*) AS user_turns, arg_min(title, line_no) FILTER (WHERE title IS NOT NULL) AS prompt_title
  FROM prompts
  GROUP BY session_file
)
SELECT
  s.session_file,
  coalesce(f.session_id, regexp_replace(regexp_extract(s.session_file, '[^/\\\\]*$'), '\\.jsonl$', '', 'i')) AS session_id,
  strftime(f.first_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS first_at,
  strftime(f.last_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS last_at,
  (epoch_ms(f.last_at) - epoch_ms(f.first_at)) / 1000 AS duration_s,
  coalesce(t.user_turns, 0) AS user_turns,
  coalesce(m.assistant_messages, 0) AS assistant_messages,
  coalesce(m.models, []) AS models,
  f.cwd, f.git_branch, f.version,
  coalesce(f.sidechain_messages, 0) AS sidechain_messages,
  s.malformed_lines,
  coalesce(f.summary_title, t.prompt_title) AS title
FROM sessions AS s
LEFT JOIN facts AS f USING (session_file)
LEFT JOIN turns AS t USING (session_file)
LEFT JOIN models AS m USING (session_file)
ORDER BY s.session_file
`;

export default definePlugin({
  name: 'summary',
  version: '1',
  view: {
    name: 'session_summaries',
    columns: {
      session_id: 'VARCHAR',
      first_at: 'TIMESTAMP',
      last_at: 'TIMESTAMP',
      duration_s: 'DOUBLE',
      user_turns: 'INTEGER',
      assistant_messages: 'INTEGER',
      models: 'VARCHAR[]',
      cwd: 'VARCHAR',
      git_branch: 'VARCHAR',
      version: 'VARCHAR',
      sidechain_messages: 'INTEGER',
      malformed_lines: 'INTEGER',
      title: 'VARCHAR',
    },
  },
  columns: {
    type: 'VARCHAR',
    timestamp: 'JSON',
    sessionId: 'JSON',
    cwd: 'JSON',
    gitBranch: 'JSON',
    version: 'JSON',
    isSidechain: 'JSON',
    isMeta: 'JSON',
    isCompactSummary: 'JSON',
    summary: 'JSON',
    requestId: 'JSON',
    message: 'STRUCT(id JSON, model JSON, usage JSON, content JSON)',
  },
  sql,
});
