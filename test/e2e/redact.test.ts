// Redaction and reveal in real Chromium against `session-inspector serve`, over a store the CLI made: a
// token leaked in alice's session (written an hour ago) and another in bob's (written just now). A
// finding opens its transcript with the secret masked and marked; Reveal shows it, Hide takes it away,
// and neither the page nor the server's output holds it otherwise. "Redact in the file…" shows the dry run,
// then redacts: the file loses the token, the finding reads fixed, the transcript is read again. Bob's
// session, redacted from its drawer, is refused as being written until forced.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Finding } from '../../main/api/contract.js';
import { runCli, writeSession } from '../helpers.js';
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

declare const document: any;

const skip = chromiumMissing || rendererMissing;
const WAIT = { timeout: 60_000 };

// Tokens the secrets scanner accepts (random, so no placeholder rule skips them), built at run time.
const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;
const OTHER = `${'ghp'}_${'Zx8Vb2Nm4Lk6Jh1Gf3Ds5Aq7Wp9Eo0RiTuYz'}`;

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;
let alice: string;
let bob: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-redact-'));
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  alice = writeSession(root, 'alice/s.jsonl', [
    {
      type: 'user',
      uuid: 'u1',
      timestamp: '2025-09-01T10:00:00.000Z',
      cwd: '/home/alice/app',
      message: { role: 'user', content: `deploy with ${TOKEN} please` },
    },
    { type: 'user', uuid: 'u2', timestamp: '2025-09-01T10:00:05.000Z', message: { role: 'user', content: 'thanks' } },
  ]);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(alice, hourAgo, hourAgo);
  bob = writeSession(root, 'bob/b.jsonl', [
    { type: 'user', uuid: 'b1', timestamp: '2025-09-02T10:00:00.000Z', message: { role: 'user', content: 'hello' } },
    { type: 'user', uuid: 'b2', timestamp: '2025-09-02T10:00:01.000Z', message: { role: 'user', content: `the key is ${OTHER}` } },
  ]);
  const run = await runCli(['run', '--processor', 'secrets', '--sessions', root, '--state', state, '--json']);
  assert.equal(run.code, 0, run.stderr);
  server = await startServer(['--state', state, '--sessions', root, '--no-schedule'], { SESSION_INSPECTOR_HOME: join(dir, 'home') });
  browser = await openBrowser(server.url);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const row = (id: string) => page.locator(`.finding-row[data-finding="${id}"]`);
const drawer = () => page.locator('[data-testid=session-detail]');

// Found by the first step, used by the later ones.
let aliceSecret: Finding;
let bobSecret: Finding;

async function findingOpensMaskedTranscript() {
  const found = await server.call('findings/list', { kind: 'secret' });
  aliceSecret = found.find((f) => f.session_file === 'alice/s.jsonl')!;
  bobSecret = found.find((f) => f.session_file === 'bob/b.jsonl')!;
  await page.click('#nav-findings');
  await row(aliceSecret.id).click();
  const detail = page.locator(`[data-testid=finding-detail][data-finding="${aliceSecret.id}"]`);
  await detail.getByRole('button', { name: 'Open transcript at line 1' }).click();
  const mark = drawer().locator(`.entry[data-highlight] [data-testid=secret-span][data-finding="${aliceSecret.id}"]`);
  await mark.waitFor(WAIT);
  assert.match((await mark.getAttribute('class')) ?? '', /secret-span-finding/, "the finding's own secret is outlined");
  assert.equal(await mark.locator('.secret-masked').innerText(), 'ghp_…Yo');
  assert.match(await drawer().locator('.entry[data-highlight] .transcript-text').innerText(), /^deploy with ghp_…Yo\s*Reveal please$/);
  assert.ok(!(await page.content()).includes(TOKEN), 'the page never holds the secret');
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    for (const selector of ['.secret-span .secret-masked', '.secret-span .secret-toggle']) {
      const ratio = await textContrast(page, selector);
      assert.ok(ratio >= 4.5, `${theme}: ${selector} at ${ratio.toFixed(2)}:1`);
    }
    await screenshot(page, `redact-masked-${theme}`);
  }
  await setTheme(page, 'light');
}

async function revealShowsAndHidesSecret() {
  const mark = drawer().locator(`[data-testid=secret-span][data-finding="${aliceSecret.id}"]`);
  await mark.getByRole('button', { name: 'Reveal the github_token' }).click();
  await mark.locator('[data-testid=secret-value]').waitFor(WAIT);
  assert.equal(await mark.locator('[data-testid=secret-value]').innerText(), TOKEN);
  await screenshot(page, 'redact-revealed');
  await mark.getByRole('button', { name: 'Hide the github_token' }).click();
  await mark.locator('.secret-masked').waitFor(WAIT);
  assert.ok(!(await page.content()).includes(TOKEN), 'hidden again: gone from the page');
  assert.ok(!server.stderr().includes(TOKEN), "never in the server's output");
}

async function redactInFileAfterDryRun() {
  const detail = page.locator(`[data-testid=finding-detail][data-finding="${aliceSecret.id}"]`);
  await detail.getByRole('button', { name: 'Redact in the file…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Redact this github_token?' });
  await dialog.locator(`tr[data-finding="${aliceSecret.id}"][data-outcome=would-redact]`).waitFor(WAIT);
  assert.match(await dialog.locator('[data-testid=redact-rows] tbody').innerText(), /alice\/s\.jsonl\s+1\s+github_token\s+ghp_…Yo\s+will be redacted/);
  assert.ok(readFileSync(alice, 'utf8').includes(TOKEN), 'the dry run changed nothing');
  await screenshot(page, 'redact-dialog');
  await dialog.getByRole('button', { name: 'Redact 1 secret' }).click();
  assert.equal(await dialog.locator('[data-testid=redact-done]').innerText({ timeout: 60_000 }), 'Redacted 1 secret(s).');
  const text = readFileSync(alice, 'utf8');
  assert.ok(!text.includes(TOKEN));
  assert.equal(JSON.parse(text.split('\n')[0]).message.content, 'deploy with [REDACTED:github_token] please');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.waitForFunction(
    (id) => document.querySelector(`.finding-row[data-finding="${id}"] .col-fstatus`)?.textContent.trim() === 'fixed',
    aliceSecret.id,
    WAIT,
  );
  await drawer().getByText('deploy with [REDACTED:github_token] please').waitFor(WAIT);
  assert.equal(await drawer().locator('[data-testid=secret-span]').count(), 0);
}

async function recentSessionRefusedUntilForced() {
  await row(bobSecret.id).click();
  await page.locator(`[data-testid=finding-detail][data-finding="${bobSecret.id}"]`).getByRole('button', { name: 'Open transcript at line 2' }).click();
  await drawer().locator(`[data-testid=secret-span][data-finding="${bobSecret.id}"]`).waitFor(WAIT);
  await drawer().getByRole('button', { name: 'Redact secrets…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Redact the secrets in bob/b.jsonl?' });
  await dialog.locator('tr[data-outcome=refused]').waitFor(WAIT);
  assert.match(
    await dialog.locator('.redact-reason').innerText(),
    /bob\/b\.jsonl was written to less than a minute ago: Claude Code may still be appending to it/,
  );
  assert.equal(await dialog.getByRole('button', { name: 'Redact 0 secrets' }).isDisabled(), true);
  await dialog.getByLabel(/Also redact sessions written to in the last 10 minutes/).check();
  await dialog.locator('tr[data-outcome=would-redact]').waitFor(WAIT);
  await dialog.getByRole('button', { name: 'Redact 1 secret' }).click();
  await dialog.locator('[data-testid=redact-done]').waitFor(WAIT);
  assert.ok(!readFileSync(bob, 'utf8').includes(OTHER));
  await dialog.getByRole('button', { name: 'Done' }).click();
  await drawer().getByText('the key is [REDACTED:github_token]').waitFor(WAIT);
}

async function historyListsRedactions() {
  await page.keyboard.press('Escape');
  await page.click('#nav-state');
  const entries = page.locator('.audit-entry[data-action=redact]');
  await entries.first().waitFor(WAIT);
  assert.equal(await entries.count(), 2);
  const said = new RegExp(
    `redact secrets bob/b\\.jsonl · finding ${bobSecret.id}[\\s\\S]*github_token at line 2 replaced by \\[REDACTED\\] · by \\S+@\\S+ \\(app\\)`,
  );
  assert.match(await entries.first().innerText(), said);
  assert.equal(await entries.first().getByRole('button').count(), 0, 'a redaction offers no undo');
  assert.ok(!(await page.content()).includes(TOKEN) && !(await page.content()).includes(OTHER));
}

async function noPageErrors() {
  assert.deepEqual(browser.pageErrors, []);
  assert.deepEqual(browser.consoleErrors, []);
  assert.deepEqual(browser.dialogs, []);
}

test(
  'redaction and reveal in the app: masked in the transcript, revealed on a click, redacted per finding and per session',
  { skip, timeout: 300_000 },
  async (t) => {
    const step = stepper(t, page, 'redact-');

    await step('a finding opens its transcript with the secret masked and marked, nowhere on the page in clear', findingOpensMaskedTranscript);

    await step('Reveal reads it from the file and shows it in place; Hide takes it away; the server logged nothing of it', revealShowsAndHidesSecret);

    await step(
      'Redact in the file… shows the dry run, then redacts: the token leaves the file, the finding reads fixed, the transcript is read again',
      redactInFileAfterDryRun,
    );

    await step("a session written just now: its drawer's Redact secrets… is refused until forced, then redacts", recentSessionRefusedUntilForced);

    await step("the State table's history lists each redaction (who, line, kind) with no undo", historyListsRedactions);

    await step('no page errors', noPageErrors);
  },
);
