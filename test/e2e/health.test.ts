// The header's health badge in real Chromium against `session-inspector serve`, over a store made by the
// CLI: a counting processor run once, then its run moved two days into the past (its cadence is 10 min),
// so main/core/health.ts finds it overdue. The badge counts the problem, its panel lists it as
// `status --check` does and links to the Runs view and the scheduler settings, it works from the keyboard
// and reads in both themes; a run started from the Runs view turns it healthy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Page } from 'playwright-core';
import { countingPlugin, runCli, userRecord, writePlugin, writeSession } from '../helpers.js';
import {
  chromiumMissing,
  openBrowser,
  rendererMissing,
  screenshot,
  startServer,
  type Browser,
  type Server,
  stepper,
  setTheme,
  textContrast,
} from './support.js';

// In-page callbacks run in Chromium; the root tsconfig has no DOM types (this is Node code), so they see these.
declare const document: any;

const skip = chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };
const CADENCE = { SESSION_INSPECTOR_CADENCE_COUNT: '10' };
const TWO_DAYS_MINUTES = 2 * 24 * 60;

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;

/** Moves every recorded run of the store back by `minutes`, as if they had happened that long ago. */
async function age(state: string, minutes: number): Promise<void> {
  const instance = await DuckDBInstance.create(state);
  const c = await instance.connect();
  try {
    await c.run(`UPDATE processor_runs SET started_at = started_at - INTERVAL ${minutes} MINUTE, finished_at = finished_at - INTERVAL ${minutes} MINUTE`);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-health-'));
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  const plugins = join(dir, 'plugins');
  writeSession(root, 'alice/a.jsonl', [userRecord('hello')]);
  writeSession(root, 'bob/b.jsonl', [userRecord('hi'), userRecord('again')]);
  writePlugin(plugins, 'count', countingPlugin('count'));
  const run = await runCli(['run', '--sessions', root, '--state', state, '--plugins', plugins, '--no-builtins', '--json'], { env: CADENCE });
  assert.equal(run.code, 0, run.stderr);
  await age(state, TWO_DAYS_MINUTES);
  // No background runs: the scheduler would run the overdue processor at start, before the page looks.
  server = await startServer(['--state', state, '--sessions', root, '--plugins', plugins, '--no-builtins', '--no-schedule'], {
    ...CADENCE,
    SESSION_INSPECTOR_HOME: join(dir, 'home'),
  });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const badge = () => page.locator('[data-testid=health-badge]');
const panel = () => page.locator('[data-testid=health-panel]');

async function badgeSays(label: string): Promise<void> {
  await page.locator(`[data-testid=health-badge][aria-label="Health: ${label}"]`).waitFor(WAIT);
  assert.equal((await badge().innerText()).trim(), label);
}

async function mainJudgesOverdue() {
  const report = await server.call('health/get', {});
  assert.deepEqual(
    report.problems.map((p) => [p.kind, p.processor]),
    [['overdue', 'count']],
  );
  assert.equal(report.processors[0].cadence_minutes, 10);
}

async function headerShowsOneProblem() {
  await badgeSays('1 problem');
  assert.match((await badge().getAttribute('class')) ?? '', /health-problems/);
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    const ratio = await textContrast(page, '[data-testid=health-badge]');
    assert.ok(ratio >= 4.5, `${theme}: contrast ${ratio.toFixed(2)}:1`);
  }
}

async function panelOpensAndCloses() {
  await badge().focus();
  await page.keyboard.press('Enter');
  await panel().waitFor(WAIT);
  assert.equal(await badge().getAttribute('aria-expanded'), 'true');
  const problems = await panel().locator('.health-problem').allInnerTexts();
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^overdue: count: last run started 2,88\d min ago, its cadence is 10 min: is `watch` \(or the app, or cron\) still running\?/);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Runs of count', 'focus moves to the first link');
  await screenshot(page, 'health-panel-dark');
  await page.keyboard.press('Escape');
  await panel().waitFor({ state: 'detached', ...WAIT });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'health-badge');
  assert.equal(await badge().getAttribute('aria-expanded'), 'false');
  // A click elsewhere closes it too.
  await badge().click();
  await panel().waitFor(WAIT);
  await page.click('h1.brand');
  await panel().waitFor({ state: 'detached', ...WAIT });
}

async function schedulerSettingsLink() {
  await setTheme(page, 'light');
  await badge().click();
  await panel().waitFor(WAIT);
  await screenshot(page, 'health-panel-light');
  await panel().locator('button:has-text("Scheduler settings")').click();
  await page.locator('#scheduler-title').waitFor(WAIT);
  assert.equal(await page.getAttribute('#nav-settings', 'aria-current'), 'page');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'scheduler-title');
  const row = page.locator('table[aria-label="Processor cadences"] tr[data-processor=count]');
  assert.match(await row.innerText(), /every 10 min.*none\s+overdue/s);
  await page.locator('text=Background runs are off in this app').waitFor(WAIT);
  await screenshot(page, 'health-settings');
}

async function runsOfCountLink() {
  await badge().focus();
  await page.keyboard.press('Enter');
  await panel().waitFor(WAIT);
  // The first link has the focus: Enter follows it.
  await page.keyboard.press('Enter');
  await page.locator('#run-history-title').waitFor(WAIT);
  await panel().waitFor({ state: 'detached', ...WAIT });
  assert.equal(await page.getAttribute('#nav-runs', 'aria-current'), 'page');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'run-history-title');
  assert.equal(await page.inputValue('select[aria-label="Run history of"]'), 'count');
  await page.locator('table[aria-label="Run history"] tbody tr[data-processor=count]').first().waitFor(WAIT);
  assert.equal(await page.locator('table[aria-label="Run history"] tbody tr:not([data-processor=count])').count(), 0);
}

async function runClearsBadge() {
  await page.locator('table[aria-label=Processors] tr[data-processor=count] button:has-text("Run now")').click();
  await badgeSays('healthy');
  assert.match((await badge().getAttribute('class')) ?? '', /health-ok/);
  assert.deepEqual((await server.call('health/get', {})).problems, []);
  assert.equal(await page.locator('table[aria-label="Run history"] tbody tr[data-processor=count]').count(), 2, 'the new run is in the history');
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    const ratio = await textContrast(page, '[data-testid=health-badge]');
    assert.ok(ratio >= 4.5, `${theme}: contrast ${ratio.toFixed(2)}:1`);
    await badge().click();
    await page.locator('[data-testid=health-panel] >> text=The one loaded processor is healthy').waitFor(WAIT);
    await screenshot(page, `health-healthy-${theme}`);
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached', ...WAIT });
  }
}

async function noPageErrors() {
  assert.deepEqual(browser.pageErrors, []);
}

test('health badge: an overdue processor is counted, explained and linked to its fix; a run clears it', { skip, timeout: 300_000 }, async (t) => {
  const step = stepper(t, page, 'health-');

  await step("main judges the store overdue (the CLI's rules over the aged run)", mainJudgesOverdue);

  await step('the header shows "1 problem" in a warning colour that meets contrast in both themes', headerShowsOneProblem);

  await step('Enter opens the panel listing the problem as status --check words it; Escape closes it and focus returns', panelOpensAndCloses);

  await step('"Scheduler settings" opens Settings at the scheduler: the cadence the rules used, and no background runs', schedulerSettingsLink);

  await step('"Runs of count" opens the Runs view with that processor\'s run history, by keyboard', runsOfCountLink);

  await step('a run started from the Runs view turns the badge healthy', runClearsBadge);

  await step('no page errors', noPageErrors);
});
