// @ts-check
// What a word of a command line expands to, as far as the shell state known to commands.js says: variables
// set earlier, the home folder, `$(pwd)`; and the path a word names.
import { literal } from './shell.js';
import { UNKNOWN_HOME, isAbsolute, pathKey } from './paths.js';

/**
 * @typedef {import('./shell.js').Word} Word
 * @typedef {import('./shell.js').Script} Script
 * @typedef {import('./commands.js').ShellEnv} ShellEnv
 */

/** Marks a part of an expanded word whose value is unknown (an unset variable, a command's output). */
export const UNKNOWN = '\u0000';

/**
 * The word's value as far as it is known, with UNKNOWN where it is not.
 * @param {Word} word
 * @param {ShellEnv} env
 */
export function expandWord(word, env) {
  let text = '';
  for (const part of word.parts) {
    if (typeof part === 'string') text += part;
    else if (part.kind === 'var') text += variable(part.name, env) ?? UNKNOWN;
    else if (part.kind === 'home') text += part.user === '' ? env.home : otherHome(part.user, env.home);
    else if (part.kind === 'command' && !part.process && isPwd(part.script)) text += env.cwd ?? UNKNOWN;
    else text += UNKNOWN;
  }
  return text;
}

/**
 * @param {string} name
 * @param {ShellEnv} env
 */
function variable(name, env) {
  const set = env.vars.get(name);
  if (set !== undefined) return set;
  if (name === 'HOME') return env.home;
  if (name === 'PWD') return env.cwd;
  // Its real value is per machine (macOS: /var/folders/…); what matters to the rules is that it is temporary.
  if (name === 'TMPDIR') return '/tmp';
  return null;
}

/**
 * `~user`: beside the home folder we know, or a home folder of unknown place.
 * @param {string} user
 * @param {string} home
 */
function otherHome(user, home) {
  if (home === UNKNOWN_HOME || home === '/root') return `${UNKNOWN_HOME}${user}`;
  return `${home.slice(0, home.lastIndexOf('/'))}/${user}`;
}

/** `$(pwd)`: the working folder. @param {Script} script */
function isPwd(script) {
  const [node] = script.nodes;
  return script.nodes.length === 1 && node.kind === 'command' && node.words.length === 1 && literal(node.words[0]) === 'pwd';
}

/**
 * The path a word names, as a key, or null when it cannot be known (it starts with an unknown
 * variable, or is relative with no working folder). A wildcard or an unknown part in a segment makes
 * the target everything in the folder before that segment (`/tmp/build-*`, `"$HOME/$X"`).
 * @param {Word} word
 * @param {ShellEnv} env
 * @returns {{ key: string, wildcard: boolean } | null}
 */
export function pathTarget(word, env) {
  const text = expandWord(word, env);
  if (text === '' || text.startsWith(UNKNOWN)) return null;
  const absolute = isAbsolute(text) ? text : env.cwd === null ? null : `${env.cwd}/${text}`;
  if (absolute === null) return null;
  const segments = absolute.split('/');
  const open = segments.findIndex((segment) => segment.includes(UNKNOWN) || /[*?[]/.test(segment));
  if (open === -1) return { key: pathKey(absolute), wildcard: false };
  return { key: pathKey(segments.slice(0, open).join('/') || '/'), wildcard: true };
}
