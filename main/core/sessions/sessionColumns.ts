/**
 * The columns of the sessions list, each with the one SQL expression that computes it: the app's list, its
 * sort and filters, and the CLI's `sessions` table all read them from here. Expressions read the scanned
 * session `s`, the facts cache `f`, the costs `k` and `kt` (sessionFacts.ts), and `lp`, one row saying which
 * processors are loaded: a column whose processor is not loaded reads NULL (shown empty, with the reason),
 * never a count from a processor that no longer runs.
 */
export const SESSION_COLUMN_IDS = [
  'title',
  'project',
  'branch',
  'started',
  'duration',
  'messages',
  'cost',
  'errors',
  'secrets',
  'path',
  'size',
  'modified',
] as const;
export type SessionColumnId = (typeof SESSION_COLUMN_IDS)[number];

/** How a column's values read: text, a count, USD, seconds, bytes, or ms since the epoch. */
export type SessionColumnKind = 'text' | 'count' | 'usd' | 'seconds' | 'bytes' | 'time';

export interface SessionColumn {
  id: SessionColumnId;
  label: string;
  kind: SessionColumnKind;
  /** The processor whose results fill the column; null when the scan knows it. */
  processor: string | null;
  /** What the column holds, for a header's tooltip and `sessions --help`. */
  description: string;
}

interface ColumnSql extends SessionColumn {
  /** NULL whenever `processor` is not loaded (ifLoaded). */
  sql: string;
}

const ifLoaded = (processor: string, sql: string) => `CASE WHEN lp.${processor} THEN ${sql} END`;

const COLUMNS: ColumnSql[] = [
  {
    id: 'title',
    label: 'Title',
    kind: 'text',
    processor: 'summary',
    description: "Claude Code's summary of the session, else its first prompt",
    sql: ifLoaded('summary', 'f.title'),
  },
  {
    id: 'project',
    label: 'Project',
    kind: 'text',
    processor: 'summary',
    description: "the last folder of the records' working folder (cwd); the encoded project folder when no record names one",
    // Before summary has run, the scan's encoded folder is all there is to show.
    sql: `coalesce(${ifLoaded('summary', 'f.project')}, s.username)`,
  },
  {
    id: 'branch',
    label: 'Branch',
    kind: 'text',
    processor: 'summary',
    description: 'the git branch the session started on',
    sql: ifLoaded('summary', 'f.git_branch'),
  },
  {
    id: 'started',
    label: 'Started',
    kind: 'time',
    processor: 'summary',
    description: "the session's first record's time",
    sql: ifLoaded('summary', 'f.started_ms'),
  },
  {
    id: 'duration',
    label: 'Duration',
    kind: 'seconds',
    processor: 'summary',
    description: 'from the first record to the last',
    sql: ifLoaded('summary', 'f.duration_s'),
  },
  {
    id: 'messages',
    label: 'Messages',
    kind: 'count',
    processor: 'summary',
    description: 'prompts typed plus replies from the model',
    sql: ifLoaded('summary', 'f.prompts + f.replies'),
  },
  {
    id: 'cost',
    label: 'Cost',
    kind: 'usd',
    processor: 'tokens',
    description: 'USD at the bundled prices, each message billed once across all sessions (as `report session`)',
    sql: ifLoaded('tokens', 'CASE WHEN kt.session_file IS NOT NULL THEN coalesce(k.cost_nano, 0) / 1e9 END'),
  },
  { id: 'errors', label: 'Tool errors', kind: 'count', processor: 'errors', description: 'tool calls that failed', sql: ifLoaded('errors', 'f.tool_errors') },
  {
    id: 'secrets',
    label: 'Secrets',
    kind: 'count',
    processor: 'secrets',
    description: 'credentials found in the transcript',
    sql: ifLoaded('secrets', 'f.secrets'),
  },
  { id: 'path', label: 'File', kind: 'text', processor: null, description: 'the transcript file under the session folder', sql: 's.session_file' },
  { id: 'size', label: 'Size', kind: 'bytes', processor: null, description: "the transcript file's size", sql: 's.size_bytes' },
  { id: 'modified', label: 'Modified', kind: 'time', processor: null, description: 'when the transcript file was last written', sql: 's.mtime_ms' },
];

/** The columns as the app and the CLI describe them (no SQL). */
export const SESSION_COLUMNS: SessionColumn[] = COLUMNS.map(({ sql: _sql, ...column }) => column);

/** The processors some column reads. */
export const COLUMN_PROCESSORS = [...new Set(COLUMNS.flatMap((c) => (c.processor ? [c.processor] : [])))];

/** `<expression> AS <id>` for every column, plus what hovers and filters need. */
export function columnSelectSql(): string {
  const columns = COLUMNS.map((c) => `${c.sql} AS ${c.id}`);
  const extras = [
    `coalesce(${ifLoaded('summary', 'f.project_path')}, s.username) AS project_path`,
    `${ifLoaded('summary', 'f.prompts')} AS prompts`,
    `${ifLoaded('summary', 'f.replies')} AS replies`,
    `${ifLoaded('summary', 'f.ended_ms')} AS ended_ms`,
    `${ifLoaded('tokens', 'k.unpriced_messages')} AS unpriced_messages`,
    'f.parent_session',
  ];
  return [...columns, ...extras].join(',\n    ');
}

/** One row, `lp`, with a boolean per processor some column reads: is it loaded. */
export function loadedProcessorsSql(): string {
  return `SELECT ${COLUMN_PROCESSORS.map((p) => `coalesce(bool_or(name = '${p}'), false) AS ${p}`).join(', ')} FROM loaded_processors`;
}
