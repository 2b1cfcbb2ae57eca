// The Usage page in real Chromium against `session-inspector serve`, over the real transcripts: the tokens
// processor run by the CLI (a transcript deleted and run again, so its usage counts as from a deleted
// file), the expected reports read with readUsageReport from that same store, then the page compared with
// them in UTC and in Asia/Kolkata, a refused zone, the project picker, the block card and the CSV export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { UsagePeriodRow, UsageTotals } from '../../main/api/contract.js';
import { reportOptions } from '../../main/core/reports/reportOptions.js';
import { readUsageReport, type ReportKind } from '../../main/core/reports/usageReport.js';
import { openDatabase } from '../../main/core/store/openDatabase.js';
import { fixturesDir, fixturesMissing, runCli, writeSession } from '../helpers.js';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, type Browser, type Server, stepper } from './support.js';

// In-page callbacks run in Chromium; the root tsconfig has no DOM types (this is Node code), so they see these.
declare const document: any;

const skip = fixturesMissing || chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };
/** The zone Chromium runs in: the page must open in it, not in the server's. */
const BROWSER_ZONE = 'America/New_York';
/** The real transcript deleted after the first run (the only session of 2025-06-10 UTC). */
const DELETED = join('ai-music', 'fed8ce56-bc79-401f-a83e-af084253362f.jsonl');
const UNPRICED_MODEL = 'local-llama-offline';
const AI_MUSIC = '/Users/chip/dev/ai-music';

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;
let expected: Record<'utc' | 'kolkata' | 'aiMusic', { rows: UsagePeriodRow[]; totals: UsageTotals }>;
let latestBlockTokens: number;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-usage-'));
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  cpSync(fixturesDir, root, { recursive: true });
  rmSync(join(root, 'SOURCES.md'), { force: true });
  // One model the bundled price table does not know, late on 2025-09-05 UTC (early 09-06 in Kolkata).
  writeSession(root, 'offline/local.jsonl', [
    {
      type: 'assistant',
      uuid: 'local-1',
      timestamp: '2025-09-05T22:00:00.000Z',
      cwd: '/home/me/offline',
      requestId: 'req_local_1',
      message: {
        id: 'msg_local_1',
        role: 'assistant',
        model: UNPRICED_MODEL,
        content: [{ type: 'text', text: 'hi' }],
        usage: { input_tokens: 1200, output_tokens: 34 },
      },
    },
  ]);
  const run = async () => {
    const result = await runCli(['run', '--sessions', root, '--state', state, '--processor', 'tokens', '--json']);
    assert.equal(result.code, 0, result.stderr);
  };
  await run();
  rmSync(join(root, DELETED));
  await run(); // marks the deleted session orphaned; its usage stays in the store

  const db = await openDatabase(state);
  try {
    const daily = async (timezone: string, project?: string) => {
      const report = await readUsageReport(db, 'daily' as ReportKind, reportOptions({ timezone, project }));
      assert.ok(report.kind === 'daily');
      return { rows: report.daily, totals: report.totals };
    };
    expected = { utc: await daily('UTC'), kolkata: await daily('Asia/Kolkata'), aiMusic: await daily('Asia/Kolkata', AI_MUSIC) };
    const blocks = await readUsageReport(db, 'blocks', reportOptions({ timezone: 'UTC' }));
    assert.ok(blocks.kind === 'blocks');
    latestBlockTokens = blocks.blocks.filter((b) => !b.isGap).at(-1)!.totalTokens;
  } finally {
    await db.close();
  }
  server = await startServer(['--state', state, '--sessions', root, '--no-schedule'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url, { width: 1400, height: 1000 }, BROWSER_ZONE);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ShownRow {
  period: string;
  cells: Record<string, string>;
}

async function shownRows(): Promise<{ rows: ShownRow[]; totals: Record<string, string> }> {
  return page.evaluate(() => {
    const cells = (tr: any) =>
      Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map((td: any) => [td.getAttribute('data-col'), td.textContent.trim()]));
    const table = document.querySelector('[data-testid=usage-table]');
    return {
      rows: [...table.querySelectorAll('tbody tr')].map((tr: any) => ({ period: tr.getAttribute('data-period'), cells: cells(tr) })),
      totals: cells(table.querySelector('tfoot tr')),
    };
  });
}

/** Waits until the table shows exactly these periods, in this order. */
async function waitForPeriods(periods: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const got = [...document.querySelectorAll('[data-testid=usage-table] tbody tr')].map((tr: any) => tr.getAttribute('data-period'));
      return JSON.stringify(got) === JSON.stringify(want);
    },
    periods,
    WAIT,
  );
}

const count = (n: number) => n.toLocaleString('en-US');
const cost = (r: UsageTotals) =>
  r.unpricedMessages >= r.messages && r.messages > 0 ? 'no price' : `$${r.totalCost.toFixed(2)}${r.unpricedMessages > 0 ? ' + no price' : ''}`;
const amounts = (r: UsageTotals) => ({
  input: count(r.inputTokens),
  output: count(r.outputTokens),
  'cache-create': count(r.cacheCreationTokens),
  'cache-read': count(r.cacheReadTokens),
  total: count(r.totalTokens),
  cost: cost(r),
});

/** The table, cell by cell, is the report readUsageReport gives for the same store. */
async function assertTableIs(want: { rows: UsagePeriodRow[]; totals: UsageTotals }): Promise<void> {
  await waitForPeriods(want.rows.map((r) => r.date!));
  const shown = await shownRows();
  assert.deepEqual(
    shown.rows,
    want.rows.map((r) => ({
      period: r.date!,
      cells: {
        period: r.date!,
        models: r.modelsUsed.join(', '),
        ...amounts(r),
        sessions: r.deletedSessions > 0 ? `${r.sessions} (${r.deletedSessions} deleted)` : String(r.sessions),
      },
    })),
  );
  assert.deepEqual(shown.totals, amounts(want.totals));
}

async function storeHoldsWhatTestNeeds() {
  assert.ok(
    expected.utc.rows.some((r) => r.deletedSessions > 0),
    'a row with a session from a deleted file',
  );
  assert.ok(
    expected.utc.rows.some((r) => r.unpricedMessages > 0 && r.unpricedMessages === r.messages),
    'a row of unpriced messages only',
  );
  assert.notDeepEqual(
    expected.kolkata.rows.map((r) => r.date),
    expected.utc.rows.map((r) => r.date),
  );
  assert.equal(expected.kolkata.totals.totalTokens, expected.utc.totals.totalTokens);
}

async function opensInBrowserZone() {
  await page.click('#nav-usage');
  await page.locator('[data-testid=usage-table] tbody tr').first().waitFor(WAIT);
  assert.equal(await page.inputValue('input[aria-label="Time zone"]'), BROWSER_ZONE);
  assert.equal(await page.getAttribute('#nav-usage', 'aria-current'), 'page');
}

async function utcTableEqualsReport() {
  await page.fill('input[aria-label="Time zone"]', 'UTC');
  await assertTableIs(expected.utc);
  assert.ok(expected.utc.rows.some((r) => r.date === '2025-09-05'));
  const deleted = expected.utc.rows.find((r) => r.deletedSessions > 0)!;
  assert.equal(
    await page.locator(`tr[data-period="${deleted.date}"] td[data-col=sessions]`).innerText(),
    `${deleted.sessions} (${deleted.deletedSessions} deleted)`,
  );
  const unpriced = expected.utc.rows.find((r) => r.modelsUsed.includes(UNPRICED_MODEL))!;
  assert.equal(await page.locator(`tr[data-period="${unpriced.date}"] td[data-col=cost]`).innerText(), 'no price');
  await page.locator(`text=Not in the cost chart, no price: ${UNPRICED_MODEL}`).waitFor(WAIT);
  assert.equal(await page.locator('.usage-charts .uplot').count(), 2, 'cost and tokens charts');
}

async function kolkataMovesRows() {
  await page.fill('input[aria-label="Time zone"]', 'Asia/Kolkata');
  await page.press('input[aria-label="Time zone"]', 'Enter');
  await assertTableIs(expected.kolkata);
  // The real transcripts' messages fall between 00:47 and 12:37 UTC, the same days in Kolkata (+05:30);
  // the message at 22:00 UTC on 09-05 is at 03:30 on 09-06 there.
  const periods = (await shownRows()).rows.map((r) => r.period);
  assert.ok(periods.includes('2025-09-06') && !periods.includes('2025-09-05'), periods.join(', '));
  await screenshot(page, 'usage');
}

async function refusedZoneNamedAndKept() {
  await page.fill('input[aria-label="Time zone"]', 'Mars/Olympus');
  await page.press('input[aria-label="Time zone"]', 'Enter');
  await page.locator('[data-testid=usage-error]').waitFor(WAIT);
  assert.match(await page.locator('[data-testid=usage-error]').innerText(), /^timezone: "Mars\/Olympus" is not an IANA time zone/);
  await assertTableIs(expected.kolkata);
  await page.fill('input[aria-label="Time zone"]', 'Asia/Kolkata');
  await page.press('input[aria-label="Time zone"]', 'Enter');
  await page.locator('[data-testid=usage-error]').waitFor({ state: 'detached', ...WAIT });
}

async function csvExportsShownRows() {
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.click('button:has-text("Export CSV")');
  const file = await download;
  assert.equal(file.suggestedFilename(), 'usage-daily-Asia-Kolkata.csv');
  const csv = Buffer.concat(await (await file.createReadStream()).toArray()).toString();
  const [head, ...lines] = csv.trimEnd().split('\r\n');
  assert.equal(
    head,
    'period,models,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,total_tokens,' +
      'cost_usd,messages,unpriced_messages,sessions,deleted_sessions',
  );
  const columns = head.split(',');
  // Models are a quoted list; the fields after them are plain numbers (or an empty cost).
  const parsed = lines.map((line) => {
    const m = /^([^,]*),("(?:[^"]|"")*"|[^,]*),(.*)$/.exec(line)!;
    return Object.fromEntries(
      columns
        .slice(2)
        .map((c, i) => [c, m[3].split(',')[i]])
        .concat([['period', m[1]]]),
    );
  });
  assert.deepEqual(
    parsed,
    expected.kolkata.rows.map((r) => ({
      period: r.date,
      input_tokens: String(r.inputTokens),
      output_tokens: String(r.outputTokens),
      cache_creation_tokens: String(r.cacheCreationTokens),
      cache_read_tokens: String(r.cacheReadTokens),
      total_tokens: String(r.totalTokens),
      cost_usd: r.unpricedMessages === r.messages ? '' : String(Number(r.totalCost.toFixed(9))),
      messages: String(r.messages),
      unpriced_messages: String(r.unpricedMessages),
      sessions: String(r.sessions),
      deleted_sessions: String(r.deletedSessions),
    })),
  );
}

async function blockCardShowsLatestBlock() {
  const card = page.locator('[data-testid=usage-block]');
  assert.match(await card.locator('h3').innerText(), /Latest 5-hour block/, 'these transcripts are old: no block is active');
  assert.match(await card.locator('[data-testid=block-tokens]').innerText(), new RegExp(`^${count(latestBlockTokens)} `));
}

async function projectPickerNarrowsReport() {
  const options = await page.locator('select[aria-label="Project"] option').evaluateAll((els: any[]) => els.map((o) => o.value));
  assert.ok(options.includes(AI_MUSIC) && options.includes('/home/me/offline'), options.join(', '));
  await page.selectOption('select[aria-label="Project"]', AI_MUSIC);
  await assertTableIs(expected.aiMusic);
  await page.click('button:has-text("Monthly")');
  await page.locator('[data-testid=usage-table] th:has-text("Month")').waitFor(WAIT);
  await waitForPeriods(['2025-06']);
  await page.selectOption('select[aria-label="Project"]', '');
  await page.click('button:has-text("Daily")');
  await assertTableIs(expected.kolkata);
}

async function darkThemeAndRunsView() {
  await page.selectOption('select[aria-label="Theme"]', 'dark');
  await page.waitForTimeout(300);
  await screenshot(page, 'usage-dark');
  await page.click('#nav-runs');
  await page.locator('.runs-view button.link-button:has-text("Usage")').waitFor(WAIT);
  assert.equal(await page.locator('[aria-label^="Tokens per day"], [aria-label^="Cost per day"]').count(), 0, 'token charts are on the Usage page only');
  await page.locator('.runs-view .chart .uplot').first().waitFor(WAIT);
  await screenshot(page, 'runs-dark');
  await page.locator('.runs-view button.link-button:has-text("Usage")').click();
  await page.locator('[data-testid=usage-table]').waitFor(WAIT);
  await page.selectOption('select[aria-label="Theme"]', 'light');
  assert.deepEqual(browser.pageErrors, []);
}

test("usage page: the report module's numbers, in any time zone, with CSV export", { skip, timeout: 300_000 }, async (t) => {
  const step = stepper(t, page, 'usage-');

  await step('the store holds what the test needs: a deleted session, an unpriced model, days that move with the zone', storeHoldsWhatTestNeeds);

  await step("the page opens in the browser's time zone", opensInBrowserZone);

  await step('in UTC the daily table equals readUsageReport over the same store', utcTableEqualsReport);

  await step("in Asia/Kolkata (typed: Chromium lists it only as Asia/Calcutta) the rows move to Kolkata's days", kolkataMovesRows);

  await step('a zone main refuses is shown naming the field, and the last good zone stays', refusedZoneNamedAndKept);

  await step('CSV export downloads the rows the table shows', csvExportsShownRows);

  await step('the block card shows the latest 5-hour block', blockCardShowsLatestBlock);

  await step('the project picker lists the projects and narrows the report to one', projectPickerNarrowsReport);

  await step('dark theme; the runs view keeps tool charts and points to this page', darkThemeAndRunsView);
});
