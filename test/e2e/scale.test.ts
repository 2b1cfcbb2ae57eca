// 100,000 sessions in the browser: the list is virtual (a window of rows in the DOM, pages fetched from
// DuckDB as it scrolls), and the far end of the list is reachable quickly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, type Browser, type Server } from './support.js';

// In-page callbacks run in Chromium (the root tsconfig has no DOM types).
declare const document: any;

const DIRS = 200;
const PER_DIR = 500;
const TOTAL = DIRS * PER_DIR;
/** Rows the DOM may hold at once: a screen (about 25 rows here) plus overscan, far from 100,000. */
const MAX_ROWS_IN_DOM = 80;
const skip = chromiumMissing || rendererMissing;

let dir: string | undefined;
let server: Server;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-100k-'));
  const root = join(dir, 'sessions');
  // One short line per file: what matters here is the number of sessions, not their size.
  const line = `${JSON.stringify({ type: 'user', timestamp: '2025-09-01T10:00:00.000Z', message: { role: 'user', content: 'hi' } })}\n`;
  for (let d = 0; d < DIRS; d++) {
    const folder = join(root, `-home-user-project-${String(d).padStart(3, '0')}`);
    mkdirSync(folder, { recursive: true });
    for (let s = 0; s < PER_DIR; s++) writeFileSync(join(folder, `session-${String(s).padStart(3, '0')}.jsonl`), line);
  }
  server = await startServer(['--sessions', root, '--db', join(dir, 'state.duckdb'), '--no-builtins'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rowsInDom(): Promise<number> {
  return browser.page.locator('.list-row').count();
}

test('100,000 sessions: the list holds only a window of rows and scrolls to its end', { skip, timeout: 300_000 }, async () => {
  const { page } = browser;
  await page.click('#nav-sessions');
  await page.waitForSelector('[data-testid=session-total]:has-text("100,000 sessions")', { timeout: 180_000 });
  await page.locator('.list-row[data-session]').first().waitFor({ timeout: 30_000 });
  let rows = await rowsInDom();
  assert.ok(rows > 10 && rows <= MAX_ROWS_IN_DOM, `${rows} rows in the DOM at the top`);
  const scrollHeight = await page.evaluate(() => document.querySelector('[data-testid=session-scroll]').scrollHeight);
  assert.ok(scrollHeight > TOTAL * 30, `the scroll area is as tall as 100,000 rows (${scrollHeight}px)`);

  // Jump to the end, then to a few places in between: each shows its rows within seconds.
  for (const fraction of [1, 0.5, 0.123, 0.999, 0]) {
    const started = Date.now();
    await page.evaluate((f) => {
      const el = document.querySelector('[data-testid=session-scroll]');
      el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) * f);
    }, fraction);
    const index = fraction === 1 ? TOTAL - 1 : Math.floor(fraction * (TOTAL - 25));
    await page.waitForFunction(
      (i) => {
        const loaded = [...document.querySelectorAll('.list-row[data-session]')].map((r: any) => Number(r.getAttribute('data-index')));
        return loaded.length > 0 && Math.min(...loaded) <= i + 30 && Math.max(...loaded) >= i;
      },
      index,
      { timeout: 15_000 },
    );
    const ms = Date.now() - started;
    rows = await rowsInDom();
    assert.ok(rows <= MAX_ROWS_IN_DOM, `${rows} rows in the DOM at ${fraction}`);
    assert.ok(ms < 10_000, `rows at ${fraction} of the list took ${ms} ms`);
    if (fraction === 1) {
      assert.equal(await page.locator(`.list-row[data-index="${TOTAL - 1}"][data-session]`).count(), 1);
      await screenshot(page, 'sessions-100k-end');
    }
  }

  // The keyboard reaches the end too.
  await page.locator('[data-testid=session-scroll]').focus();
  await page.keyboard.press('End');
  await page.locator(`.list-row.active[data-index="${TOTAL - 1}"][data-session]`).waitFor({ timeout: 15_000 });
  assert.ok((await rowsInDom()) <= MAX_ROWS_IN_DOM);
  assert.deepEqual(browser.pageErrors, []);
});
