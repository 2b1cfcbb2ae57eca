// @ts-check
// The destructive-command rules, each over one command as it runs (see commands.js for how a command
// line becomes those): what is in quotes, echoed or in a heredoc is an argument or a body, so only a
// program that runs is ever judged. docs/processors.md lists each rule with what it does not catch.
import { literal } from './shell.js';
import { SHELLS, invocation, pathTarget, shellArguments, shellEnv, stdinText, walkCommandLine, wordText } from './commands.js';
import { UNKNOWN_HOME, displayPath, homeOf, outsideScope } from './paths.js';

/**
 * @typedef {import('./paths.js').Scope} Scope
 * @typedef {import('./commands.js').Invocation} Invocation
 * @typedef {import('./shell.js').Word} Word
 * @typedef {import('./shell.js').Script} Script
 * @typedef {'rm_rf_outside' | 'git_push_force' | 'git_push_force_with_lease' | 'git_reset_hard' | 'git_clean'
 *   | 'sql_drop' | 'sql_truncate' | 'chmod_world_writable' | 'download_to_shell'} Rule
 * `detail`: what exactly matched (the flags, the statement, the mode); `target`: what it acts on (a path,
 * a remote and refs, a table, a URL), null when the command does not say; `scope`: where a path target
 * lies (paths.js), null when inside the project or not a path; `source`: the pipeline it is in.
 * @typedef {{ rule: Rule, detail: string | null, target: string | null, scope: Scope | null }} Match
 * @typedef {Match & { source: string }} Finding
 */

/**
 * Every destructive command a Bash command line runs.
 * @param {string} commandLine
 * @param {string | null} cwd the shell's folder when the command started (the record's cwd), as a key
 * @param {string | null} project the session's project folder, as a key
 * @returns {Finding[]}
 */
export function destructiveFindings(commandLine, cwd, project) {
  const env = shellEnv(cwd ?? project, homeOf(project) ?? homeOf(cwd) ?? UNKNOWN_HOME);
  /** @type {Finding[]} */
  const findings = [];
  walkCommandLine(commandLine, env, (pipeline) => {
    const add = (/** @type {Match | null} */ match) => {
      if (match) findings.push({ ...match, source: pipeline.source });
    };
    pipeline.stages.forEach((stage, index) => {
      if (stage) for (const match of stageMatches(stage, pipeline.stages[index - 1] ?? null, project)) add(match);
    });
    add(pipedDownload(pipeline.stages));
  });
  return findings;
}

/**
 * @param {Invocation} stage
 * @param {Invocation | null} previous the stage before it in its pipeline
 * @param {string | null} project
 * @returns {Match[]}
 */
function stageMatches(stage, previous, project) {
  const matches = [...sqlMatches(stage, previous)];
  switch (stage.program) {
    case 'rm':
      matches.push(...rmMatches(stage, project));
      break;
    case 'git':
      matches.push(...gitMatches(stage.args));
      break;
    case 'chmod':
      matches.push(...chmodMatches(stage, project));
      break;
    case 'dropdb': {
      const operands = stage.args.map(literal).filter((a) => a !== null && !a.startsWith('-'));
      matches.push({ rule: 'sql_drop', detail: 'dropdb', target: operands[operands.length - 1] ?? null, scope: null });
      break;
    }
  }
  const substituted = substitutedDownload(stage);
  if (substituted) matches.push(substituted);
  return matches;
}

/** @param {string | null} arg a short option group such as -rf */
const shortGroup = (arg) => arg !== null && /^-[A-Za-z]+$/.test(arg);

/**
 * `rm` with both -r and -f, one match per target outside the project. Options may follow operands
 * (GNU rm reads them anywhere) until `--`.
 * @param {Invocation} stage
 * @param {string | null} project
 * @returns {Match[]}
 */
function rmMatches(stage, project) {
  let recursive = false;
  let force = false;
  let optionsEnded = false;
  /** @type {string[]} */
  const flags = [];
  /** @type {Word[]} */
  const operands = [];
  for (const word of stage.args) {
    const arg = literal(word);
    if (!optionsEnded && arg !== null && arg.startsWith('-') && arg !== '-') {
      if (arg === '--') optionsEnded = true;
      else {
        flags.push(arg);
        if (arg === '--recursive' || (shortGroup(arg) && /[rR]/.test(arg))) recursive = true;
        if (arg === '--force' || (shortGroup(arg) && arg.includes('f'))) force = true;
      }
    } else operands.push(word);
  }
  if (!recursive || !force) return [];
  /** @type {Match[]} */
  const matches = [];
  for (const word of operands) {
    const target = pathTarget(word, stage.env);
    const scope = target && outsideScope(target.key, project, target.wildcard);
    if (!target || !scope) continue;
    const shown = displayPath(target.key);
    matches.push({ rule: 'rm_rf_outside', detail: `rm ${flags.join(' ')}`, target: target.wildcard ? `${shown === '/' ? '' : shown}/*` : shown, scope });
  }
  return matches;
}

/** git's own options before the subcommand that take a value as the next word. */
const GIT_OPTIONS_WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix']);

/**
 * @param {Word[]} args git's arguments
 * @returns {Match[]}
 */
function gitMatches(args) {
  let i = 0;
  while (i < args.length) {
    const arg = literal(args[i]);
    if (arg === null || !arg.startsWith('-')) break;
    i += GIT_OPTIONS_WITH_VALUE.has(arg) ? 2 : 1;
  }
  const rest = args.slice(i + 1);
  switch (literal(args[i])) {
    case 'push':
      return pushMatches(rest);
    case 'reset': {
      if (!rest.some((word) => literal(word) === '--hard')) return [];
      const commit = rest.map(wordText).find((arg) => !arg.startsWith('-'));
      return [{ rule: 'git_reset_hard', detail: 'git reset --hard', target: commit ?? 'HEAD', scope: null }];
    }
    case 'clean':
      return cleanMatches(rest);
    default:
      return [];
  }
}

/**
 * A force push: `--force`/`-f` (in any short group) or a `+refspec`, else `--force-with-lease`, a
 * rule of its own (it refuses to overwrite work it has not seen). A dry run (`-n`) pushes nothing.
 * @param {Word[]} args
 * @returns {Match[]}
 */
function pushMatches(args) {
  /** @type {string | null} */ let force = null;
  /** @type {string | null} */ let lease = null;
  let dryRun = false;
  /** @type {string[]} */
  const operands = [];
  for (let j = 0; j < args.length; j++) {
    const arg = literal(args[j]);
    if (arg === null) operands.push(wordText(args[j]));
    else if (arg === '--') {
      operands.push(...args.slice(j + 1).map(wordText));
      break;
    } else if (arg === '--force') force ??= arg;
    else if (arg === '--force-with-lease' || arg.startsWith('--force-with-lease=')) lease ??= arg;
    else if (arg === '--no-force-with-lease') lease = null;
    else if (arg === '--dry-run') dryRun = true;
    else if (['-o', '--push-option', '--repo', '--receive-pack', '--exec'].includes(arg)) j++;
    else if (shortGroup(arg)) {
      if (arg.includes('f')) force ??= arg;
      if (arg.includes('n')) dryRun = true;
      if (arg.endsWith('o')) j++;
    } else if (!arg.startsWith('-')) operands.push(arg);
  }
  if (dryRun) return [];
  const target = operands.join(' ') || null;
  // The first operand is the remote; a refspec after it that starts with + is forced.
  const forcedRef = operands.slice(1).find((operand) => operand.startsWith('+'));
  if (force ?? forcedRef) return [{ rule: 'git_push_force', detail: `git push ${force ?? forcedRef}`, target, scope: null }];
  if (lease) return [{ rule: 'git_push_force_with_lease', detail: `git push ${lease}`, target, scope: null }];
  return [];
}

/**
 * `git clean` with -f (without it git refuses to delete), not a dry run: untracked files go, with -d
 * their folders, with -x/-X ignored files too (.env, build output).
 * @param {Word[]} args
 * @returns {Match[]}
 */
function cleanMatches(args) {
  let force = false;
  let dryRun = false;
  /** @type {string[]} */
  const flags = [];
  /** @type {string[]} */
  const paths = [];
  for (let j = 0; j < args.length; j++) {
    const arg = literal(args[j]);
    if (arg === null || !arg.startsWith('-')) {
      paths.push(wordText(args[j]));
      continue;
    }
    if (arg === '--') {
      paths.push(...args.slice(j + 1).map(wordText));
      break;
    }
    flags.push(arg);
    if (arg === '--force' || (shortGroup(arg) && arg.includes('f'))) force = true;
    if (arg === '--dry-run' || (shortGroup(arg) && arg.includes('n'))) dryRun = true;
    if (arg === '-e' || arg === '--exclude') j++;
  }
  if (!force || dryRun) return [];
  return [{ rule: 'git_clean', detail: `git clean ${flags.join(' ')}`, target: paths.join(' ') || null, scope: null }];
}

/**
 * Whether a chmod mode lets everyone write: an octal mode whose last digit has the write bit (777, 0666,
 * 1777), or a symbolic clause granting w to o or a (`o+w`, `a=rwx`). `+w` without who follows the umask
 * (usually 022), so it is not counted.
 * @param {string} mode
 */
export function worldWritable(mode) {
  if (/^[0-7]{1,4}$/.test(mode)) return (Number(mode[mode.length - 1]) & 2) !== 0;
  return mode.split(',').some((clause) => {
    const match = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    return match !== null && /[oa]/.test(match[1]) && match[2] !== '-' && match[3].includes('w');
  });
}

/**
 * @param {Invocation} stage
 * @param {string | null} project
 * @returns {Match[]}
 */
function chmodMatches(stage, project) {
  let recursive = false;
  /** @type {string | null} */ let mode = null;
  /** @type {Word[]} */
  const operands = [];
  for (const word of stage.args) {
    const arg = literal(word);
    if (mode !== null) operands.push(word);
    else if (arg === '-R' || arg === '--recursive' || (shortGroup(arg) && arg?.includes('R') && !/^-[rwxXst]+$/.test(arg ?? ''))) recursive = true;
    else if (arg?.startsWith('--reference'))
      return []; // the mode comes from a file
    else if (arg !== null && (arg.startsWith('--') || /^-[cfv]+$/.test(arg))) continue;
    else mode = arg ?? wordText(word);
  }
  if (mode === null || !worldWritable(mode)) return [];
  return operands.map((word) => {
    const target = pathTarget(word, stage.env);
    const scope = target ? outsideScope(target.key, project, target.wildcard) : null;
    return { rule: 'chmod_world_writable', detail: `chmod ${recursive ? '-R ' : ''}${mode}`, target: target ? displayPath(target.key) : wordText(word), scope };
  });
}

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
function sqlMatches(stage, previous) {
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

/** curl's short options that take a value (the rest of the group, or the next word). */
const CURL_SHORT_WITH_VALUE = 'AbcCdDeEFHKmoPQrtTuUwxXyYz';
const CURL_LONG_WITH_VALUE = new Set([
  '--header',
  '--data',
  '--data-raw',
  '--data-binary',
  '--data-urlencode',
  '--user',
  '--request',
  '--user-agent',
  '--referer',
  '--max-time',
  '--connect-timeout',
  '--retry',
  '--form',
  '--cookie',
  '--cookie-jar',
  '--proto',
  '--cacert',
  '--cert',
  '--key',
  '--config',
  '--output-dir',
  '--write-out',
  '--proxy',
  '--resolve',
  '--range',
  '--upload-file',
]);
const WGET_SHORT_WITH_VALUE = 'oaeiBtTwPUlADIXQ';
const WGET_LONG_WITH_VALUE = new Set([
  '--output-file',
  '--append-output',
  '--execute',
  '--header',
  '--user',
  '--password',
  '--tries',
  '--timeout',
  '--directory-prefix',
  '--user-agent',
  '--post-data',
  '--input-file',
]);

/**
 * When the stage downloads to stdout: { url } (null when the URL is in a variable); null otherwise.
 * curl writes to stdout unless told -o FILE / -O; wget only with -O - (or -O /dev/stdout).
 * @param {Invocation} stage
 * @returns {{ url: string | null } | null}
 */
function downloadToStdout(stage) {
  const curl = stage.program === 'curl';
  if (!curl && stage.program !== 'wget') return null;
  const toStdout = (/** @type {string | null} */ file) => file === '-' || file === '/dev/stdout';
  let stdout = curl;
  /** @type {string | null} */ let url = null;
  const args = stage.args;
  for (let j = 0; j < args.length; j++) {
    const arg = literal(args[j]);
    if (arg === null) continue;
    if (arg.startsWith('--')) {
      const [name, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
      const takeValue = () => value ?? literal(args[++j]);
      if (curl && name === '--output') stdout = toStdout(takeValue());
      else if (curl && (name === '--remote-name' || name === '--remote-name-all')) stdout = false;
      else if (!curl && name === '--output-document') stdout = toStdout(takeValue());
      else if (name === '--url') url ??= takeValue();
      else if (value === null && (curl ? CURL_LONG_WITH_VALUE : WGET_LONG_WITH_VALUE).has(name)) j++;
    } else if (/^-[A-Za-z0-9#:]/.test(arg)) {
      for (let k = 1; k < arg.length; k++) {
        const option = arg[k];
        if (curl && option === 'O') stdout = false;
        const takesValue = curl ? CURL_SHORT_WITH_VALUE.includes(option) : option === 'O' || WGET_SHORT_WITH_VALUE.includes(option);
        if (!takesValue) continue;
        const value = k + 1 < arg.length ? arg.slice(k + 1) : literal(args[++j]);
        if ((curl && option === 'o') || (!curl && option === 'O')) stdout = toStdout(value);
        break;
      }
    } else url ??= arg;
  }
  return stdout ? { url } : null;
}

const INTERPRETERS = /^(?:python[0-9.]*|perl|ruby|node|php)$/;
/** Options that give an interpreter its program on the command line, so stdin is data. */
const INLINE_PROGRAM = ['-c', '-m', '-e', '-E', '-p', '-r', '--eval', '--print'];

/**
 * Whether the stage runs what it reads on stdin: a shell without -c or a script file (or with -s / -),
 * or python/perl/ruby/node/php with neither an inline program nor a script file.
 * @param {Invocation} stage
 */
function runsStdin(stage) {
  if (SHELLS.has(stage.program)) {
    const shell = shellArguments(stage.args);
    return shell.command === null && shell.readsStdin;
  }
  if (!INTERPRETERS.test(stage.program)) return false;
  for (const word of stage.args) {
    const arg = literal(word);
    if (arg === '-') return true;
    if (arg === null || !arg.startsWith('-')) return false; // a script file
    if (INLINE_PROGRAM.some((option) => arg === option || (option.length === 2 && arg.startsWith(option)))) return false;
  }
  return true;
}

/**
 * `curl … | sh`, `wget -O- … | sudo bash -s`, `curl … | python3 -`: a download piped into a program
 * that runs it.
 * @param {(Invocation | null)[]} stages
 * @returns {Match | null}
 */
function pipedDownload(stages) {
  for (let i = 0; i < stages.length; i++) {
    const downloader = stages[i];
    const download = downloader && downloadToStdout(downloader);
    if (!downloader || !download) continue;
    const runner = stages.slice(i + 1).find((stage) => stage !== null && runsStdin(stage));
    if (runner) return { rule: 'download_to_shell', detail: `${downloader.program} | ${runner.program}`, target: download.url, scope: null };
  }
  return null;
}

/**
 * `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(wget -qO- …)"`, `source <(curl …)`: a download run
 * through a substitution.
 * @param {Invocation} stage
 * @returns {Match | null}
 */
function substitutedDownload(stage) {
  if (!SHELLS.has(stage.program) && !['eval', 'source', '.'].includes(stage.program)) return null;
  for (const word of stage.args) {
    for (const part of word.parts) {
      if (typeof part === 'string' || part.kind !== 'command') continue;
      const download = scriptDownload(part.script);
      if (download) {
        const form = part.process ? `${stage.program} <(${download.program} …)` : `${stage.program} "$(${download.program} …)"`;
        return { rule: 'download_to_shell', detail: form, target: download.url, scope: null };
      }
    }
  }
  return null;
}

/** @param {Script} script */
function scriptDownload(script) {
  for (const node of script.nodes) {
    if (node.kind !== 'command') continue;
    const stage = invocation(node, shellEnv(null, UNKNOWN_HOME));
    const download = stage && downloadToStdout(stage);
    if (stage && download) return { program: stage.program, url: download.url };
  }
  return null;
}
