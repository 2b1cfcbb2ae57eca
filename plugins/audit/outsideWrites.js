// @ts-check
// outside-writes: one item per file the agent wrote or edited outside the session's project (Write,
// Edit, MultiEdit, NotebookEdit), with where it lies: a temporary folder, Claude Code's own ~/.claude,
// or elsewhere (paths.js).
import { asObject, isAssistantRecord, isoTimestamp, oneLine, stringField, toolUses } from 'session-inspector/plugin';
import { outsideScope, pathKey, projectFolder, resolvePath } from './paths.js';

/** Paths are shown whole up to this length, then cut with an ellipsis. */
const MAX_PATH_CHARS = 300;

/** The file tools and the input field naming the file each writes. */
const WRITE_TOOLS = new Map([
  ['Write', 'file_path'],
  ['Edit', 'file_path'],
  ['MultiEdit', 'file_path'],
  ['NotebookEdit', 'notebook_path'],
]);

/** @type {import('session-inspector/plugin').Processor} */
export const outsideWrites = {
  name: 'outside-writes',
  version: '1',
  // Reads every line (for the session's first cwd): a 1 GB session takes about 40 s on a 2-core machine.
  timeoutMs: 600_000,
  view: {
    name: 'outside_writes',
    columns: {
      path: 'VARCHAR',
      scope: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      project_dir: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  },
  async processSession(session, ctx) {
    /** The session's project folder, from its first non-empty cwd (paths.js says why not each record's). */
    /** @type {string | null} */
    let project = null;
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      const object = asObject(record);
      if (!object) continue;
      const cwd = stringField(object, 'cwd');
      if (project === null && cwd !== null) project = projectFolder(cwd, session.sessionKey);
      // Without a project nothing can be outside it: a file is never the root or a home folder itself.
      if (project === null || !isAssistantRecord(record)) continue;
      for (const use of toolUses(record)) {
        const field = WRITE_TOOLS.get(use.name);
        const written = field === undefined ? undefined : use.input?.[field];
        if (typeof written !== 'string' || written === '') continue;
        // Claude Code's file tools ask for absolute paths; a relative one is read from the record's cwd.
        const resolved = resolvePath(written, cwd ?? project);
        const scope = resolved === null ? null : outsideScope(pathKey(resolved), pathKey(project));
        if (resolved === null || scope === null) continue;
        ctx.emit({
          path: oneLine(resolved, MAX_PATH_CHARS),
          scope,
          tool_name: use.name,
          tool_use_id: use.id,
          project_dir: project,
          is_sidechain: record.isSidechain === true,
          occurred_at: isoTimestamp(record.timestamp),
          line_no: session.lineNo,
        });
      }
    }
    return {};
  },
};
