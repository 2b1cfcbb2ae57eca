// The app asks for report after report over one store; the sums are remembered until the messages change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../main/core/engine.js';
import { reportOptions } from '../../../main/core/reports/reportOptions.js';
import { readUsageReport } from '../../../main/core/reports/usageReport.js';
import { tempDir, writeSession } from '../../helpers.js';

const line = (id: string, at: string, output: number) => ({
  type: 'assistant',
  uuid: `u-${id}`,
  timestamp: at,
  requestId: `req_${id}`,
  cwd: '/home/alice/shop',
  message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 1, output_tokens: output } },
});

test('remembered sums follow every change of the messages: a run, a reset, a deletion, a removal', async () => {
  const dir = tempDir('si-remembered-');
  const root = join(dir, 'sessions');
  writeSession(root, 'p/a.jsonl', [line('1', '2025-09-01T10:00:00Z', 10)]);
  const engine = await Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home') });
  try {
    const options = reportOptions({ timezone: 'UTC' });
    const output = async () => (await readUsageReport(engine.store.db, 'daily', options)).totals.outputTokens;
    const deleted = async () => (await readUsageReport(engine.store.db, 'session', options)).totals.messages;
    await engine.run(['tokens']);
    assert.equal(await output(), 10);
    assert.equal(await output(), 10, 'asked again: the same');
    writeSession(root, 'p/b.jsonl', [line('2', '2025-09-02T10:00:00Z', 20)]);
    await engine.run(['tokens']);
    assert.equal(await output(), 30, 'a run that stored a session');
    writeSession(root, 'p/a.jsonl', [line('1', '2025-09-01T10:00:00Z', 10), line('3', '2025-09-01T11:00:00Z', 5)]);
    await engine.run(['tokens']);
    assert.equal(await output(), 35, 'a run that replaced a session');
    rmSync(join(root, 'p', 'b.jsonl'));
    await engine.scanSessions();
    const sessions = await readUsageReport(engine.store.db, 'session', options);
    assert.equal(sessions.kind === 'session' && sessions.sessions.find((s) => s.sessionId === 'b')?.deleted, true, 'a deletion is marked');
    await engine.orphans.remove('all');
    assert.equal(await output(), 15, 'a removal drops its messages');
    assert.equal(await deleted(), 2);
  } finally {
    await engine.close();
  }
});
