// @ts-check
// The download rule of the destructive-command rules (destructiveRules.js): a download piped into, or
// substituted into, a program that runs it.
import { literal } from './shell.js';
import { SHELLS, invocation, shellArguments, shellEnv } from './commands.js';
import { UNKNOWN_HOME } from './paths.js';

/**
 * @typedef {import('./commands.js').Invocation} Invocation
 * @typedef {import('./destructiveRules.js').Match} Match
 * @typedef {import('./shell.js').Script} Script
 */

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
export function pipedDownload(stages) {
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
export function substitutedDownload(stage) {
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
