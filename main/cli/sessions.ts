import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { checkTimeZone, parseDay, systemTimeZone, ZoneCalendar } from '../core/reports/calendar.js';
import { SESSION_COLUMNS, SESSION_COLUMN_IDS, type SessionColumnId } from '../core/sessions/sessionColumns.js';
import { SessionIndex, type IndexQuery, type SessionFinding } from '../core/sessions/sessionIndex.js';
import type { JsonRow } from '../core/store/jsonRows.js';
import { collect, common, withEngine, wholeNumber, type CommonOptions } from './commonOptions.js';
import { printJson, printTable } from './output.js';

interface SessionsFlags extends CommonOptions {
  project?: string;
  since?: string;
  until?: string;
  timezone?: string;
  text?: string;
  has: string[];
  status: string[];
  sort: string;
  order?: string;
  limit: number;
  columns?: string;
  subagentsOf?: string;
}

const DEFAULT_COLUMNS: SessionColumnId[] = ['started', 'project', 'title', 'duration', 'messages', 'cost', 'errors', 'secrets'];
const FINDINGS: SessionFinding[] = ['secrets', 'errors'];
const STATUSES = ['processed', 'stale', 'pending', 'failed', 'quarantined'];

export function sessionsCommand(program: Command): void {
  common(program.command('sessions'), true)
    .description('the sessions under the root with what the processors found: title, project, cost, errors… (docs/sessions.md)')
    .option('--project <name>', "one project: its folder name, its full path, or Claude Code's encoded folder")
    .option('--since <date>', 'sessions that started on this local day or later (YYYY-MM-DD or YYYYMMDD)')
    .option('--until <date>', 'sessions that started on this local day or earlier')
    .option('--timezone <zone>', "IANA time zone of --since, --until and the times shown (default: the system's)")
    .option('--text <text>', 'titles, projects or paths containing this text')
    .option('--has <finding>', `sessions in which a processor found ${FINDINGS.join(' or ')} (repeatable)`, collect, [])
    .option('--status <status>', `sessions some processor has in this status: ${STATUSES.join(', ')} (repeatable)`, collect, [])
    .option('--sort <column>', `order by ${SESSION_COLUMN_IDS.join(', ')}`, 'started')
    .option('--order <asc|desc>', 'ascending or descending (default: desc, newest or largest first)')
    .option('--limit <n>', 'at most this many sessions', wholeNumber(1), 50)
    .option('--columns <ids>', `comma-separated columns to show (default: ${DEFAULT_COLUMNS.join(',')}; also status)`)
    .option('--subagents-of <key>', "list one session's subagent transcripts")
    .addHelpText(
      'after',
      `\nColumns:\n${SESSION_COLUMNS.map((c) => `  ${c.id.padEnd(9)} ${c.description}${c.processor ? ` (${c.processor})` : ''}`).join('\n')}\n`,
    )
    .action(async (flags: SessionsFlags) => {
      const { query, timeZone, columns } = sessionsQuery(flags);
      await withEngine(flags, async (engine) => {
        const index = new SessionIndex(engine.store.db);
        const [{ sessions }, { processors }] = await Promise.all([engine.scanWithArchive(), engine.plugins()]);
        await index.replaceSessions(sessions, engine.options.sessions);
        await index.replaceProcessors(processors);
        const page = await index.page(query);
        const rows = page.rows.map((row) => sessionJson(row, page.cells));
        if (flags.json) {
          printJson({ total: page.total, sessions: rows });
          return;
        }
        const shown = rows.map((row) => Object.fromEntries(columns.map((id) => [id, display(id, row, timeZone)])));
        printTable(shown, columns, emptyMessage(sessions.length));
        if (page.total > rows.length) process.stdout.write(`${rows.length} of ${page.total} sessions (--limit, --sort, filters)\n`);
        if (rows.some((r) => r.statuses.summary === 'pending' || r.statuses.tokens === 'pending')) {
          process.stdout.write('titles and costs come after the first run over a session: `session-inspector run` fills them in\n');
        }
      });
    });
}

/** The flags as a sessions-list query; bad values exit 2 naming their flag. */
export function sessionsQuery(flags: SessionsFlags): { query: IndexQuery; timeZone: string; columns: string[] } {
  const timeZone = flags.timezone === undefined ? systemTimeZone() : checkTimeZone(flags.timezone);
  const calendar = new ZoneCalendar(timeZone);
  const since = flags.since === undefined ? undefined : parseDay(flags.since, '--since');
  const until = flags.until === undefined ? undefined : parseDay(flags.until, '--until');
  if (since !== undefined && until !== undefined && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  if (!(SESSION_COLUMN_IDS as readonly string[]).includes(flags.sort))
    throw new UsageError(`--sort "${flags.sort}": choose one of ${SESSION_COLUMN_IDS.join(', ')}`);
  const order = flags.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new UsageError(`--order "${order}" must be asc or desc`);
  for (const finding of flags.has) if (!(FINDINGS as string[]).includes(finding)) throw new UsageError(`--has "${finding}": choose ${FINDINGS.join(' or ')}`);
  for (const status of flags.status) if (!STATUSES.includes(status)) throw new UsageError(`--status "${status}": choose one of ${STATUSES.join(', ')}`);
  if (flags.project !== undefined && flags.project.trim() === '') throw new UsageError('--project must name a project');
  const columns = flags.columns === undefined ? DEFAULT_COLUMNS : flags.columns.split(',').map((c) => c.trim());
  for (const column of columns) {
    if (column !== 'status' && !(SESSION_COLUMN_IDS as readonly string[]).includes(column)) {
      throw new UsageError(`--columns: "${column}" is not a column (${[...SESSION_COLUMN_IDS, 'status'].join(', ')})`);
    }
  }
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const query: IndexQuery = {
    offset: 0,
    limit: flags.limit,
    sort: { by: flags.sort as SessionColumnId, dir: order },
    project: flags.project,
    text: flags.text,
    has: flags.has as SessionFinding[],
    status: flags.status,
    startedFrom: since === undefined ? undefined : new Date(calendar.startOf(since)).toISOString(),
    startedTo: until === undefined ? undefined : new Date(calendar.startOf(nextDay(until))).toISOString(),
    parent: flags.subagentsOf,
  };
  return { query, timeZone, columns };
}

interface SessionJson {
  sessionFile: string;
  title: string | null;
  project: string | null;
  projectPath: string;
  branch: string | null;
  startedAt: string | null;
  durationS: number | null;
  messages: number | null;
  costUsd: number | null;
  toolErrors: number | null;
  secrets: number | null;
  sizeBytes: number;
  modifiedAt: string;
  subagents: number;
  statuses: Record<string, string>;
}

const orNull = <T>(value: unknown, as: (v: unknown) => T): T | null => (value === null || value === undefined ? null : as(value));

function sessionJson(row: JsonRow, cells: JsonRow[]): SessionJson {
  const key = String(row.session_file);
  return {
    sessionFile: key,
    title: orNull(row.title, String),
    project: orNull(row.project, String),
    projectPath: String(row.project_path),
    branch: orNull(row.branch, String),
    startedAt: orNull(row.started, (v) => new Date(Number(v)).toISOString()),
    durationS: orNull(row.duration, Number),
    messages: orNull(row.messages, Number),
    costUsd: orNull(row.cost, Number),
    toolErrors: orNull(row.errors, Number),
    secrets: orNull(row.secrets, Number),
    sizeBytes: Number(row.size),
    modifiedAt: new Date(Number(row.modified)).toISOString(),
    subagents: Number(row.subagents),
    statuses: Object.fromEntries(cells.filter((c) => c.session_file === key).map((c) => [String(c.processor), String(c.status)])),
  };
}

function display(column: string, row: SessionJson, timeZone: string): string {
  const time = (iso: string | null) =>
    iso === null ? '' : new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
  switch (column) {
    case 'title':
      return (row.title ?? '') + (row.subagents > 0 ? ` (+${row.subagents} subagent${row.subagents === 1 ? '' : 's'})` : '');
    case 'project':
      return row.project ?? '';
    case 'branch':
      return row.branch ?? '';
    case 'started':
      return time(row.startedAt);
    case 'duration':
      return row.durationS === null ? '' : duration(row.durationS);
    case 'messages':
      return row.messages === null ? '' : String(row.messages);
    case 'cost':
      return row.costUsd === null ? '' : `$${row.costUsd.toFixed(2)}`;
    case 'errors':
      return row.toolErrors === null ? '' : String(row.toolErrors);
    case 'secrets':
      return row.secrets === null ? '' : String(row.secrets);
    case 'path':
      return row.sessionFile;
    case 'size':
      return String(row.sizeBytes);
    case 'modified':
      return time(row.modifiedAt);
    default:
      return Object.entries(row.statuses)
        .map(([processor, status]) => `${processor}:${status}`)
        .join(' ');
  }
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

const emptyMessage = (scanned: number) => (scanned === 0 ? 'no sessions under the session folder (--sessions)' : 'no session matches the filters');
