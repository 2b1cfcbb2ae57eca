// Search in real Chromium against `session-inspector serve`: typing in the header's box lists hits grouped
// by session, an HTML-looking transcript text stays text, and Enter on a hit opens the transcript at that
// line with the match marked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { userRecord, writeSession } from '../helpers.js';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, stepper, type Browser, type Server } from './support.js';

const skip = chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-search-'));
  const root = join(dir, 'sessions');
  const filler = Array.from({ length: 60 }, (_, i) => userRecord(`filler line ${i}`));
  writeSession(root, 'alpha/one.jsonl', [
    ...filler,
    userRecord('where is the <img src=x onerror=alert(1)> Capybara config?'),
    {
      type: 'user',
      timestamp: '2025-09-01T10:00:02.000Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'capybara.yml not found' }] },
    },
  ]);
  writeSession(root, 'beta/two.jsonl', [userRecord('nothing about it here')]);
  server = await startServer(['--state', join(dir, 'state.duckdb'), '--sessions', root, '--no-schedule'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'search in the app: hits as you type, grouped by session; Enter opens the transcript at the line with the match marked',
  { skip, timeout: 180_000 },
  async (t) => {
    const step = stepper(t, page, 'search-');
    const box = page.getByRole('searchbox', { name: 'Search every session' });
    const hit = (line: number) => page.locator(`button.search-hit[data-line="${line}"]`);

    await step('typing lists the hits of every role, grouped under their session, with the match marked as text', async () => {
      await box.fill('capybara');
      await hit(62).waitFor(WAIT); // the first answer may come while the index still catches up: it asks again
      await hit(61).waitFor(WAIT);
      const groups = page.locator('.search-group');
      assert.equal(await groups.count(), 1);
      assert.equal(await groups.locator('.search-session').innerText(), 'alpha/one.jsonl');
      assert.equal(await hit(61).locator('mark.search-match').innerText(), 'Capybara');
      assert.match(await hit(61).locator('.search-snippet').innerText(), /<img src=x onerror=alert\(1\)> Capybara config\?/);
      assert.equal(await page.locator('.search-results img').count(), 0, 'transcript text is never HTML');
      await screenshot(page, 'search-results');
    });

    await step('Down and Enter open the transcript at that line, the match marked', async () => {
      await box.press('ArrowDown');
      await page.keyboard.press('Enter');
      const entry = page.locator('[data-testid=session-detail] .entry[data-highlight][data-line="61"]');
      await entry.waitFor(WAIT);
      assert.equal(await entry.locator('mark.search-match').innerText(), 'Capybara');
      assert.equal(await page.locator('[data-testid=session-detail] .entry[data-line="20"]').count(), 0, 'read from near the line, not from the start');
      await screenshot(page, 'search-opened');
    });

    await step('a regex RE2 refuses says why, and the page goes on working', async () => {
      await box.click();
      await page.locator('.search-regex input').check();
      await box.fill('capy(');
      await page.locator('.search-results [role=alert]').waitFor(WAIT);
      assert.match(await page.locator('.search-results [role=alert]').innerText(), /not a regular expression RE2 accepts/);
      await box.fill('capy.ara');
      await hit(62).waitFor(WAIT); // a regex is case as written: only the tool result's lowercase one
      assert.equal(await hit(61).count(), 0);
    });
  },
);
