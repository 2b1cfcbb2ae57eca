// The Findings page in real Chromium against `session-inspector serve`, over a store the CLI made: the
// built-in secrets and errors processors run on a small folder with a leaked token (line 1) and failed
// tool calls (one far down its session, at line 403; one in another project). The page lists them as main
// does with their lines and counts, filters them, marks the secret a false positive with a note (gone
// unless "Show false positives"; in the State table's history as a review, undone there), and opens the
// tool error in its transcript at its line, read from just before it and highlighted; both themes are read
// for contrast, and nothing on the page holds the secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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

// A token the secrets scanner accepts (random, so no placeholder rule skips it), built at run time.
const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;
/** Lines of ordinary conversation between the leaked token and the failing tool call. */
const FILLER = 400;
const ERROR_LINE = FILLER + 3;
const NOTE = 'a revoked demo token';

let server: Server;
let browser: Browser;
let page: Page;
let dir: string | undefined;
/** main's list, in main's order. */
let expected: Finding[];

function failingCall(id: string, at: string, command: string, error: string) {
  return [
    {
      type: 'assistant',
      uuid: `a-${id}`,
      timestamp: at,
      requestId: `r-${id}`,
      message: {
        id: `m-${id}`,
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'tool_use', id, name: 'Bash', input: { command } }],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    },
    {
      type: 'user',
      uuid: `u-${id}`,
      timestamp: at,
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: error, is_error: true }] },
    },
  ];
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'si-e2e-findings-'));
  const root = join(dir, 'sessions');
  const state = join(dir, 'state.duckdb');
  const filler = Array.from({ length: FILLER }, (_, i) => ({
    type: 'user',
    uuid: `f${i}`,
    timestamp: '2025-09-01T10:00:01.000Z',
    message: { role: 'user', content: `step ${i + 2}: keep going` },
  }));
  writeSession(root, 'alice/s.jsonl', [
    {
      type: 'user',
      uuid: 'u1',
      timestamp: '2025-09-01T10:00:00.000Z',
      cwd: '/home/alice/app',
      message: { role: 'user', content: `deploy with ${TOKEN} please` },
    },
    ...filler,
    ...failingCall('toolu_1', '2025-09-01T10:00:09.000Z', 'make', 'make: *** No rule to make target'),
  ]);
  writeSession(root, 'bob/b.jsonl', failingCall('toolu_2', '2025-08-20T12:00:00.000Z', 'npm test', 'npm ERR! missing script: test'));
  const run = await runCli(['run', '--processor', 'secrets', '--processor', 'errors', '--sessions', root, '--state', state, '--json']);
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

/** The rows the list shows: id, line and status, top to bottom. */
async function shownRows(): Promise<{ id: string; line: string; status: string }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.finding-row')]
      .sort((a: any, b: any) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
      .map((r: any) => ({
        id: r.getAttribute('data-finding'),
        line: r.querySelector('.col-line').textContent,
        status: r.querySelector('.col-fstatus').textContent,
      })),
  );
}

async function waitForRows(ids: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const got = [...document.querySelectorAll('.finding-row')]
        .sort((a: any, b: any) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
        .map((r: any) => r.getAttribute('data-finding'));
      return JSON.stringify(got) === JSON.stringify(want);
    },
    ids,
    WAIT,
  );
}

const row = (id: string) => page.locator(`.finding-row[data-finding="${id}"]`);
const kindChip = (kind: string) => page.locator(`.findings-filters button[data-kind="${kind}"]`);

// Found by the first step, used by the later ones.
let secret: Finding;
let aliceError: Finding;
let bobError: Finding;

async function findsTokenAndToolErrors() {
  expected = await server.call('findings/list', {});
  assert.equal(expected.length, 3);
  secret = expected.find((f) => f.category === 'secret')!;
  aliceError = expected.find((f) => f.category === 'tool_error' && f.session_file === 'alice/s.jsonl')!;
  bobError = expected.find((f) => f.session_file === 'bob/b.jsonl')!;
  assert.deepEqual([secret.kind, secret.line_no, secret.summary], ['github_token', 1, 'ghp_…Yo']);
  assert.deepEqual([aliceError.kind, aliceError.line_no], ['tool_result', ERROR_LINE]);
  assert.equal(bobError.line_no, 2);
}

async function listsInMainsOrderWithCounts() {
  await page.click('#nav-findings');
  assert.equal(await page.getAttribute('#nav-findings', 'aria-current'), 'page');
  await waitForRows(expected.map((f) => f.id));
  assert.deepEqual(
    await shownRows(),
    expected.map((f) => ({ id: f.id, line: String(f.line_no), status: 'open' })),
  );
  const chips = Object.fromEntries(
    await Promise.all(
      ['all', 'secret', 'github_token', 'tool_error', 'tool_result'].map(async (k) => [k, (await kindChip(k).innerText()).replace(/\s+/g, ' ')]),
    ),
  );
  assert.deepEqual(chips, { all: 'All 3', secret: 'Secrets 1', github_token: 'github_token 1', tool_error: 'Tool errors 2', tool_result: 'tool_result 2' });
  assert.equal(await page.innerText('[data-testid=findings-total]'), '3 findings');
  assert.ok(!(await page.content()).includes(TOKEN), 'the page never holds the secret');
}

async function filtersNarrowTheList() {
  await kindChip('secret').click();
  await waitForRows([secret.id]);
  assert.equal(await kindChip('secret').getAttribute('aria-pressed'), 'true');
  await kindChip('all').click();
  await page.selectOption('select[aria-label=Project]', 'bob');
  await waitForRows([bobError.id]);
  assert.equal((await kindChip('all').innerText()).replace(/\s+/g, ' '), 'All 1', 'counts follow the other filters');
  await page.selectOption('select[aria-label=Project]', '');
  await page.selectOption('select[aria-label=Processor]', 'secrets');
  await waitForRows([secret.id]);
  await page.selectOption('select[aria-label=Processor]', '');
  await page.fill('input[aria-label="Occurred from"]', '2025-09-01');
  await waitForRows([aliceError.id]);
  assert.equal(await page.innerText('[data-testid=findings-total]'), '1 finding (1 without a time left out by the dates)');
  await page.fill('input[aria-label="Occurred from"]', '');
  await waitForRows(expected.map((f) => f.id));
}

async function falsePositiveLeavesTheList() {
  await row(secret.id).click();
  const detail = page.locator(`[data-testid=finding-detail][data-finding="${secret.id}"]`);
  await detail.waitFor(WAIT);
  assert.equal(await detail.locator('h3').innerText(), 'Secret: github_token');
  assert.equal(await detail.locator('[data-testid=finding-summary]').innerText(), 'ghp_…Yo');
  await screenshot(page, 'findings-secret-light');
  await detail.getByRole('radio', { name: /false positive/ }).check();
  await detail.getByLabel('Note').fill(NOTE);
  await detail.getByRole('button', { name: 'Save review' }).click();
  await waitForRows([aliceError.id, bobError.id].sort((a, b) => expected.findIndex((f) => f.id === a) - expected.findIndex((f) => f.id === b)));
  assert.equal(await page.innerText('[data-testid=findings-total]'), '2 findings');
  const stored = (await server.call('findings/list', { all: true, kind: 'secret' }))[0];
  assert.deepEqual([stored.id, stored.status, stored.note], [secret.id, 'false-positive', NOTE]);
  assert.deepEqual(await server.call('findings/list', { kind: 'secret' }), [], 'main hides it too');
}

async function showFalsePositivesListsItAgain() {
  await page.getByLabel('Show false positives').check();
  await waitForRows(expected.map((f) => f.id));
  assert.equal((await row(secret.id).locator('.col-fstatus').innerText()).trim(), 'false positive');
  await row(secret.id).click();
  const detail = page.locator(`[data-testid=finding-detail][data-finding="${secret.id}"]`);
  assert.equal(await detail.locator('.finding-note').innerText(), NOTE);
  assert.equal(await detail.getByRole('radio', { name: /false positive/ }).isChecked(), true);
  await page.getByLabel('Show false positives').uncheck();
  await waitForRows(expected.filter((f) => f.id !== secret.id).map((f) => f.id));
}

async function historyShowsAndUndoesReview() {
  await page.click('#nav-state');
  const entry = page.locator('.audit-entry[data-action=review]').first();
  await entry.waitFor(WAIT);
  assert.match(await entry.innerText(), new RegExp(`review secrets alice/s\\.jsonl · finding ${secret.id}`));
  assert.match(await entry.locator('.audit-change').innerText(), new RegExp(`open \\(no review\\) → false-positive: "${NOTE}"`));
  await screenshot(page, 'findings-history-light');
  await entry.getByRole('button', { name: /^Undo/ }).click();
  await entry.locator('text=undone').waitFor(WAIT);
  const undo = page.locator('.audit-entry[data-action^="undo:"]').first();
  assert.match(await undo.locator('.audit-change').innerText(), new RegExp(`false-positive: "${NOTE}" → open \\(no review\\)`));
  assert.equal(await undo.getByRole('button').count(), 0, 'an undo offers no undo');
  await page.click('#nav-findings');
  await waitForRows(expected.map((f) => f.id));
  assert.equal((await row(secret.id).locator('.col-fstatus').innerText()).trim(), 'open');
}

async function enterOpensErrorAtItsLine() {
  await page.focus('#finding-list');
  await page.keyboard.press('Home');
  for (let i = 0; i < expected.findIndex((f) => f.id === aliceError.id); i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#finding-list', 'aria-activedescendant'), `finding-row-${expected.findIndex((f) => f.id === aliceError.id)}`);
  await page.locator(`[data-testid=finding-detail][data-finding="${aliceError.id}"]`).waitFor(WAIT);
  await page.keyboard.press('Enter');
  const drawer = page.locator('[data-testid=session-detail]');
  await drawer.locator('.entry[data-highlight]').waitFor(WAIT);
  // The session's processors above the transcript are in place: the record stays in view below them.
  await drawer.locator('.processor-detail[data-processor=errors]').waitFor(WAIT);
  const lines = await drawer.locator('.entry').evaluateAll((els: any[]) => els.map((e) => Number(e.getAttribute('data-line'))));
  assert.equal(lines[0], ERROR_LINE - 10, 'read from a few lines before, not from line 1');
  const highlighted = drawer.locator('.entry[data-highlight]');
  assert.equal(await highlighted.count(), 1);
  assert.equal(await highlighted.getAttribute('data-line'), String(ERROR_LINE));
  assert.match(await highlighted.innerText(), /Tool result[\s\S]*the finding's line[\s\S]*error[\s\S]*line 403[\s\S]*make: \*\*\* No rule to make target/);
  assert.equal(await highlighted.evaluate((e: any) => e.open), true, 'the collapsed tool result is opened');
  await page.waitForFunction((line) => document.activeElement?.getAttribute('data-line') === line, String(ERROR_LINE), WAIT);
  await page.waitForFunction(
    () => {
      const entry = document.querySelector('[data-testid=session-detail] .entry[data-highlight]').getBoundingClientRect();
      const box = document.querySelector('[data-testid=session-detail]').getBoundingClientRect();
      return entry.top >= box.top && entry.bottom <= box.bottom;
    },
    undefined,
    WAIT,
  );
  await drawer.getByText(`Read from line ${ERROR_LINE - 10}`).waitFor(WAIT);
}

async function bothThemesMeetContrast() {
  // The review's notice would cover the record in the screenshots (it fades after a few seconds anyway).
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss' }).all()) await dismiss.click();
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    for (const selector of [
      '.finding-row.selected .col-summary',
      '.finding-row.selected .finding-status-open',
      '.findings-filters .finding-status-open',
      '[data-testid=session-detail] .entry-highlight .transcript-text',
      '[data-testid=session-detail] .entry-highlight .entry-meta',
      '[data-testid=session-detail] .entry-highlight .chip-finding',
      '.finding-detail .error-block',
      '.finding-detail .muted',
    ]) {
      const ratio = await textContrast(page, selector);
      assert.ok(ratio >= 4.5, `${theme}: ${selector} at ${ratio.toFixed(2)}:1`);
    }
    await screenshot(page, `findings-transcript-${theme}`);
  }
  // Statuses as they look in the list: reviewed ones, in the dark theme.
  await server.call('findings/mark', { id: bobError.id, status: 'fixed', note: 'script added' });
  await server.call('findings/mark', { id: aliceError.id, status: 'confirmed' });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=session-detail]').waitFor({ state: 'detached', ...WAIT });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.finding-row .finding-status-fixed').length === 1, undefined, WAIT);
  for (const status of ['confirmed', 'fixed', 'open']) {
    const ratio = await textContrast(page, `.finding-row .finding-status-${status}`);
    assert.ok(ratio >= 4.5, `dark: ${status} at ${ratio.toFixed(2)}:1`);
  }
  await screenshot(page, 'findings-list-dark');
  await setTheme(page, 'light');
  for (const status of ['confirmed', 'fixed', 'open']) {
    const ratio = await textContrast(page, `.finding-row .finding-status-${status}`);
    assert.ok(ratio >= 4.5, `light: ${status} at ${ratio.toFixed(2)}:1`);
  }
  await screenshot(page, 'findings-list-light');
}

async function noPageErrors() {
  assert.deepEqual(browser.pageErrors, []);
  assert.deepEqual(browser.consoleErrors, []);
  assert.deepEqual(browser.dialogs, []);
}

test('findings page: secrets and tool errors listed, filtered, reviewed, undone and opened at their line', { skip, timeout: 300_000 }, async (t) => {
  const step = stepper(t, page, 'findings-');

  await step('main finds the token at line 1 and both failed tool calls, the first at line 403', findsTokenAndToolErrors);

  await step("the Findings page lists them in main's order with their lines, and counts each kind", listsInMainsOrderWithCounts);

  await step('filters: kind, project, processor and dates (a secret has no time: left out and said so)', filtersNarrowTheList);

  await step('the secret shows its kind and redacted preview; marked a false positive with a note, it leaves the list', falsePositiveLeavesTheList);

  await step('"Show false positives" lists it again with its status and note', showFalsePositivesListsItAgain);

  await step("the State table's history shows the review in words, and undoing it lists the secret as open again", historyShowsAndUndoesReview);

  await step(
    'from the keyboard, Enter opens the tool error in its transcript, read from just before line 403, that record highlighted and focused',
    enterOpensErrorAtItsLine,
  );

  await step('both themes: statuses, the selected row and the highlighted record read at AA contrast', bothThemesMeetContrast);

  await step('no page errors', noPageErrors);
});
