// Inputs for the browser tests: a session root of real transcripts plus a hostile one, and plugin folders.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assistantRecord, fixturesDir, userRecord, writePlugin, writeSession } from '../helpers.js';

export const HOSTILE_KEY = 'hostile/evil.jsonl';
/**
 * The fixtures' subagent transcripts (older flat layout: their records' sessionId names the parent); once
 * `summary` has read them, the list shows them under that session instead of as sessions of their own.
 */
export const SUBAGENT_PARENT = 'sample-project/5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl';
export const SUBAGENT_KEYS = ['sample-project/agent-test-hash-123.jsonl', 'sample-project/agent-test-hash-456.jsonl'];
/** Each payload would set window.__pwned or open a dialog if it were ever treated as HTML or followed. */
export const IMG_PAYLOAD = `<img src=x onerror="window.__pwned='img';alert('img')">`;
export const SCRIPT_PAYLOAD = `<script>window.__pwned='script';alert('script')</script>`;
export const LINK_PAYLOAD = `[click me](javascript:window.__pwned='link';alert('link')) <a href="javascript:alert('a')">a link</a>`;

/** Copies the real transcripts into `root` and adds the hostile session. Returns the number of sessions. */
export function writeSessionRoot(root: string): number {
  cpSync(fixturesDir, root, { recursive: true });
  rmSync(join(root, 'SOURCES.md'), { force: true });
  writeSession(root, HOSTILE_KEY, [
    userRecord(`Please render this: ${IMG_PAYLOAD} and ${SCRIPT_PAYLOAD}`),
    assistantRecord(`Here is a link: ${LINK_PAYLOAD} <iframe src="javascript:alert('frame')"></iframe>`),
    {
      type: 'assistant',
      uuid: 'a-tool',
      timestamp: '2025-09-01T10:00:02.000Z',
      requestId: 'req_2',
      message: {
        id: 'msg_2',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: `echo '<svg onload=alert(1)>'` } }],
        usage: { input_tokens: 3, output_tokens: 2 },
      },
    },
    {
      type: 'user',
      uuid: 'u-tool',
      timestamp: '2025-09-01T10:00:03.000Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `<svg onload="alert('svg')"></svg>` }] },
    },
  ]);
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.jsonl')) count++;
    }
  };
  walk(root);
  return count;
}

/** A processor that fails on the hostile session until `fixed` (same version: only a rerun retries it). */
export function flakySource(fixed: boolean): string {
  return `
export default {
  name: 'flaky',
  version: '1',
  async processSession(session) {
    ${fixed ? '' : "if (session.sessionKey.startsWith('hostile/')) throw new Error('flaky cannot read ' + session.sessionKey + ' yet');"}
    let records = 0;
    for await (const record of session.records()) if (record) records++;
    return { items: [{ records }] };
  },
};
`;
}

export function writeFlakyPlugin(parent: string): string {
  return writePlugin(parent, 'flaky', flakySource(false), { sessionInspector: { apiVersion: 1, processors: ['flaky'] } });
}

export function fixFlakyPlugin(folder: string): void {
  writeFileSync(join(folder, 'index.js'), flakySource(true));
}

/** A plugin to install through the UI (the same calls as a drop: inspect, then install with approval). */
export function writeInstallablePlugin(parent: string): string {
  mkdirSync(parent, { recursive: true });
  return writePlugin(parent, 'extra-plugin', `export default { name: 'extra', version: '3', async processSession() { return { items: [] }; } };`, {
    version: '2.1.0',
    sessionInspector: { apiVersion: 1, processors: ['extra'] },
  });
}
