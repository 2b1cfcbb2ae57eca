// The app in a real browser against `session-inspector serve`: first run, runs and statuses, a failure
// fixed and rerun, the state editor with refusal and undo, plugin install through the trust prompt,
// hostile transcript text, SQL console, themes. Screenshots go to test-artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixturesMissing } from '../helpers.js';
import { HOSTILE_KEY, SUBAGENT_KEYS, fixFlakyPlugin, writeFlakyPlugin, writeInstallablePlugin, writeSessionRoot } from './fixtures.js';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, type Browser, type Server, stepper } from './support.js';

// In-page callbacks run in Chromium; the root tsconfig has no DOM types (this is Node code), so they see these.
declare const document: any;
declare const window: any;
declare const sessionStorage: any;

const skip = fixturesMissing || chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };

let server: Server;
let browser: Browser;
let page: Page;
let root: string;
let sessionCount: number;
let flakyFolder: string;
let installable: string;
let dir: string | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-'));
  root = join(dir, 'sessions');
  sessionCount = writeSessionRoot(root);
  flakyFolder = writeFlakyPlugin(join(dir, 'cli-plugins'));
  installable = writeInstallablePlugin(join(dir, 'to-install'));
  server = await startServer(['--db', join(dir, 'state.duckdb'), '--plugins', flakyFolder], {
    SESSION_INSPECTOR_HOME: join(dir, 'home'),
    // No default folder exists here: the first run asks for one.
    SESSION_DATA_DIR: join(dir, 'no-such-folder'),
  });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The status of one processor's chip on one session row, as the list shows it. */
function chip(sessionKey: string, processor: string) {
  return page.locator(`.list-row[data-session="${sessionKey}"] .chip[data-processor="${processor}"]`);
}

async function showSession(text: string) {
  await page.click('#nav-sessions');
  await page.fill('input[aria-label="Filter sessions by text"]', text);
  await page.waitForFunction(
    (t) => {
      const rows = [...document.querySelectorAll('.list-row[data-session]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-session')!.includes(t));
    },
    text,
    WAIT,
  );
}

async function tokenMovesToSessionStorage() {
  await page.waitForSelector('#folder-path', WAIT);
  assert.equal(new URL(page.url()).searchParams.has('token'), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('session-inspector.token')), server.token);
}

async function firstRunOpensTypedFolder() {
  await screenshot(page, 'first-run');
  await page.fill('#folder-path', join(root, 'no-such-subfolder'));
  await page.click('button:has-text("Open")');
  await page.waitForSelector('.notice-error, .folder-picker [role=alert]', WAIT); // refused with a reason
  assert.equal(await page.locator('#folder-path').count(), 1);
  // Record whether live progress ever shows (runs start as soon as the folder is chosen, and are quick).
  await page.evaluate(() => {
    new (window as any).MutationObserver(() => {
      if (document.querySelector('[data-testid=active-run], .running-strip')) window.__sawProgress = true;
      // The chips of the list as it first shows: the background runs may finish moments later.
      const chips = [...document.querySelectorAll('.list-row .chip[data-status]')];
      if (!window.__firstChips && chips.length > 0) window.__firstChips = chips.map((c: any) => c.getAttribute('data-status'));
    }).observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  await page.fill('#folder-path', root);
  await page.click('button:has-text("Open")');
  await page.waitForSelector(`[data-testid=session-total]:has-text("${sessionCount} sessions")`, WAIT);
  // Nothing had run when the list first showed: every chip was pending.
  await page.waitForFunction(() => window.__firstChips, undefined, WAIT);
  const first: string[] = await page.evaluate(() => window.__firstChips);
  assert.ok(first.length > 0);
  assert.deepEqual([...new Set(first)], ['pending']);
}

async function runsTurnChipsProcessedOrFailed() {
  await page.click('#nav-runs');
  await page.click('button:has-text("Run all processors now")');
  await page.click('#nav-sessions');
  await page.waitForFunction(
    () => {
      const chips = [...document.querySelectorAll('.list-row .chip')];
      return chips.length > 0 && chips.every((c) => ['processed', 'failed'].includes(c.getAttribute('data-status')!));
    },
    undefined,
    WAIT,
  );
  assert.equal(await page.evaluate(() => window.__sawProgress), true, 'live progress was shown while processors ran');
  await showSession('hostile');
  // Filtered to it, the hostile session's chips can still show its run in flight (CI saw "running"): wait until they settle.
  const settled = (processor: string) =>
    page.waitForSelector(
      `.list-row[data-session="${HOSTILE_KEY}"] .chip[data-processor="${processor}"]:is([data-status=processed], [data-status=failed])`,
      WAIT,
    );
  await Promise.all([settled('flaky'), settled('usage')]);
  assert.equal(await chip(HOSTILE_KEY, 'flaky').getAttribute('data-status'), 'failed');
  assert.equal(await chip(HOSTILE_KEY, 'usage').getAttribute('data-status'), 'processed');
  await page.fill('input[aria-label="Filter sessions by text"]', '');
  // summary has run: the two subagent transcripts are listed under their session now.
  await page.waitForSelector(`[data-testid=session-total]:has-text("${sessionCount - SUBAGENT_KEYS.length} sessions")`, WAIT);
  await screenshot(page, 'sessions');
}

async function detailShowsErrorAndInertText() {
  await showSession('hostile');
  const list = page.locator('[data-testid=session-scroll]');
  await list.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=session-detail] [data-testid=failure-error]', WAIT);
  assert.match(await page.locator('[data-testid=failure-error]').innerText(), /flaky cannot read hostile\/evil\.jsonl yet/);
  const transcript = page.locator('[data-testid=transcript]');
  await transcript.locator('.entry').first().waitFor(WAIT);
  // Open every collapsed tool call and result, so their text is in the page too.
  for (const d of await transcript.locator('details').all()) await d.evaluate((el: any) => (el.open = true));
  const text = await transcript.innerText();
  assert.ok(text.includes(`<img src=x onerror=`), 'the img tag is shown as text');
  assert.ok(text.includes('<script>'), 'the script tag is shown as text');
  assert.ok(text.includes('javascript:'), 'the link is shown as text');
  assert.equal(await transcript.locator('img, script, a, iframe, svg, object, embed').count(), 0);
  assert.equal(await page.locator('a[href^="javascript:"], iframe, img[src="x"]').count(), 0);
  await page.locator('[data-testid=transcript]').getByText('javascript:', { exact: false }).first().click();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(browser.dialogs, []);
  assert.equal(new URL(page.url()).pathname, '/');
  await screenshot(page, 'session-detail');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=session-detail]', { state: 'detached', timeout: 10_000 });
}

async function rerunFailedAfterFix() {
  fixFlakyPlugin(flakyFolder);
  await page.click('#nav-plugins');
  await page.click('button:has-text("Reload plugins")');
  await page.locator('button:has-text("Reload plugins"):not([disabled])').waitFor(WAIT);
  await page.locator('tr[data-processor=flaky] button:has-text("Rerun failed")').click();
  await showSession('hostile');
  await page.waitForFunction(
    (key) => document.querySelector(`.list-row[data-session="${key}"] .chip[data-processor=flaky]`)?.getAttribute('data-status') === 'processed',
    HOSTILE_KEY,
    WAIT,
  );
  const history = await server.call('runs/history', { processor: 'flaky', limit: 5 });
  assert.ok(
    history.some((r) => r.stats?.processed === 1 && r.stats.errors === 0),
    'a rerun processed exactly the failed session',
  );
}

async function stateEditorRefusesSavesAndUndoes() {
  await page.click('#nav-state');
  await page.selectOption('select[aria-label="State processor"]', 'flaky');
  await page.fill('input[aria-label="Filter state rows by session"]', 'hostile');
  const row = page.locator(`tr[data-processor=flaky][data-session="${HOSTILE_KEY}"]`);
  await row.waitFor(WAIT);
  await page.waitForFunction(() => document.querySelectorAll('.state-table tbody tr[data-session]').length === 1, undefined, WAIT);
  const items = row.locator('td[data-col=items]');
  const original = Number(await items.innerText());

  await items.locator('button').click();
  await items.locator('input').fill('-5');
  await items.locator('input').press('Enter');
  assert.match(await items.locator('[role=alert]').innerText(), /whole number/);
  await items.locator('button:has-text("Cancel")').click();
  let rows = await server.call('state/list', { processor: 'flaky', text: 'hostile', offset: 0, limit: 10 });
  assert.equal(rows.rows[0].itemsExtracted, original, 'nothing was written');

  // Someone else changes the row while the editor is open on the old value: the server refuses the edit.
  await items.locator('button').click();
  await items.locator('input').fill('42');
  await server.call('state/update', {
    processor: 'flaky',
    sessionKey: HOSTILE_KEY,
    changes: { itemsExtracted: 77 },
    expected: { itemsExtracted: original, processedAt: rows.rows[0].processedAt },
  });
  await page.waitForTimeout(1000); // the state-changed event refreshes the table meanwhile
  await items.locator('input').press('Enter');
  const refusal = await items.locator('[role=alert]').innerText();
  assert.ok(refusal.length > 0);
  rows = await server.call('state/list', { processor: 'flaky', text: 'hostile', offset: 0, limit: 10 });
  assert.equal(rows.rows[0].itemsExtracted, 77, `the refused edit wrote nothing (refusal: ${refusal})`);
  await items.locator('button:has-text("Cancel")').click();
  await page.waitForFunction(() => document.querySelector('td[data-col=items]')?.textContent?.trim() === '77', undefined, WAIT);

  await items.locator('button').click();
  await items.locator('input').fill('42');
  await items.locator('input').press('Enter');
  await page.waitForFunction(() => document.querySelector('td[data-col=items]')?.textContent?.trim() === '42', undefined, WAIT);
  const entry = page.locator('.audit-entry[data-action=update]').first();
  await entry.locator('button:has-text("Undo")').waitFor(WAIT);
  await screenshot(page, 'state-editor');
  await entry.locator('button:has-text("Undo")').click();
  await page.waitForFunction(() => document.querySelector('td[data-col=items]')?.textContent?.trim() === '77', undefined, WAIT);
  await entry.locator('text=undone').waitFor(WAIT);
  rows = await server.call('state/list', { processor: 'flaky', text: 'hostile', offset: 0, limit: 10 });
  assert.equal(rows.rows[0].itemsExtracted, 77);
}

async function pluginInstallsThroughTrustPrompt() {
  await page.click('#nav-plugins');
  await page.fill('#plugin-path', installable);
  await page.click('button:has-text("Inspect")');
  const prompt = page.locator('.trust-prompt');
  await prompt.waitFor(WAIT);
  assert.equal(await prompt.locator('[data-testid=trust-name]').innerText(), 'extra-plugin');
  assert.equal(await prompt.locator('[data-testid=trust-version]').innerText(), '2.1.0');
  assert.equal(await prompt.locator('[data-testid=trust-processors]').innerText(), 'extra');
  assert.ok((await prompt.locator('[data-testid=trust-hash]').innerText()).length >= 16);
  await screenshot(page, 'trust-prompt');
  await prompt.locator('button:has-text("Trust and install")').click();
  await page.locator('tr[data-processor=extra]').waitFor(WAIT);
  await page.locator('tr[data-plugin=extra-plugin]').waitFor(WAIT);
  await screenshot(page, 'plugins');
  const plugins = await server.call('plugins/list', {});
  const installed = plugins.find((p) => p.name === 'extra-plugin');
  assert.ok(installed && installed.enabled && installed.approval === 'approved', JSON.stringify(installed));
}

async function runsViewShowsHistoryAndCharts() {
  await page.click('#nav-runs');
  await page.locator('table[aria-label="Run history"] tr[data-processor=flaky]').first().waitFor(WAIT);
  await page.locator('.chart .uplot').first().waitFor(WAIT);
  await screenshot(page, 'runs');
}

async function sqlConsoleQueriesAndExports() {
  await page.click('#nav-query');
  await page.locator('.catalog button:has-text("session_processor_state")').waitFor(WAIT);
  await page.click('button:has-text("Run (Ctrl+Enter)")');
  await page.locator('[role=gridcell]:has-text("flaky")').first().waitFor(WAIT);
  await page.fill('textarea[aria-label="SQL query"]', 'DELETE FROM session_processor_state');
  await page.keyboard.press('Control+Enter');
  await page.locator('.query-main .error-block').waitFor(WAIT);
  const stillThere = await server.call('state/list', { offset: 0, limit: 1 });
  assert.ok(stillThere.total > 0, 'the console is read-only');
  await page.fill('textarea[aria-label="SQL query"]', 'SELECT processor_name, count(*) AS n FROM session_processor_state GROUP BY ALL ORDER BY 1');
  await page.keyboard.press('Control+Enter');
  await page.locator('[role=gridcell]:has-text("usage")').waitFor(WAIT);
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.click('button:has-text("Export CSV")');
  const file = await download;
  const csv = await (await file.createReadStream()).toArray();
  assert.match(Buffer.concat(csv).toString(), /processor_name/);
  await screenshot(page, 'query');
}

async function keyboardThemeAndViewSurviveReload() {
  await page.selectOption('select[aria-label="Theme"]', 'dark');
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
  await page.click('#nav-sessions');
  await page.reload();
  await page.waitForSelector('[data-testid=session-scroll]', WAIT);
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
  assert.equal(await page.getAttribute('#nav-sessions', 'aria-current'), 'page');
  const list = page.locator('[data-testid=session-scroll]');
  await list.locator('.list-row[data-session]').first().waitFor(WAIT);
  await list.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  assert.equal(await page.locator('.list-row.selected').count(), 2);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=session-detail]', WAIT);
  await screenshot(page, 'sessions-dark');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=session-detail]', { state: 'detached', timeout: 10_000 });
  assert.deepEqual(browser.pageErrors, []);
  // The policy's frame-ancestors comes as a header, never in the meta tag (where browsers log an error).
  assert.deepEqual(
    browser.consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
  );
}

test('browser mode: the whole audit loop in real Chromium', { skip, timeout: 300_000 }, async (t) => {
  const step = stepper(t, page);

  await step('the token moves from the address bar to sessionStorage', tokenMovesToSessionStorage);

  await step('first run: a folder typed in the path field opens the sessions list', firstRunOpensTypedFolder);

  await step('running processors turns pending chips into processed, and the flaky one into failed', runsTurnChipsProcessedOrFailed);

  await step('the session detail shows the error, and hostile transcript text stays inert text', detailShowsErrorAndInertText);

  await step('after the plugin is fixed and reloaded, "Rerun failed" processes the failed session', rerunFailedAfterFix);

  await step('state editor: a bad value is refused in the UI, a stale edit by the server, a good one saved and undone', stateEditorRefusesSavesAndUndoes);

  await step('a plugin installs from a path through the trust prompt (the calls a drop makes)', pluginInstallsThroughTrustPrompt);

  await step('runs view: history and charts', runsViewShowsHistoryAndCharts);

  await step('SQL console: catalog, results grid and export', sqlConsoleQueriesAndExports);

  await step('keyboard, theme and last view survive a reload (the token is kept for this tab)', keyboardThemeAndViewSurviveReload);
});
