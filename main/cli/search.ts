import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { SessionArchive, withGone } from '../core/archive/sessionArchive.js';
import { UsageError, errorMessage } from '../core/errors.js';
import { archiveFolder, defaultSessionRoot, userDataDir } from '../core/paths.js';
import { checkTimeZone, parseDay, systemTimeZone, ZoneCalendar } from '../core/reports/calendar.js';
import { scanSessionRoot, type ScanResult } from '../core/scan.js';
import type { SessionEntry } from '../core/sessionFile.js';
import { SearchIndex, SEARCH_INDEX_FILE, type SearchQuery } from '../core/search/searchIndex.js';
import type { SearchHit } from '../core/search/searchQuery.js';
import { SEARCH_ROLES, type SearchRole } from '../core/search/searchText.js';
import { archiveOptions, positiveSeconds, wholeNumber } from './commonOptions.js';
import { printJson } from './output.js';

interface SearchFlags {
  sessions: string;
  regex?: boolean;
  role?: string;
  project?: string;
  since?: string;
  timezone?: string;
  limit: number;
  offset: number;
  timeLimit: number;
  update: boolean;
  json?: boolean;
  archive?: string | false;
}

/**
 * The scan's sessions and the archived ones whose source is gone (indexed from their archived copy). An
 * archive that cannot be opened (the app holds it) is said on stderr: the live sessions are searched anyway.
 */
async function withArchived(scan: ScanResult, choice: string | false | undefined): Promise<SessionEntry[]> {
  const folder = archiveFolder(choice);
  if (folder === undefined || !existsSync(folder)) return scan.sessions;
  try {
    const archive = await SessionArchive.open(folder);
    try {
      return withGone(scan.sessions, await archive.goneEntries(scan));
    } finally {
      await archive.close();
    }
  } catch (error) {
    process.stderr.write(`note: ${errorMessage(error)}; sessions deleted before they were indexed are not searched\n`);
    return scan.sessions;
  }
}

/** `search TEXT`: full-text search over every session of the root (docs/search.md). */
export function searchCommand(program: Command): void {
  archiveOptions(program.command('search'))
    .description('find text in every session, live or deleted: prompts, replies, tool calls and results (docs/search.md)')
    .argument('<text>', 'the text to find (any case), or an RE2 regular expression with --regex')
    .option('--sessions <dir>', 'session root (default: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects)', defaultSessionRoot())
    .option('--regex', 'TEXT is an RE2 regular expression (case as written; (?i) for any case)')
    .addOption(
      new Option('--role <role>', 'only text of this role: user (prompts), assistant (replies, thinking), tool (calls and results)').choices(SEARCH_ROLES),
    )
    .option('--project <name>', "one project: its folder name, its full path, or Claude Code's encoded folder")
    .option('--since <date>', 'hits from this local day on (YYYY-MM-DD or YYYYMMDD)')
    .option('--timezone <zone>', "IANA time zone of --since and the times shown (default: the system's)")
    .option('--limit <n>', 'at most this many hits', wholeNumber(1), 50)
    .option('--offset <n>', 'skip this many hits first (the next page)', wholeNumber(0), 0)
    .option('--time-limit <seconds>', 'stop a search that takes longer', positiveSeconds, 30)
    .option('--no-update', 'search the index as it is, without reading sessions that changed since they were indexed')
    .option('--json', 'print machine-readable JSON on stdout')
    .addHelpText(
      'after',
      `\nThe index is ${SEARCH_INDEX_FILE} in the per-user data folder; the first search builds it, later ones read only\n` +
        'sessions that changed. Hits are newest session first, then by line; exit 2 for a bad flag or pattern.\n',
    )
    .action(async (text: string, flags: SearchFlags) => {
      const query = searchQuery(text, flags);
      const index = await SearchIndex.open(userDataDir());
      try {
        const scan = await scanSessionRoot(flags.sessions);
        if (flags.update) await index.update(scan.root, await withArchived(scan, flags.archive), { onProgress: progressLine() });
        const page = await index.search(scan.root, query);
        if (flags.json) printJson({ hits: page.hits, more: page.more, indexedSessions: page.index.indexed });
        else printHits(page.hits, page.more, flags);
      } finally {
        await index.close();
      }
    });
}

/** The flags as a search query; bad values exit 2 naming their flag (a bad pattern is refused by the index, naming TEXT). */
export function searchQuery(text: string, flags: SearchFlags): SearchQuery {
  if (text === '') throw new UsageError('TEXT: give the text to search for');
  const timeZone = flags.timezone === undefined ? systemTimeZone() : checkTimeZone(flags.timezone);
  const since = flags.since === undefined ? undefined : parseDay(flags.since, '--since');
  if (flags.project !== undefined && flags.project.trim() === '') throw new UsageError('--project must name a project');
  return {
    text,
    argument: 'TEXT',
    ...(flags.regex ? { regex: true } : {}),
    ...(flags.role ? { roles: [flags.role as SearchRole] } : {}),
    ...(flags.project !== undefined ? { project: flags.project } : {}),
    ...(since !== undefined ? { sinceMs: new ZoneCalendar(timeZone).startOf(since) } : {}),
    offset: flags.offset,
    limit: flags.limit,
    timeLimitMs: flags.timeLimit * 1000,
  };
}

/** Progress on stderr while the index catches up (a terminal only: logs get the summary line). */
function progressLine(): (p: { done: number; total: number }) => void {
  let shown = 0;
  return ({ done, total }) => {
    if (!process.stderr.isTTY || (done < total && Date.now() - shown < 200)) return;
    shown = Date.now();
    process.stderr.write(`\rindexing sessions for search: ${done} of ${total}${done === total ? '\n' : ''}`);
  };
}

/** One hit a block: where (session:line, role, time), then the snippet on one line with the match in [[ ]]. */
function printHits(hits: SearchHit[], more: boolean, flags: SearchFlags): void {
  if (hits.length === 0) {
    process.stdout.write('no hits\n');
    return;
  }
  const mark = process.stdout.isTTY ? (m: string) => `\x1b[7m${m}\x1b[27m` : (m: string) => `[[${m}]]`;
  // A transcript's control characters must never reach the terminal as control.
  // eslint-disable-next-line no-control-regex -- matching them is the point
  const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
  for (const hit of hits) {
    process.stdout.write(`${hit.sessionKey}:${hit.lineNo}  ${hit.role}  ${hit.time ?? ''}\n`);
    process.stdout.write(`  ${oneLine(hit.before)}${mark(oneLine(hit.match))}${oneLine(hit.after)}\n`);
  }
  if (more) process.stdout.write(`more hits follow: --offset ${flags.offset + hits.length}\n`);
}
