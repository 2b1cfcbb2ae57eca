// The sessions list in real Chromium against `session-inspector serve`, over the real transcripts: before
// any run a row says what the scan knows and when the rest comes; after the built-ins ran, rows read as
// titles and projects, sort and filter in the database as main answers, subagent transcripts open under
// their session; it works from the keyboard, remembers the chosen columns, explains a turned-off
// processor's empty column, and its chips and text meet contrast in both themes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { SessionQuery } from '../../main/api/contract.js';
import { fixturesMissing } from '../helpers.js';
import { seed } from '../core/sessions/fixture.js';
import { SUBAGENT_KEYS, SUBAGENT_PARENT } from './fixtures.js';
import {
  chromiumMissing,
  openBrowser,
  rendererMissing,
  screenshot,
  setTheme,
  startServer,
  stepper,
  textContrast,
  type Browser,
  type Server,
} from './support.js';

// In-page callbacks run in Chromium; the root tsconfig has no DOM types (this is Node code), so they see these.
declare const document: any;

const skip = fixturesMissing || chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };
const FIRST = '-home-carol-src-docs-site/first.jsonl';

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-sessions-'));
  const root = join(dir, 'sessions');
  seed(root);
  server = await startServer(['--state', join(dir, 'state.duckdb'), '--sessions', root, '--no-schedule'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The session keys the list shows, top to bottom. */
async function shownKeys(): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.list-row[data-session]')]
      .sort((a: any, b: any) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
      .map((r: any) => r.getAttribute('data-session')),
  );
}

/** Waits until the list shows main's answer to `query` (its first rows, in its order). */
async function waitForMain(query: Partial<SessionQuery>): Promise<string[]> {
  const expected = (await server.call('sessions/list', { offset: 0, limit: 500, ...query })).rows.map((r) => r.sessionKey);
  await page.waitForFunction(
    (keys) => {
      const shown = [...document.querySelectorAll('.list-row[data-session]')]
        .sort((a: any, b: any) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
        .map((r: any) => r.getAttribute('data-session'));
      return shown.length > 0 && shown.length <= keys.length && shown.every((k: string, i: number) => k === keys[i]);
    },
    expected,
    WAIT,
  );
  return expected;
}

const row = (key: string) => page.locator(`.list-row[data-session="${key}"]`);

async function rowsBeforeAnyRun() {
  await row(FIRST).waitFor(WAIT);
  const title = row(FIRST).locator('.col-title span.muted');
  assert.match((await title.textContent()) ?? '', /^first\.jsonl · .+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  assert.match((await title.getAttribute('title')) ?? '', /comes after the first run of summary/);
  assert.match((await row(FIRST).locator('.col-cost').getAttribute('title')) ?? '', /comes after the first run of tokens/);
  assert.equal(await row(FIRST).locator('.col-cost').textContent(), '–', 'never a zero');
}

async function rowsAfterBuiltinsRan() {
  const { started } = await server.call('runs/start', {});
  assert.ok(started.includes('summary') && started.includes('tokens'));
  await page.waitForFunction(
    () => document.querySelector('.list-row[data-session="-home-carol-src-docs-site/first.jsonl"] .title-text') !== null,
    undefined,
    WAIT,
  );
  await page.waitForFunction(
    () => ![...document.querySelectorAll('.list-row .chip')].some((c: any) => ['pending', 'running'].includes(c.getAttribute('data-status'))),
    undefined,
    WAIT,
  );
  const title = row(FIRST).locator('.col-title .title-text');
  assert.equal(await title.textContent(), 'Fix the broken links on the install page');
  assert.equal(await title.getAttribute('title'), 'Fix the broken links on the install page');
  assert.equal(await row(FIRST).locator('.col-project').textContent(), 'docs-site');
  assert.equal(await row(FIRST).locator('.col-project').getAttribute('title'), '/home/carol/src/docs-site');
  assert.equal(await row(FIRST).locator('.col-branch').textContent(), 'main');
  assert.match((await row(FIRST).locator('.col-cost').textContent()) ?? '', /^\$\d+\.\d\d$/);
  assert.match((await row(FIRST).getAttribute('aria-label')) ?? '', /^Fix the broken links on the install page, docs-site, started /);
  await screenshot(page, 'sessions-list');
}

async function sortAndFiltersInDatabase() {
  await page.click('button[aria-label="Sort by Cost"]');
  await waitForMain({ sort: { by: 'cost', dir: 'desc' } });
  await page.click('button[aria-label="Sort by Cost"]');
  await waitForMain({ sort: { by: 'cost', dir: 'asc' } });
  await page.selectOption('select[aria-label=Project]', { label: 'docs-site · 2' });
  assert.deepEqual((await waitForMain({ sort: { by: 'cost', dir: 'asc' }, project: '/home/carol/src/docs-site' })).length, 2);
  await page.selectOption('select[aria-label=Project]', '');
  await page.click('button:has-text("has tool errors")');
  const withErrors = await waitForMain({ sort: { by: 'cost', dir: 'asc' }, has: ['errors'] });
  assert.ok(withErrors.length > 0);
  await page.click('button:has-text("has tool errors")');
  await page.fill('input[aria-label="Filter sessions by text"]', 'broken LINKS');
  assert.deepEqual(await waitForMain({ sort: { by: 'cost', dir: 'asc' }, text: 'broken LINKS' }), [FIRST]);
  await page.fill('input[aria-label="Filter sessions by text"]', '');
  await page.click('button[aria-label="Sort by Started"]');
  await waitForMain({ sort: { by: 'started', dir: 'desc' } });
}

async function keyboardMovesOpensAndCloses() {
  const keys = await shownKeys();
  assert.ok(!SUBAGENT_KEYS.some((k) => keys.includes(k)), 'subagent transcripts are not rows of their own');
  await page.focus('#session-list');
  for (let i = 0; i < keys.indexOf(SUBAGENT_PARENT); i++) await page.keyboard.press('ArrowDown');
  await page.locator(`.list-row.active[data-session="${SUBAGENT_PARENT}"]`).waitFor(WAIT);
  assert.equal(await row(SUBAGENT_PARENT).locator('.expand-button').getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((ks) => ks.every((k: string) => document.querySelector(`.list-row.subagent-row[data-session="${k}"]`)), SUBAGENT_KEYS, WAIT);
  assert.equal(await row(SUBAGENT_PARENT).locator('.expand-button').getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  await page.locator('.list-row.active.subagent-row').waitFor(WAIT);
  const [firstChild] = (await server.call('sessions/list', { offset: 0, limit: 10, parent: SUBAGENT_PARENT, sort: { by: 'started', dir: 'desc' } })).rows;
  assert.equal(await page.locator('.list-row.active .title-text').textContent(), firstChild.title);
  assert.match(firstChild.title ?? '', /^(Run the test suite|Build the project)$/, 'titled by the task it was given');
  await page.keyboard.press('ArrowLeft');
  await page.locator(`.list-row.active[data-session="${SUBAGENT_PARENT}"]`).waitFor(WAIT);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelectorAll('.list-row.subagent-row').length === 0, undefined, WAIT);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=session-detail]').waitFor(WAIT);
  // The session's detail lists its subagents; one opens, and leads back to its session.
  await page
    .locator('.subagent-list li')
    .nth(SUBAGENT_KEYS.length - 1)
    .waitFor(WAIT);
  await page.locator('.subagent-list button').first().click();
  await page.locator('[data-testid=session-detail] button:has-text("its session")').click();
  await page.locator('.subagent-list li').first().waitFor(WAIT);
  await page.focus('#session-list');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=session-detail]').waitFor({ state: 'detached', ...WAIT });
}

async function columnsHiddenReorderedRemembered() {
  await page.click('button[aria-label="Choose columns"]');
  await page.locator('.columns-item[data-column=branch] input').uncheck();
  await page.click('button[aria-label="Move Cost left"]');
  const headers = async () =>
    page.evaluate(() => [...document.querySelectorAll('.list-head .sort-button')].map((b: any) => b.getAttribute('aria-label').replace('Sort by ', '')));
  const chosen = await headers();
  assert.ok(!chosen.includes('Branch'));
  assert.ok(chosen.indexOf('Cost') < chosen.indexOf('Messages'));
  await page.keyboard.press('Escape');
  await page.reload();
  await row(FIRST).waitFor(WAIT);
  assert.deepEqual(await headers(), chosen);
}

async function turnedOffProcessorColumnEmpty() {
  await server.call('plugins/setEnabled', { name: 'tokens', enabled: false });
  await page.click('button:has-text("Refresh")');
  await page.waitForFunction(
    () => document.querySelector('.list-row[data-session="-home-carol-src-docs-site/first.jsonl"] .col-cost')?.textContent === '–',
    undefined,
    WAIT,
  );
  assert.match((await row(FIRST).locator('.col-cost').getAttribute('title')) ?? '', /the tokens processor is not enabled/);
  await server.call('plugins/setEnabled', { name: 'tokens', enabled: true });
}

async function chipsAndCellsMeetContrast() {
  for (const theme of ['dark', 'light'] as const) {
    await setTheme(page, theme);
    const selectors = [
      '.list-row .chip[data-status=processed] .chip-status',
      '.list-row .chip .chip-name',
      '.list-row .title-text',
      '.list-row .empty-cell',
      '.list-head .sort-button',
    ];
    for (const status of ['failed', 'stale', 'pending', 'quarantined'])
      if (await page.locator(`.list-row .chip[data-status=${status}]`).count()) selectors.push(`.list-row .chip[data-status=${status}] .chip-status`);
    for (const selector of selectors) {
      if ((await page.locator(selector).count()) === 0) continue;
      const ratio = await textContrast(page, selector);
      assert.ok(ratio >= 4.5, `${theme}: ${selector} has contrast ${ratio.toFixed(2)}`);
    }
  }
}

test('sessions list: rows an analyst recognizes, sorted and filtered by main, keyboard, columns, contrast', { skip, timeout: 300_000 }, async (t) => {
  const step = stepper(t, page, 'sessions-');

  await step('before any run, a row shows the file, its size and time, and says the title comes after the first run', rowsBeforeAnyRun);

  await step('after the built-ins ran, rows read as titles and projects, full text and path on hover', rowsAfterBuiltinsRan);

  await step('a header sorts in the database; the project picker, the found filters and the text filter narrow it', sortAndFiltersInDatabase);

  await step('from the keyboard: arrows move, right opens the subagents, left goes back and closes, Enter opens, Escape closes', keyboardMovesOpensAndCloses);

  await step('columns can be hidden and reordered, and the choice is remembered', columnsHiddenReorderedRemembered);

  await step("a turned-off processor's column is empty, with the reason on hover", turnedOffProcessorColumnEmpty);

  await step('status chips, titles and empty cells meet WCAG AA contrast in both themes', chipsAndCellsMeetContrast);

  assert.deepEqual(browser.pageErrors, []);
});
