// `usage/report` over a real store: the built-in tokens processor run on a real session folder, then the
// report in two time zones, with a model that has no price and a session whose file was deleted; and bad
// input refused naming the API's field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeSession } from '../helpers.js';
import { openService } from './harness.js';
import { stateTest } from '../core/harness.js';

/** One billed API message: its own message.id and requestId, so the store's dedup keeps every one. */
function billed(id: string, timestamp: string, model: string, usage: { input: number; output: number; cacheRead?: number }, cwd = '/home/alice/shop') {
  return {
    type: 'assistant',
    uuid: `u-${id}`,
    timestamp,
    cwd,
    requestId: `req_${id}`,
    message: {
      id: `msg_${id}`,
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'ok' }],
      usage: { input_tokens: usage.input, output_tokens: usage.output, cache_read_input_tokens: usage.cacheRead ?? 0 },
    },
  };
}

const SONNET = 'claude-sonnet-4-5';
const UNPRICED = 'local-model-without-price';

function seed(root: string) {
  // 23:30 and 01:00 UTC are two days in UTC, one (05:00 and 06:30) in Asia/Kolkata.
  writeSession(root, 'shop/a.jsonl', [billed('a1', '2025-09-01T23:30:00.000Z', SONNET, { input: 100, output: 10, cacheRead: 1000 })]);
  writeSession(root, 'shop/b.jsonl', [
    billed('b1', '2025-09-02T01:00:00.000Z', SONNET, { input: 200, output: 20 }),
    billed('b2', '2025-09-02T01:05:00.000Z', UNPRICED, { input: 7, output: 3 }),
  ]);
  writeSession(root, 'garden/c.jsonl', [billed('c1', '2025-09-02T02:00:00.000Z', SONNET, { input: 1, output: 1 }, '/home/alice/garden')]);
}

stateTest('usage/report: the report module over the stored tokens, in any time zone, unpriced and deleted sessions counted', async (backend) => {
  const api = await openService({ builtins: true, seed, backend });
  // On a team's PostgreSQL store the app leaves marking deleted sessions to the runners (docs/team-mode.md).
  const deleted = backend === 'duckdb' ? 1 : 0;
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['tokens'] });
  const finished = await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'tokens');
  assert.ok(finished.type === 'run-finished' && finished.stats.processed === 3, JSON.stringify(finished));
  // Claude Code's cleanup deletes a transcript: the next run marks it orphaned and its usage stays counted.
  rmSync(join(api.root, 'shop', 'b.jsonl'));
  api.events.length = 0;
  await api.call('runs/start', { processors: ['tokens'] });
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'tokens');

  const utc = await api.call('usage/report', { kind: 'daily', timezone: 'UTC' });
  assert.equal(utc.kind, 'daily');
  if (utc.kind !== 'daily') return;
  assert.deepEqual(
    utc.daily.map((r) => [r.date, r.inputTokens, r.outputTokens, r.cacheReadTokens, r.totalTokens, r.sessions, r.deletedSessions]),
    [
      ['2025-09-01', 100, 10, 1000, 1110, 1, 0],
      ['2025-09-02', 208, 24, 0, 232, 2, deleted],
    ],
  );
  const second = utc.daily[1];
  assert.equal(second.unpricedMessages, 1);
  assert.ok(second.totalCost > 0, 'the priced messages have a cost');
  assert.equal(second.modelBreakdowns.find((m) => m.modelName === UNPRICED)?.cost, null, 'a model without a price has no cost, never 0');
  assert.equal(utc.totals.totalTokens, 1110 + 232);
  assert.equal(utc.meta.timeZone, 'UTC');

  const kolkata = await api.call('usage/report', { kind: 'daily', timezone: 'Asia/Kolkata' });
  assert.ok(kolkata.kind === 'daily');
  assert.deepEqual(
    kolkata.daily.map((r) => [r.date, r.totalTokens, r.sessions, r.deletedSessions]),
    [['2025-09-02', 1342, 3, deleted]],
  );

  const garden = await api.call('usage/report', { kind: 'monthly', timezone: 'UTC', project: 'garden' });
  assert.ok(garden.kind === 'monthly');
  assert.deepEqual(
    garden.monthly.map((r) => [r.month, r.totalTokens]),
    [['2025-09', 2]],
  );
  const projects = await api.call('usage/report', { kind: 'projects', timezone: 'UTC' });
  assert.ok(projects.kind === 'projects');
  assert.deepEqual(projects.projects.map((p) => p.projectPath).sort(), ['/home/alice/garden', '/home/alice/shop']);
  const blocks = await api.call('usage/report', { kind: 'blocks', timezone: 'UTC', last: 1 });
  assert.ok(blocks.kind === 'blocks');
  assert.deepEqual(
    blocks.blocks.map((b) => [b.startTime, b.isActive, b.totalTokens]),
    [['2025-09-01T23:00:00.000Z', false, 1342]],
  );
  // JSON-safe: what crosses the boundary survives a JSON round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(utc)), utc);
});

test('usage/report: bad input is refused as invalid, naming the field', async () => {
  const api = await openService();
  const cases: [unknown, RegExp][] = [
    [{ kind: 'daily', timezone: 'Mars/Olympus' }, /^timezone: "Mars\/Olympus" is not an IANA time zone/],
    [{ kind: 'daily', since: '2025-02-30' }, /^since: "2025-02-30" is not a date/],
    [{ kind: 'daily', since: '2025-09-02', until: '2025-09-01' }, /^since 2025-09-02 is after until 2025-09-01/],
    [{ kind: 'daily', last: 0 }, /^last must be a whole number/],
    [{ kind: 'daily', project: ' ' }, /^project must name a project/],
    [{ kind: 'hourly' }, /usage\/report: kind: /],
    [{ kind: 'weekly', weekStart: 'funday' }, /usage\/report: weekStart: /],
    [{ kind: 'daily', order: 'up' }, /usage\/report: order: /],
    [{ kind: 'daily', timeZone: 'UTC' }, /unexpected field\(s\) timeZone/],
    [{}, /usage\/report: kind: /],
  ];
  for (const [args, message] of cases) {
    const response = await api.service.handle('usage/report', args);
    assert.equal(response.ok, false, JSON.stringify(args));
    if (response.ok) continue;
    assert.equal(response.error.code, 'invalid', JSON.stringify(args));
    assert.match(response.error.message, message);
    assert.doesNotMatch(response.error.message, /--/, "the API names its fields, not the CLI's flags");
  }
  // A store where tokens never ran answers with an empty report, not an error.
  const empty = await api.call('usage/report', { kind: 'daily', timezone: 'UTC' });
  assert.deepEqual(empty.kind === 'daily' && empty.daily, []);
});
