// @ts-check
// The SQL rule of the destructive-command rules (destructiveRules.js): DROP and TRUNCATE statements given
// to a database client.
import { literal } from './shell.js';
import { stdinText, wordText } from './commands.js';

/**
 * @typedef {import('./commands.js').Invocation} Invocation
 * @typedef {import('./destructiveRules.js').Match} Match
 */

/** Database clients whose arguments and stdin are SQL (or carry it, as -c / -e / --command). */
const SQL_CLIENTS = new Set([
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlite',
  'duckdb',
  'sqlcmd',
  'clickhouse',
  'clickhouse-client',
  'cockroach',
  'snowsql',
  'bq',
  'trino',
  'presto',
  'spark-sql',
  'beeline',
  'impala-shell',
  'vsql',
  'usql',
  'pgcli',
  'mycli',
  'litecli',
  'wrangler',
]);
/** Commands that run another command given as their arguments: `docker exec db psql -c …`. */
const RUNNERS = new Set(['docker', 'podman', 'nerdctl', 'docker-compose', 'kubectl', 'ssh']);
/** A destructive statement at the start of a statement (after `;` or a line start), comments removed. */
const SQL_STATEMENT = /(?:^|;)\s*(DROP\s+(?:TABLE|DATABASE|SCHEMA)|TRUNCATE(?:\s+TABLE)?)\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?([^\s;,()]+)/gim;

/**
 * DROP TABLE|DATABASE|SCHEMA and TRUNCATE given to a database client: in its arguments, a heredoc or
 * here-string, or piped from echo/printf/cat. The same words anywhere else (a grep, a commit message, a
 * file being written) are not statements being run.
 * @param {Invocation} stage
 * @param {Invocation | null} previous
 * @returns {Match[]}
 */
export function sqlMatches(stage, previous) {
  let from = -1;
  if (SQL_CLIENTS.has(stage.program)) from = 0;
  else if (RUNNERS.has(stage.program)) {
    const client = stage.args.findIndex((word) => SQL_CLIENTS.has((literal(word) ?? '').split('/').pop() ?? ''));
    if (client >= 0) from = client + 1;
  }
  if (from < 0) return [];
  // `--command=DROP …`: the value is the SQL.
  const texts = stage.args.slice(from).map((word) => wordText(word).replace(/^--[a-z-]+=/, ''));
  const stdin = stdinText(stage, previous);
  if (stdin !== null) texts.push(stdin);
  /** @type {Match[]} */
  const matches = [];
  for (const text of texts) {
    const sql = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|\s)--[^\n]*/g, '$1');
    for (const match of sql.matchAll(SQL_STATEMENT)) {
      const statement = match[1].toUpperCase().replace(/\s+/g, ' ');
      matches.push({ rule: statement.startsWith('DROP') ? 'sql_drop' : 'sql_truncate', detail: statement, target: match[2], scope: null });
    }
  }
  return matches;
}
