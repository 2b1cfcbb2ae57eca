// @ts-check
// The destructive-command rules, each over one command as it runs (see commands.js for how a command
// line becomes those): what is in quotes, echoed or in a heredoc is an argument or a body, so only a
// program that runs is ever judged. docs/processors.md lists each rule with what it does not catch.
import { literal } from './shell.js';
import { pathTarget, shellEnv, walkCommandLine, wordText } from './commands.js';
import { pipedDownload, substitutedDownload } from './downloadRules.js';
import { UNKNOWN_HOME, displayPath, homeOf, outsideScope } from './paths.js';
import { sqlMatches } from './sqlRules.js';

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
