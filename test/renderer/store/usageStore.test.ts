// The Usage page's store and its pure helpers: what is asked of `usage/report`, which answer is shown,
// a refused time zone, the CSV and the chart series built from the rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageBlockRow, UsagePeriodRow, UsageReport, UsageReportRequest } from '../../../main/api/contract.js';
import { costText, sessionsText, zonedTime } from '../../../renderer/src/lib/usageFormat.js';
import { usageCsv, usageCsvFileName } from '../../../renderer/src/lib/usageCsv.js';
import { usageSeries } from '../../../renderer/src/lib/usageSeries.js';
import { browserTimeZone, timeZoneChoices } from '../../../renderer/src/lib/timeZones.js';
import { ApiRefusal, deferred, makeStore, settle } from '../fakeTransport.js';

function row(date: string, models: [string, number, number | null, number?][], extra: Partial<UsagePeriodRow> = {}): UsagePeriodRow {
  const breakdowns = models.map(([modelName, tokens, cost, messages = 1]) => ({
    modelName,
    inputTokens: tokens,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    cost,
    messages,
  }));
  const messages = breakdowns.reduce((n, m) => n + m.messages, 0);
  const unpriced = breakdowns.filter((m) => m.cost === null).reduce((n, m) => n + m.messages, 0);
  const tokens = breakdowns.reduce((n, m) => n + m.inputTokens, 0);
  return {
    date,
    inputTokens: tokens,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: tokens,
    totalCost: breakdowns.reduce((n, m) => n + (m.cost ?? 0), 0),
    messages,
    unpricedMessages: unpriced,
    sidechainMessages: 0,
    modelsUsed: breakdowns.map((m) => m.modelName),
    modelBreakdowns: breakdowns,
    sessions: 1,
    deletedSessions: 0,
    firstActivity: `${date}T10:00:00.000Z`,
    lastActivity: `${date}T11:00:00.000Z`,
    ...extra,
  };
}

const totals = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  totalTokens: 0,
  totalCost: 0,
  messages: 0,
  unpricedMessages: 0,
  sidechainMessages: 0,
};
const meta = (timeZone: string) => ({ timeZone, since: null, until: null, project: null, undatedMessages: 0 });
const daily = (timeZone: string, rows: UsagePeriodRow[]): UsageReport => ({ kind: 'daily', daily: rows, totals, meta: meta(timeZone) });
const block = (startTime: string, isGap = false): UsageBlockRow => ({
  id: startTime,
  startTime,
  endTime: startTime,
  actualEndTime: null,
  isActive: false,
  isGap,
  entries: 1,
  tokenCounts: { inputTokens: 1, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
  totalTokens: 1,
  costUSD: 0,
  models: [],
  burnRate: null,
  projection: null,
  unpricedMessages: 0,
  sessions: 1,
  deletedSessions: 0,
});

test('usage format: a model without a price reads "no price", never $0; deleted sessions are shown when there are some', () => {
  assert.equal(costText(0, 3, 3), 'no price');
  assert.equal(costText(1.234, 1, 3), '$1.23 + no price');
  assert.equal(costText(0, 0, 2), '$0.00');
  assert.equal(sessionsText(4, 0), '4');
  assert.equal(sessionsText(4, 1), '4 (1 deleted)');
  assert.equal(zonedTime('2025-06-08T20:00:00.000Z', 'Asia/Kolkata'), '2025-06-09 01:30');
});

test('usage CSV: the rows shown, quoted where needed, an unpriced row with an empty cost', () => {
  const rows = [
    row(
      '2025-09-01',
      [
        ['claude-a', 10, 0.5],
        ['claude-b', 5, 0.25],
      ],
      { deletedSessions: 1 },
    ),
    row('2025-09-02', [['local "x"', 7, null]]),
    row('2025-09-03', [['claude-a', 1, 2.2783322999999998]]),
  ];
  const csv = usageCsv(rows);
  assert.equal(
    csv,
    'period,models,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,total_tokens,' +
      'cost_usd,messages,unpriced_messages,sessions,deleted_sessions\r\n' +
      '2025-09-01,"claude-a, claude-b",15,0,0,0,15,0.75,2,0,1,1\r\n' +
      '2025-09-02,"local ""x""",7,0,0,0,7,,1,1,1,0\r\n' +
      '2025-09-03,claude-a,1,0,0,0,1,2.2783323,1,0,1,0\r\n',
  );
  assert.equal(usageCsvFileName('daily', 'Asia/Kolkata', null), 'usage-daily-Asia-Kolkata.csv');
  assert.equal(usageCsvFileName('monthly', 'UTC', '/home/me/my project/'), 'usage-monthly-UTC-my-project.csv');
});

test('usage series: per model, most tokens at the bottom, the rest as "other"; unpriced models stay out of the cost chart', () => {
  const rows = [
    row('2025-09-01', [
      ['big', 100, 1],
      ['mid', 50, 0.5],
      ['free', 40, null],
    ]),
    row('2025-09-02', [
      ['small', 1, 0.01],
      ['big', 10, 0.1],
    ]),
  ];
  const all = usageSeries(rows);
  assert.deepEqual(
    all.tokens.map((s) => [s.label, s.values]),
    [
      ['big', [100, 10]],
      ['mid', [50, 0]],
      ['free', [40, 0]],
      ['small', [0, 1]],
    ],
  );
  assert.deepEqual(
    all.cost.map((s) => [s.label, s.values]),
    [
      ['big', [1, 0.1]],
      ['mid', [0.5, 0]],
      ['small', [0, 0.01]],
    ],
  );
  assert.deepEqual(
    all.cost.map((s) => s.colour),
    [0, 1, 3],
    'a model keeps its colour in both charts',
  );
  assert.deepEqual(all.unpricedModels, ['free']);
  const few = usageSeries(rows, 3);
  assert.deepEqual(
    few.tokens.map((s) => [s.label, s.values]),
    [
      ['big', [100, 10]],
      ['mid', [50, 0]],
      ['other', [40, 1]],
    ],
  );
  assert.deepEqual(
    few.cost.map((s) => [s.label, s.values]),
    [
      ['big', [1, 0.1]],
      ['mid', [0.5, 0]],
      ['other', [0, 0.01]],
    ],
  );
});

test("usage store: opens in the browser's time zone and asks for the report, the latest real block and the projects", async () => {
  assert.ok(timeZoneChoices().includes('UTC') && timeZoneChoices().includes(browserTimeZone()));
  const { store, transport } = makeStore({
    'usage/report': (args) => {
      if (args.kind === 'blocks')
        return { kind: 'blocks', blocks: [block('2025-09-01T10:00:00.000Z'), block('2025-09-01T15:30:00.000Z', true)], totals, meta: meta('UTC') };
      if (args.kind === 'projects') return { kind: 'projects', projects: [], totals, meta: meta('UTC') };
      return daily(args.timezone ?? '', [row('2025-09-01', [['claude-a', 1, 0.1]])]);
    },
  });
  assert.equal(store.getState().usage.timeZone, browserTimeZone());
  await store.getState().loadUsage();
  const kinds = transport
    .callsOf('usage/report')
    .map((a) => a.kind)
    .sort();
  assert.deepEqual(kinds, ['blocks', 'daily', 'projects']);
  assert.deepEqual(
    transport.callsOf('usage/report').find((a) => a.kind === 'daily'),
    { kind: 'daily', timezone: browserTimeZone() },
  );
  assert.equal(store.getState().usage.block?.startTime, '2025-09-01T10:00:00.000Z', 'a gap sorted after the latest block is skipped');

  await store.getState().changeUsage({ kind: 'weekly', project: '/home/alice/shop' });
  assert.deepEqual(transport.callsOf('usage/report').at(-1), { kind: 'weekly', timezone: browserTimeZone(), project: '/home/alice/shop', weekStart: 'sunday' });
});

test('usage store: a refused time zone keeps the last good one and shows why; a late answer never replaces a newer one', async () => {
  const held = deferred<UsageReport>();
  let tokyo = 0;
  const { store, transport } = makeStore({
    'usage/report': (args: UsageReportRequest) => {
      if (args.timezone === 'Mars/Olympus') throw new ApiRefusal('invalid', 'timezone: "Mars/Olympus" is not an IANA time zone');
      if (args.timezone === 'Asia/Tokyo' && tokyo++ === 0) return held.promise;
      if (args.kind === 'blocks') return { kind: 'blocks', blocks: [], totals, meta: meta('Asia/Tokyo') };
      if (args.kind === 'projects') return { kind: 'projects', projects: [], totals, meta: meta('Asia/Tokyo') };
      return daily(args.timezone ?? '', [row('2025-09-02', [['fresh', 1, 0.1]])]);
    },
  });
  assert.equal(await store.getState().changeUsage({ timeZone: 'UTC' }), true);
  assert.equal(await store.getState().changeUsage({ timeZone: 'Mars/Olympus' }), false);
  assert.equal(store.getState().usage.timeZone, 'UTC');
  assert.match(store.getState().usage.error ?? '', /^timezone: "Mars\/Olympus"/);

  const slow = store.getState().changeUsage({ timeZone: 'Asia/Tokyo' });
  await settle();
  // A run finishes meanwhile: the reload asks for the zone being switched to, and is the answer shown.
  await store.getState().loadUsage();
  assert.ok(
    transport
      .callsOf('usage/report')
      .slice(-3)
      .every((a) => a.timezone === 'Asia/Tokyo'),
  );
  held.resolve(daily('stale', []));
  await slow;
  assert.equal(store.getState().usage.timeZone, 'Asia/Tokyo');
  assert.equal(store.getState().usage.report?.meta.timeZone, 'Asia/Tokyo', 'the older answer was dropped');
  assert.equal(store.getState().usage.error, null);
});
