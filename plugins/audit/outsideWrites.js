// @ts-check
// outside-writes: one item per file the agent wrote or edited outside the session's project (Write,
// Edit, MultiEdit, NotebookEdit), with where it lies: a temporary folder, Claude Code's own ~/.claude,
// or elsewhere (paths.js).
import { oneLine } from 'session-inspector/plugin';
import { outsideScope, pathKey, resolvePath } from './paths.js';
import { toolCallsInProject } from './toolCalls.js';

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
    for await (const { use, cwd, project, where } of toolCallsInProject(session, ctx.signal)) {
      // Without a project nothing can be outside it: a file is never the root or a home folder itself.
      if (project === null) continue;
      const field = WRITE_TOOLS.get(use.name);
      const written = field === undefined ? undefined : use.input?.[field];
      if (typeof written !== 'string' || written === '') continue;
      // Claude Code's file tools ask for absolute paths; a relative one is read from the record's cwd.
      const resolved = resolvePath(written, cwd ?? project);
      const scope = resolved === null ? null : outsideScope(pathKey(resolved), pathKey(project));
      if (resolved === null || scope === null) continue;
      ctx.emit({ path: oneLine(resolved, MAX_PATH_CHARS), scope, ...where });
    }
    return {};
  },
};
