// @ts-check
// Where a path is relative to the session's project: the one rule both `rm -rf` targets (destructive-
// commands) and written files (outside-writes) are judged by.
//
// The project is where Claude Code was started, not each record's own `cwd`: a record's cwd follows the
// Bash tool's shell, so after `cd src` a write to the project's README would otherwise read as outside.
// It is the session's first non-empty cwd (as session_summaries.cwd), or the folder above it that the
// session's own folder is named after (projectFolder): a subagent's file starts wherever the parent's
// shell was.
//
// Paths are compared as text after normalising `.`, `..` and repeated separators. Windows paths
// (`C:\Users\…`) are compared without regard to case, with `\` read as `/`; POSIX paths are case-
// sensitive (a macOS volume that is not would make `/Users/A/x` outside `/Users/a`). Symbolic links are
// not followed: the files are on another machine, or gone.
import path from 'node:path';

/**
 * Where a path outside the project lies:
 * - `root`: the file system root itself (or its contents, through a wildcard);
 * - `home`: a home folder itself (`~`, `/home/alice`, `/Users/bob`, `C:\Users\carol`);
 * - `ancestor`: a folder that holds the project, or the project folder itself;
 * - `temp`: inside a temporary folder (`/tmp`, `/var/tmp`, macOS's `/var/folders`, …);
 * - `claude`: inside Claude Code's own folder `~/.claude` (plan mode writes its plans there);
 * - `outside`: anywhere else.
 * @typedef {'root' | 'home' | 'ancestor' | 'temp' | 'claude' | 'outside'} Scope
 */

/** Stands for the home folder when no path says where it is (`~` with a cwd outside any home). */
export const UNKNOWN_HOME = '/~';

const WINDOWS_PATH = /^[A-Za-z]:[\\/]|^\\\\/;
/** A home folder and what follows it: /home/x, /Users/x, /root, C:\Users\x (as a key), or ~user. */
const HOME_PREFIX = /^(\/(?:home|Users)\/[^/]+|\/root|\/[a-z]:\/users\/[^/]+|\/~[^/]*)(\/.*)?$/;
const TEMP = [
  /^\/(?:private\/)?(?:var\/)?tmp(?:\/|$)/,
  /^\/(?:private\/)?var\/folders(?:\/|$)/,
  /^\/dev\/shm(?:\/|$)/,
  /^\/[a-z]:\/users\/[^/]+\/appdata\/local\/temp(?:\/|$)/,
  /^\/[a-z]:\/windows\/temp(?:\/|$)/,
];

/**
 * A path in the form the rules compare: POSIX, normalised, no trailing separator; a Windows path
 * becomes `/c:/users/…` in lower case.
 * @param {string} value
 */
export function pathKey(value) {
  if (WINDOWS_PATH.test(value)) {
    const posix = value.replace(/\\/g, '/').toLowerCase();
    return trimSlash(path.posix.normalize(posix.startsWith('//') ? posix : `/${posix}`));
  }
  return trimSlash(path.posix.normalize(value));
}

/** @param {string} value */
const trimSlash = (value) => (value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value);

/** @param {string} value */
export const isAbsolute = (value) => value.startsWith('/') || WINDOWS_PATH.test(value);

/** A folder name as Claude Code makes it from a path: every character but a letter or digit becomes `-`. */
const slug = (/** @type {string} */ value) => value.replace(/[^a-zA-Z0-9]/g, '-');

/**
 * The session's project folder: of the first cwd and the folders above it, the deepest whose name Claude
 * Code would give a folder holding the session (~/.claude/projects/-home-alice-app/…); the first cwd
 * when none is (the sessions were copied elsewhere, or the name was cut short for a long path). Older
 * Claude Code versions replaced only `/` and `.`, so both sides are compared with every other
 * character as `-`.
 * @param {string} firstCwd
 * @param {string} sessionKey the session's path under the session root
 */
export function projectFolder(firstCwd, sessionKey) {
  const folders = new Set(sessionKey.split('/').slice(0, -1).map(slug));
  const api = WINDOWS_PATH.test(firstCwd) ? path.win32 : path.posix;
  for (let candidate = firstCwd; ;) {
    if (folders.has(slug(candidate))) return candidate;
    const parent = api.dirname(candidate);
    if (parent === candidate) return firstCwd;
    candidate = parent;
  }
}

/**
 * `value` made absolute against `base` (a record's cwd) and normalised, in its own style (a Windows path
 * keeps its case and backslashes, for people to read); null when it is relative and there is no base.
 * Compare the result through pathKey.
 * @param {string} value
 * @param {string | null} base
 */
export function resolvePath(value, base) {
  if (WINDOWS_PATH.test(value)) return path.win32.normalize(value);
  if (value.startsWith('/')) return trimSlash(path.posix.normalize(value));
  if (base === null) return null;
  if (WINDOWS_PATH.test(base)) return path.win32.join(base, value);
  return trimSlash(path.posix.join(base, value));
}

/**
 * True when `child` lies strictly inside `parent` (both keys).
 * @param {string} child
 * @param {string} parent
 */
export function isInside(child, parent) {
  return child.startsWith(parent === '/' ? '/' : `${parent}/`) && child !== parent;
}

/**
 * The home folder a path (a key) lies in, or null. Used to expand `~` when a command says it.
 * @param {string | null} key
 */
export function homeOf(key) {
  const match = key === null ? null : HOME_PREFIX.exec(key);
  return match ? match[1] : null;
}

/**
 * Where `key` lies when it is not inside the project.
 * @param {string} key
 * @param {string | null} project the project folder as a key
 * @returns {Scope}
 */
export function scopeOf(key, project) {
  if (key === '/') return 'root';
  const home = HOME_PREFIX.exec(key);
  if (home && home[2] === undefined) return 'home';
  if (project !== null && (key === project || isInside(project, key))) return 'ancestor';
  if (TEMP.some((pattern) => pattern.test(key))) return 'temp';
  if (home && /^\/\.claude(?:\/|$)/.test(home[2] ?? '')) return 'claude';
  return 'outside';
}

/**
 * The scope of a target outside the project, or null when it is inside (or cannot be judged: without a
 * project only the root and home folders are known to be outside).
 * `wildcard`: the target is everything in `key` (`dir/*`, `dir/$UNSET`): the project's own contents
 * are inside, a folder above it takes the project with it.
 * @param {string} key
 * @param {string | null} project
 * @param {boolean} wildcard
 * @returns {Scope | null}
 */
export function outsideScope(key, project, wildcard = false) {
  if (project !== null && (isInside(key, project) || (wildcard && key === project))) return null;
  const scope = scopeOf(key, project);
  if (project === null && scope !== 'root' && scope !== 'home') return null;
  return scope;
}

/** A key as people read it: `~` (or `~alice`) for a home folder no path named. */
export function displayPath(/** @type {string} */ key) {
  return key.startsWith(UNKNOWN_HOME) ? key.slice(1) : key;
}
