/**
 * What a session key says about where a session belongs. Keys are paths under the session root with `/`
 * separators: `<project folder>/<session>.jsonl`, where Claude Code names the project folder by encoding the
 * working folder (`/home/carol/src/site` -> `-home-carol-src-site`), which is why a project's display name
 * comes from the records' `cwd` whenever one is known.
 */

/** Claude Code's project folder of a session key (its first folder). */
export const groupOf = (sessionFile: string): string => sessionFile.split('/')[0];

/** The last folder of a path (`/home/carol/src/site/` -> `site`): how people name a project. */
export const lastFolder = (path: string): string =>
  path
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop() || path;

/** A project as the sessions list and the reports name it: the cwd's last folder, else the encoded folder. */
export function projectOf(sessionFile: string, cwd: string | null): { name: string; path: string } {
  return cwd ? { name: lastFolder(cwd), path: cwd } : { name: groupOf(sessionFile), path: groupOf(sessionFile) };
}

/** Whether the project a user named (`--project`: a folder name, a full cwd or an encoded folder) is this session's. */
export function inProject(sessionFile: string, cwd: string | null, project: string): boolean {
  return cwd === project || (cwd !== null && lastFolder(cwd) === project) || groupOf(sessionFile) === project;
}

const NESTED_SUBAGENT = /^(.+)\/subagents\/[^/]+\.jsonl$/;
const FLAT_SUBAGENT = /^(.*\/)?agent-[^/]+\.jsonl$/;

/**
 * The session a subagent transcript belongs to. Claude Code writes them in two layouts:
 * `<project>/<session>/subagents/agent-<id>.jsonl` (the parent is the folder's name), and, in older versions,
 * `<project>/agent-<id>.jsonl` beside the parent, whose id only the records' `sessionId` gives. Null for a
 * session that is not a subagent's, or whose parent cannot be told yet (a flat one before `summary` ran).
 */
export function parentSessionOf(sessionFile: string, recordedSessionId: string | null): string | null {
  const nested = NESTED_SUBAGENT.exec(sessionFile);
  if (nested) return `${nested[1]}.jsonl`;
  const flat = FLAT_SUBAGENT.exec(sessionFile);
  if (flat && recordedSessionId && /^[\w-]+$/.test(recordedSessionId)) return `${flat[1] ?? ''}${recordedSessionId}.jsonl`;
  return null;
}
