// Sessions for the sessions-list tests: the real transcripts in ../shared plus a project whose numbers are
// known: a resumed session repeats one message of the session it continues, with a longer output.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, writeSession } from '../../helpers.js';

export const CWD = '/home/carol/src/docs-site';

export function message(id: string, at: string, output: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'assistant',
    uuid: `a-${id}-${output}`,
    timestamp: at,
    cwd: CWD,
    gitBranch: 'main',
    requestId: `req-${id}`,
    message: {
      id: `msg-${id}`,
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'done' }],
      usage: { input_tokens: 1000, output_tokens: output },
    },
    ...extra,
  };
}

const prompt = (text: string, at: string) => ({
  type: 'user',
  uuid: `u-${at}`,
  timestamp: at,
  cwd: CWD,
  gitBranch: 'main',
  message: { role: 'user', content: text },
});

export function seed(root: string): void {
  cpSync(fixturesDir, root, { recursive: true });
  rmSync(join(root, 'SOURCES.md'), { force: true });
  writeSession(root, '-home-carol-src-docs-site/first.jsonl', [
    prompt('Fix the broken links on the install page', '2025-09-01T10:00:00.000Z'),
    message('1', '2025-09-01T10:00:05.000Z', 200),
    message('2', '2025-09-01T10:30:00.000Z', 300),
  ]);
  // Resumed: it repeats message 2 (with the complete output) before going on.
  writeSession(root, '-home-carol-src-docs-site/resumed.jsonl', [
    prompt('Go on with the links', '2025-09-02T09:00:00.000Z'),
    message('2', '2025-09-01T10:30:00.000Z', 900),
    message('3', '2025-09-02T09:00:10.000Z', 100),
  ]);
}
