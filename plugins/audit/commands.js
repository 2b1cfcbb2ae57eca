// @ts-check
// From a parsed command line to the commands it runs, in order, each with its program, its arguments and
// the shell state it runs in. What the rules would otherwise each get wrong is done here once:
// - wrappers are looked through: `sudo -u x`, `env A=1`, `time`, `nice`, `nohup`, `timeout 5`, `exec`,
//   `command` (but `command -v` runs nothing), and keywords (`if`, `then`, `do`, `!`, `{`);
// - what a shell is given to run is walked too: `bash -c '…'`, `eval …`, a heredoc or here-string fed
//   to a shell, `echo '…' | sh`, and every `$(…)`, backtick and `<(…)` substitution;
// - state carries over between commands: `cd`/`pushd`/`popd`, `NAME=value` and `export NAME=value`, but
//   not out of a `( … )` subshell or a substitution, nor from a pipeline's commands (each runs apart).
// Loops run once, in order, and both branches of an `if` count: a rule sees every command that may run.
import { UNKNOWN, expandWord, pathTarget } from './expansion.js';
import { literal, parseShell } from './shell.js';

export { UNKNOWN, expandWord, pathTarget };

/**
 * @typedef {import('./shell.js').Word} Word
 * @typedef {import('./shell.js').Command} Command
 * @typedef {import('./shell.js').Script} Script
 * The shell state commands see: the working folder (a path key, null once unknown), the home folder,
 * variables set earlier, and pushd's stack.
 * @typedef {{ cwd: string | null, home: string, vars: Map<string, string>, dirs: (string | null)[] }} ShellEnv
 * One command as it runs: its program's name (no folder), its arguments, the command it came from, and
 * the state it runs in (read it during the visit: later commands change it).
 * @typedef {{ program: string, args: Word[], command: Command, env: ShellEnv }} Invocation
 * A pipeline's commands (a null stage has no program we can name: only assignments, `$CMD`, a loop
 * header) and its source text.
 * @typedef {{ stages: (Invocation | null)[], source: string }} Pipeline
 */

/** A bound on `bash -c "bash -c '…'"` nesting: no real command needs more, a hostile one could. */
const MAX_DEPTH = 8;

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish']);
/** Words that may open a command without being its program. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'fi', 'done', 'esac']);
/** Commands that run nothing themselves: a loop header, a case. */
const NOT_COMMANDS = new Set(['for', 'case', 'select']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * Calls `visit` for every pipeline the command line runs, nested ones included.
 * @param {string} text
 * @param {ShellEnv} env changed as the commands change it
 * @param {(pipeline: Pipeline) => void} visit
 */
export function walkCommandLine(text, env, visit) {
  walkScript(parseShell(text), env, visit, 0);
}

/**
 * @param {string | null} cwd the shell's working folder (a path key)
 * @param {string} home
 * @returns {ShellEnv}
 */
export const shellEnv = (cwd, home) => ({ cwd, home, vars: new Map(), dirs: [] });

/** @param {ShellEnv} env */
const fork = (env) => ({ cwd: env.cwd, home: env.home, vars: new Map(env.vars), dirs: [...env.dirs] });

/**
 * @param {Script} script
 * @param {ShellEnv} env
 * @param {(pipeline: Pipeline) => void} visit
 * @param {number} depth
 */
function walkScript(script, env, visit, depth) {
  if (depth > MAX_DEPTH) return;
  /** @type {ShellEnv[]} */
  const subshells = [];
  /** @type {Command[]} */
  let pipeline = [];
  const flush = () => {
    if (pipeline.length > 0) runPipeline(pipeline, env, visit, depth);
    pipeline = [];
  };
  for (const node of script.nodes) {
    if (node.kind === 'enter') {
      flush();
      subshells.push(fork(env));
    } else if (node.kind === 'leave') {
      flush();
      const outer = subshells.pop();
      if (outer) Object.assign(env, outer);
    } else {
      if (!node.pipedFrom) flush();
      pipeline.push(node);
    }
  }
  flush();
}

/**
 * @param {Command[]} commands
 * @param {ShellEnv} env
 * @param {(pipeline: Pipeline) => void} visit
 * @param {number} depth
 */
function runPipeline(commands, env, visit, depth) {
  const stages = commands.map((command) => {
    // Substitutions run before their command, in a copy of the state (what they change stays there).
    for (const script of substitutions(command)) walkScript(script, fork(env), visit, depth + 1);
    return invocation(command, env);
  });
  stages.forEach((stage, index) => {
    const inner = stage && innerScript(stage, stages[index - 1] ?? null);
    if (inner) walkScript(parseShell(inner), fork(env), visit, depth + 1);
  });
  const last = commands[commands.length - 1];
  visit({ stages, source: commands[0].text.slice(commands[0].start, last.end) });
  // A pipeline of several commands runs each in a subshell: only a lone command changes this shell.
  if (commands.length === 1) changeState(commands[0], stages[0], env);
}

/** @param {Command} command */
function substitutions(command) {
  /** @type {Script[]} */
  const scripts = [];
  const words = [...command.words, ...command.hereStrings, ...command.redirects.flatMap((r) => (r.target ? [r.target] : []))];
  for (const word of words) for (const part of word.parts) if (typeof part !== 'string' && part.kind === 'command') scripts.push(part.script);
  return scripts;
}

/** @param {Word | undefined} word */
const isAssignment = (word) => word !== undefined && typeof word.parts[0] === 'string' && ASSIGNMENT.test(word.parts[0]);

/**
 * The command's program and arguments, looking through keywords, assignments and wrappers; null when
 * it runs no program we can name.
 * @param {Command} command
 * @param {ShellEnv} env
 * @returns {Invocation | null}
 */
export function invocation(command, env) {
  const words = command.words;
  let i = 0;
  while (i < words.length && KEYWORDS.has(literal(words[i]) ?? '')) i++;
  if (i < words.length && NOT_COMMANDS.has(literal(words[i]) ?? '')) return null;
  // `function name {` opens a body whose commands follow on the same line.
  if (literal(words[i]) === 'function') for (i += 2; KEYWORDS.has(literal(words[i]) ?? '');) i++;
  for (;;) {
    while (isAssignment(words[i])) i++;
    const name = i < words.length ? literal(words[i]) : null;
    if (name === null) return null;
    const program = name.slice(name.lastIndexOf('/') + 1);
    const next = afterWrapper(program, words, i);
    if (next === null) return null;
    if (next === -1) return { program, args: words.slice(i + 1), command, env };
    i = next;
  }
}

/**
 * Where the wrapped command starts when `program` (at index i) is a wrapper; -1 when it is not one,
 * null when it runs nothing (`command -v rm`).
 * @param {string} program
 * @param {Word[]} words
 * @param {number} i
 * @returns {number | null}
 */
function afterWrapper(program, words, i) {
  switch (program) {
    case 'sudo':
    case 'doas':
      return skipOptions(words, i + 1, ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '-R']);
    case 'env':
      return skipOptions(words, i + 1, ['-u', '-C', '--unset', '--chdir']);
    case 'command':
      return ['-v', '-V'].includes(literal(words[i + 1]) ?? '') ? null : skipOptions(words, i + 1, []);
    case 'exec':
      return skipOptions(words, i + 1, ['-a']);
    case 'time':
      return skipOptions(words, i + 1, ['-f', '-o']);
    case 'nice':
      return skipOptions(words, i + 1, ['-n']);
    case 'ionice':
      return skipOptions(words, i + 1, ['-c', '-n', '-p']);
    case 'stdbuf':
      return skipOptions(words, i + 1, ['-i', '-o', '-e']);
    case 'timeout':
      return skipOptions(words, i + 1, ['-s', '-k']) + 1; // then its duration
    case 'builtin':
    case 'nohup':
    case 'chronic':
      return i + 1;
    default:
      return -1;
  }
}

/**
 * The index after the options starting at `i` (`--` ends them).
 * @param {Word[]} words
 * @param {number} i
 * @param {string[]} withArgument options whose value is the next word
 */
function skipOptions(words, i, withArgument) {
  while (i < words.length) {
    const option = literal(words[i]);
    if (option === '--') return i + 1;
    if (option === null || !option.startsWith('-') || option === '-') return i;
    i += withArgument.includes(option) ? 2 : 1;
  }
  return i;
}

/**
 * A shell's arguments: the script it is given with -c, or whether it reads its commands from stdin
 * (no script file named, `-s`, or `-`).
 * @param {Word[]} args
 * @returns {{ command: Word | null, readsStdin: boolean }}
 */
export function shellArguments(args) {
  let dashC = false;
  let dashS = false;
  for (let j = 0; j < args.length; j++) {
    const arg = literal(args[j]);
    if (arg === '-') return { command: null, readsStdin: true };
    if (arg === '--') {
      j++;
    } else if (arg !== null && /^[-+][A-Za-z]+$/.test(arg)) {
      if (arg[0] === '-' && arg.includes('c')) dashC = true;
      if (arg[0] === '-' && arg.includes('s')) dashS = true;
      if (/^[-+][oO]$/.test(arg)) j++; // -o pipefail, -O extglob
      continue;
    } else if (arg !== null && arg.startsWith('--')) {
      if (arg === '--rcfile' || arg === '--init-file') j++;
      continue;
    }
    if (j >= args.length) break;
    // The first operand: the -c script, the positional parameters after -s, or a script file.
    if (dashC) return { command: args[j], readsStdin: false };
    return { command: null, readsStdin: dashS };
  }
  return { command: null, readsStdin: !dashC };
}

/**
 * A word as shell text to parse again (bash -c, eval): variables stay variables, substitutions become
 * an unknown variable.
 * @param {Word} word
 */
export function wordText(word) {
  return word.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind === 'var') return `\${${part.name}}`;
      if (part.kind === 'home') return `~${part.user}`;
      return '${__SUBSTITUTION__}';
    })
    .join('');
}

/**
 * What a command reads on stdin, when the command line says: its heredocs and here-strings, else what
 * an `echo`/`printf` or a `cat <<EOF` before it in the pipeline writes.
 * @param {Invocation} stage
 * @param {Invocation | null} previous
 * @returns {string | null}
 */
export function stdinText(stage, previous) {
  const own = [...stage.command.heredocs.map((h) => h.body), ...stage.command.hereStrings.map(wordText)];
  if (own.length > 0) return own.join('\n');
  if (previous === null) return null;
  if (previous.program === 'echo' || previous.program === 'printf') {
    let args = previous.args;
    while (args.length > 0 && /^-[neE]+$/.test(literal(args[0]) ?? '')) args = args.slice(1);
    return args.map(wordText).join(' ');
  }
  if (previous.program === 'cat' && previous.args.length === 0) return stdinText(previous, null);
  return null;
}

/**
 * The script a command runs that is written on its own command line: `bash -c '…'`, `eval …`, or a
 * shell reading stdin that the command line supplies.
 * @param {Invocation} stage
 * @param {Invocation | null} previous
 */
function innerScript(stage, previous) {
  if (stage.program === 'eval') return stage.args.map(wordText).join(' ');
  if (!SHELLS.has(stage.program)) return null;
  const shell = shellArguments(stage.args);
  if (shell.command) return wordText(shell.command);
  return shell.readsStdin ? stdinText(stage, previous) : null;
}

/**
 * What a lone command changes in the shell: its folder (cd, pushd, popd) and its variables.
 * @param {Command} command
 * @param {Invocation | null} stage
 * @param {ShellEnv} env
 */
function changeState(command, stage, env) {
  if (stage === null) {
    if (command.words.length > 0 && command.words.every(isAssignment)) for (const word of command.words) assign(word, env);
    return;
  }
  const operands = stage.args.filter((word) => !/^-[A-Za-z]+$/.test(literal(word) ?? ''));
  switch (stage.program) {
    case 'pushd':
      env.dirs.push(env.cwd);
    // falls through: pushd DIR changes the folder as cd does
    case 'cd': {
      const target = operands[0];
      if (target === undefined)
        env.cwd = stage.program === 'cd' ? env.home : null; // pushd alone swaps with a folder we may not know
      else if (literal(target) === '-') env.cwd = null;
      else {
        const path = pathTarget(target, env);
        env.cwd = path && !path.wildcard ? path.key : null;
      }
      break;
    }
    case 'popd':
      env.cwd = env.dirs.length > 0 ? (env.dirs.pop() ?? null) : null;
      break;
    case 'export':
    case 'declare':
    case 'local':
    case 'readonly':
    case 'typeset':
      for (const word of stage.args) if (isAssignment(word)) assign(word, env);
      break;
    case 'unset':
      for (const word of operands) env.vars.delete(literal(word) ?? '');
      break;
  }
}

/**
 * `NAME=value`: remembered when its value is known, forgotten otherwise (an old value would mislead).
 * @param {Word} word
 * @param {ShellEnv} env
 */
function assign(word, env) {
  const text = expandWord(word, env);
  const match = ASSIGNMENT.exec(text);
  if (!match) return;
  const value = text.slice(match[0].length);
  if (value.includes(UNKNOWN)) env.vars.delete(match[1]);
  else env.vars.set(match[1], value);
}
