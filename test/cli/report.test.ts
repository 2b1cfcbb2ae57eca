import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir, writeSession } from '../helpers.js';

/** An API message line as Claude Code writes it. */
function message(id: string, at: string, output: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'assistant',
    uuid: `u-${id}`,
    timestamp: at,
    requestId: `req_${id}`,
    cwd: '/home/alice/code/shop',
    sessionId: 's',
    message: {
      id: `msg_${id}`,
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'ok' }],
      usage: { input_tokens: 10, output_tokens: output },
    },
    ...extra,
  };
}

function setup() {
  const dir = tempDir('si-report-');
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  // 23:50 UTC is the next day in Kolkata (+05:30); the copy in b.jsonl (a resumed session) counts once.
  writeSession(root, '-home-alice-code-shop/a.jsonl', [message('1', '2025-09-01T10:00:00.000Z', 100), message('2', '2025-09-01T23:50:00.000Z', 200)]);
  writeSession(root, '-home-alice-code-shop/b.jsonl', [message('2', '2025-09-01T23:50:00.000Z', 200), message('3', '2025-09-03T09:00:00.000Z', 400)]);
  writeSession(root, '-home-bob-docs/c.jsonl', [message('4', '2025-09-03T12:00:00.000Z', 800, { cwd: '/home/bob/docs' })]);
  const report = async (...args: string[]) => {
    const result = await runCli(['report', ...args, '--sessions', root, '--state', state]);
    return { ...result, json: result.code === 0 && args.includes('--json') ? JSON.parse(result.stdout) : undefined };
  };
  return { root, state, report };
}

const outputs = (rows: { outputTokens: number }[]) => rows.map((r) => r.outputTokens);

test('report: days follow --timezone, a copied message counts once, projects group by cwd', async () => {
  const { report } = setup();
  const utc = await report('daily', '--json', '--timezone', 'UTC');
  assert.deepEqual(
    utc.json.daily.map((r: { date: string }) => r.date),
    ['2025-09-01', '2025-09-03'],
  );
  assert.deepEqual(outputs(utc.json.daily), [300, 1200]);
  assert.equal(utc.json.totals.messages, 4);
  const kolkata = await report('daily', '--json', '--timezone', 'Asia/Kolkata', '--order', 'desc');
  assert.deepEqual(
    kolkata.json.daily.map((r: { date: string }) => r.date),
    ['2025-09-03', '2025-09-02', '2025-09-01'],
  );
  assert.deepEqual(outputs(kolkata.json.daily), [1200, 200, 100]);
  const since = await report('daily', '--json', '--timezone', 'Asia/Kolkata', '--since', '20250902', '--until', '2025-09-02');
  assert.deepEqual(outputs(since.json.daily), [200]);
  const projects = await report('projects', '--json');
  // The costliest first: docs' one message has more output than shop's three.
  assert.deepEqual(
    projects.json.projects.map((p: { project: string; projectPath: string; sessions: number }) => [p.project, p.projectPath, p.sessions]),
    [
      ['docs', '/home/bob/docs', 1],
      ['shop', '/home/alice/code/shop', 2],
    ],
  );
  const shop = await report('monthly', '--json', '--project', 'shop');
  assert.deepEqual(outputs(shop.json.monthly), [700]);
  const table = await report('weekly', '--breakdown', '--timezone', 'UTC');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /2025-08-31/);
  assert.match(table.stdout, /└ claude-sonnet-4-5-20250929/);
});

test('report: a deleted session stays in every report, marked, until orphans remove', async () => {
  const { root, state, report } = setup();
  assert.equal((await report('session', '--json')).json.sessions.length, 3);
  rmSync(join(root, '-home-bob-docs', 'c.jsonl'));
  const after = await report('session', '--json');
  const c = after.json.sessions.find((s: { sessionId: string }) => s.sessionId === 'c');
  assert.equal(c.deleted, true);
  assert.equal(c.outputTokens, 800);
  const daily = await report('daily', '--json', '--timezone', 'UTC');
  assert.deepEqual(
    daily.json.daily.map((r: { deletedSessions: number }) => r.deletedSessions),
    [0, 1],
  );
  assert.equal(daily.json.totals.outputTokens, 1500);
  const removed = await runCli(['orphans', 'remove', '--all', '--state', state]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await report('daily', '--json', '--timezone', 'UTC')).json.totals.outputTokens, 700);
});

test('report: --no-update reports the store as it is; without it, changed sessions are brought up to date', async () => {
  const { root, report } = setup();
  assert.equal((await report('monthly', '--json')).json.totals.outputTokens, 1500);
  writeSession(root, '-home-bob-docs/d.jsonl', [message('5', '2025-09-04T12:00:00.000Z', 5)]);
  assert.equal((await report('monthly', '--json', '--no-update')).json.totals.outputTokens, 1500);
  assert.equal((await report('monthly', '--json')).json.totals.outputTokens, 1505);
});

test('report: bad input exits 2 naming the flag, and the store is left as it was', async () => {
  const { report } = setup();
  assert.equal((await report('daily', '--json')).code, 0);
  for (const [args, message] of [
    [['daily', '--timezone', 'Mars/Olympus'], /--timezone: "Mars\/Olympus" is not an IANA time zone/],
    [['daily', '--since', '2025-13-01'], /--since: "2025-13-01" is not a date/],
    [['daily', '--since', '2025-09-03', '--until', '2025-09-01'], /--since 2025-09-03 is after --until 2025-09-01/],
    [['hourly'], /report "hourly": choose one of daily, weekly, monthly, session, blocks, projects/],
    [['daily', '--last', '0'], /--last/],
    [['daily', '--order', 'sideways'], /--order/],
  ] as const) {
    const result = await report(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.equal((await report('daily', '--json', '--no-update')).json.totals.messages, 4);
});

test('report --instances splits usage by the machine that processed each session', async () => {
  const { root, state } = setup();
  const as = (host: string, ...args: string[]) => runCli([...args, '--sessions', root, '--state', state], { env: { SESSION_INSPECTOR_HOST: host } });
  assert.equal((await as('laptop', 'run', '--processor', 'tokens')).code, 0);
  writeSession(root, '-home-bob-docs/d.jsonl', [message('5', '2025-09-04T12:00:00.000Z', 5)]);
  const result = await as('build-server', 'report', 'daily', '--json', '--timezone', 'UTC', '--instances');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(report.instances), ['build-server', 'laptop']);
  assert.deepEqual(
    report.instances['build-server'].map((r: { date: string; outputTokens: number }) => [r.date, r.outputTokens]),
    [['2025-09-04', 5]],
  );
  assert.deepEqual(
    report.instances.laptop.map((r: { date: string; outputTokens: number }) => [r.date, r.outputTokens]),
    [
      ['2025-09-01', 300],
      ['2025-09-03', 1200],
    ],
  );
  assert.equal(report.daily.length, 3, 'the rows of all machines are there too');
  const table = await as('build-server', 'report', 'monthly', '--instances', '--no-update');
  assert.match(table.stdout, /^build-server\n[\s\S]*\nlaptop\n/);
});

test('report --prices reprices every message: the bundled table again gives the stored costs, a LiteLLM table its own', async () => {
  const { root, report } = setup();
  const usage = (input: number, output: number, cacheCreation = 0, cacheRead = 0, oneHour = 0) => ({
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
    ...(oneHour ? { cache_creation: { ephemeral_1h_input_tokens: oneHour } } : {}),
  });
  const call = (id: string, model: string, u: Record<string, unknown>) => ({
    ...message(id, '2025-09-05T10:00:00.000Z', 0),
    message: { id: `msg_${id}`, model, content: [], usage: u },
  });
  writeSession(root, '-home-alice-code-shop/e.jsonl', [
    call('l', 'claude-sonnet-4-20250514', usage(150_000, 1000, 40_000, 20_000, 10_000)), // above Sonnet 4's 200K: long-prompt rates
    call('h', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', usage(1000, 1000, 500, 0, 500)),
    call('g', 'gpt-5', usage(7, 3)),
  ]);
  const costs = (r: { sessions: { sessionId: string; totalCost: number; unpricedMessages: number }[] }) =>
    r.sessions.map((s) => [s.sessionId, Number(s.totalCost.toFixed(9)), s.unpricedMessages]).sort();
  const first = await report('session', '--json');
  assert.equal(first.code, 0, first.stderr);
  const stored = first.json;
  const bundled = await report('session', '--json', '--no-update', '--prices', join(repoRoot, 'plugins', 'tokens', 'prices.json'));
  assert.equal(bundled.code, 0, bundled.stderr);
  assert.deepEqual(costs(bundled.json), costs(stored));
  assert.match(bundled.json.meta.prices, /prices\.json \(as of \d{4}-\d{2}-\d{2}\)/);

  // LiteLLM's shape: USD per token; Sonnet 4.5 at twice its list price, Haiku 4.5 without cache rates (derived).
  const litellm = join(root, '..', 'litellm.json');
  writeFileSync(
    litellm,
    JSON.stringify({
      'claude-sonnet-4-5-20250929': {
        input_cost_per_token: 6e-6,
        output_cost_per_token: 3e-5,
        cache_creation_input_token_cost: 7.5e-6,
        cache_read_input_token_cost: 6e-7,
        litellm_provider: 'anthropic',
      },
      'anthropic/claude-haiku-4-5-20251001': { input_cost_per_token: 1e-6, output_cost_per_token: 5e-6 },
      'bedrock/anthropic.claude-3-haiku': { input_cost_per_token: 1, output_cost_per_token: 1 },
      sample_spec: { max_tokens: 'set to max_output_tokens' },
    }),
  );
  const second = await report('session', '--json', '--no-update', '--prices', litellm);
  assert.equal(second.code, 0, second.stderr);
  const repriced = second.json;
  const byId = new Map(repriced.sessions.map((s: { sessionId: string }) => [s.sessionId, s]));
  const before = new Map(stored.sessions.map((s: { sessionId: string }) => [s.sessionId, s]));
  // a.jsonl holds only Sonnet 4.5 messages: twice the stored cost.
  assert.ok(Math.abs((byId.get('a') as any).totalCost - 2 * (before.get('a') as any).totalCost) < 1e-9);
  // e.jsonl: Haiku 4.5 = 1000*1 + 1000*5 + 500 one-hour writes * 2 = 7000 micro-dollars; Sonnet 4 and gpt-5 have no price here.
  const e = byId.get('e') as any;
  assert.ok(Math.abs(e.totalCost - 0.007) < 1e-12, String(e.totalCost));
  assert.equal(e.unpricedMessages, 2);
  assert.deepEqual(
    e.modelBreakdowns.map((m: { modelName: string; cost: number | null }) => [m.modelName, m.cost === null ? null : Number(m.cost.toFixed(9))]),
    [
      ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 0.007],
      ['claude-sonnet-4-20250514', null],
      ['gpt-5', null],
    ],
  );

  for (const [content, problem] of [
    ['{ not json', /not JSON/],
    ['{"models": [{"match": ""}], "as_of": "2025-01-01"}', /"match" must be a model id/],
    ['{"x": {"input_cost_per_token": "free"}}', /no model with input_cost_per_token/],
  ] as const) {
    writeFileSync(litellm, content);
    const bad = await report('daily', '--no-update', '--prices', litellm);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, new RegExp(`--prices ${litellm.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*${problem.source}`));
  }
  const missing = await report('daily', '--no-update', '--prices', join(root, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--prices .*nope\.json: ENOENT/);
});
