// The app in real Chromium switching to a team's PostgreSQL store from its Settings view, then running and
// showing state from there; a wrong URL is refused in the page and the current store stays.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { countingPlugin, userRecord, writePlugin, writeSession } from '../helpers.js';
import { freshDatabase, postgresSkipReason, testPostgresUrl } from '../support/postgres.js';
import { chromiumMissing, openBrowser, rendererMissing, screenshot, startServer, type Browser, type Server } from './support.js';

declare const document: any;

const skip = chromiumMissing || rendererMissing || (testPostgresUrl() ? false : postgresSkipReason);
const WAIT = { timeout: 60_000 };
let server: Server | undefined;
let browser: Browser | undefined;
let dir: string | undefined;

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'Settings → State store: the app moves to a team PostgreSQL store, runs there, and remembers it without the password',
  { skip, timeout: 300_000 },
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'si-e2e-team-'));
    const root = join(dir, 'sessions');
    for (let i = 0; i < 8; i++) writeSession(root, `team${i % 2}/s${i}.jsonl`, [userRecord(`question ${i}`)]);
    writePlugin(join(dir, 'plugins'), 'count', countingPlugin('count'));
    const db = await freshDatabase();
    try {
      server = await startServer(
        ['--state', join(dir, 'state.duckdb'), '--sessions', root, '--plugins', join(dir, 'plugins'), '--no-builtins', '--no-schedule'],
        {
          SESSION_INSPECTOR_HOME: join(dir, 'home'),
        },
      );
      browser = await openBrowser(server.url);
      const page = browser.page;
      await page.waitForSelector('[data-testid=session-total]:has-text("8 sessions")', WAIT);

      await page.click('#nav-settings');
      await page.waitForSelector('.facts dd:has-text("DuckDB file")', WAIT);
      // A server that is not listening: refused in the page, the DuckDB file stays in use.
      const wrong = new URL(db.url);
      wrong.port = '1';
      await page.fill('#state-store', wrong.toString());
      await page.click('button:has-text("Use")');
      await page.waitForSelector('.notice-error:has-text("cannot use the state store")', WAIT);
      await page.waitForSelector('.facts dd:has-text("DuckDB file")', WAIT);

      const url = new URL(db.url);
      url.password = 'e2e-secret-password';
      await page.fill('#state-store', url.toString());
      await page.click('button:has-text("Use")');
      // The facts, not the form: its label also says "team PostgreSQL", which passed before the switch ended.
      await page.waitForSelector('.facts dd:has-text("team PostgreSQL")', WAIT);
      const shown = await page.textContent('.facts');
      assert.ok(shown && !shown.includes('e2e-secret-password'), 'the password is not shown');
      await screenshot(page, 'team-store-settings');

      await page.click('#nav-runs');
      await page.click('button:has-text("Run all processors now")');
      await page.click('#nav-sessions');
      await page.waitForFunction(() => document.querySelectorAll('.list-row .chip[data-status=processed]').length === 8, undefined, WAIT);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query("SELECT count(*)::int AS n FROM session_processor_state WHERE processor_name = 'count'");
      await client.end();
      assert.equal(rows[0].n, 8, 'the run wrote to the team store');
      const settings = readFileSync(join(dir, 'home', 'app-settings.json'), 'utf8');
      assert.ok(!settings.includes('e2e-secret-password'), 'no password on disk');
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser?.close();
      browser = undefined;
      await server?.stop();
      server = undefined;
      await db.drop();
    }
  },
);
