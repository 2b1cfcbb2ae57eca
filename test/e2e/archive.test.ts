// The archive in real Chromium against `session-inspector serve`: a session whose file was deleted is
// listed and opens from the archive marked "Source deleted"; Settings shows what the archive holds, and a
// folder that cannot be used is a warning in the header that leads to Settings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assistantRecord, runCli, userRecord, writeSession } from '../helpers.js';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, stepper, type Browser, type Server } from './support.js';

const skip = chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-archive-'));
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  const archive = join(dir, 'archive');
  writeSession(root, 'proj/kept.jsonl', [userRecord('a session that stays')]);
  const gone = writeSession(root, 'proj/gone.jsonl', [userRecord('the walrus question'), assistantRecord('the walrus answer')]);
  const run = await runCli(['run', '--processor', 'summary', '--sessions', root, '--state', state, '--archive', archive]);
  assert.equal(run.code, 0, run.stderr);
  rmSync(gone);
  server = await startServer(['--state', state, '--sessions', root, '--archive', archive, '--no-schedule'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'archive in the app: a deleted session opens from the archive; Settings shows it; an unusable folder is a warning',
  { skip, timeout: 180_000 },
  async (t) => {
    const step = stepper(t, page, 'archive-');
    const row = (key: string) => page.locator(`.list-row[data-session="${key}"]`);

    await step('the deleted session is listed, and its transcript opens from the archive, marked', async () => {
      await row('proj/gone.jsonl').waitFor(WAIT);
      await row('proj/gone.jsonl').click();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=session-detail]').waitFor(WAIT);
      await page.locator('text=Source deleted').waitFor(WAIT);
      await page.locator('pre.transcript-text:has-text("the walrus question")').first().waitFor(WAIT);
      await screenshot(page, 'archive-source-deleted');
    });

    await step('Settings shows the archive folder and what it holds', async () => {
      await page.keyboard.press('Escape');
      await page.locator('#nav-settings').click();
      await page.locator('#archive-title').waitFor(WAIT);
      await page.locator('text=2 sessions (1 whose file is gone)').waitFor(WAIT);
      // The deleted session is settled: packing waits for more of them (or for `archive compact`).
      await page.locator('text=/1 kB of settled sessions not packed yet \\(packed between runs from 33\\.6 MB on\\)/').waitFor(WAIT);
    });

    await step('a folder that cannot be used: a warning in Settings and in the header, which leads back to Settings', async () => {
      const blocker = join(dir!, 'blocker');
      writeFileSync(blocker, 'a file, not a folder');
      await page.fill('#archive-folder', join(blocker, 'archive'));
      await page.locator('form:has(#archive-folder) button[type=submit]').click();
      await page.locator('section[aria-labelledby=archive-title] [role=alert]:has-text("cannot be opened")').waitFor(WAIT);
      await page.locator('.notice-error:has-text("cannot be opened")').waitFor(WAIT); // said where the button was pressed too
      const warning = page.locator('header button:has-text("Archive unavailable")');
      await warning.waitFor(WAIT);
      await page.locator('#nav-sessions').click();
      await warning.click();
      assert.equal(await page.getAttribute('#nav-settings', 'aria-current'), 'page');
      await screenshot(page, 'archive-unavailable');
    });
  },
);
