// End-to-end support: `session-inspector serve` as a child process, real Chromium through playwright-core,
// screenshots into test-artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ApiResponse, ArgsOf, MethodName, ResultOf } from '../../main/api/contract.js';
import { repoRoot } from '../helpers.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
export const rendererMissing = existsSync(join(repoRoot, 'dist', 'renderer', 'index.html')) ? false : 'dist/renderer is not built (npm run build)';
export const artifactsDir = join(repoRoot, 'test-artifacts');

export interface Server {
  url: string;
  origin: string;
  token: string;
  stderr: () => string;
  call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  stop(): Promise<void>;
}

/** Starts `session-inspector serve --port 0 …` and waits for the address line it prints. */
export async function startServer(args: string[], env: Record<string, string>): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin', 'session-inspector.js'), 'serve', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address in 120 s.\nstdout: ${out}\nstderr: ${err}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Session Inspector: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its address.\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  return {
    url,
    origin: parsed.origin,
    token,
    stderr: () => err,
    async call(method, callArgs) {
      const response = await fetch(`${parsed.origin}/api/call`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ method, args: callArgs }),
      });
      const body = (await response.json()) as ApiResponse<ResultOf<typeof method>>;
      if (!body.ok) throw new Error(`${method}: ${body.error.code}: ${body.error.message}`);
      return body.value;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors and dialogs seen so far (a dialog would mean transcript text ran as code). */
  pageErrors: string[];
  /** Errors the page logged to the console (a Content-Security-Policy problem shows up there). */
  consoleErrors: string[];
  dialogs: string[];
  close(): Promise<void>;
}

/** `timezoneId`: the zone the page sees as its own (default: this machine's). */
export async function openBrowser(url: string, viewport = { width: 1400, height: 900 }, timezoneId?: string): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'si-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    ...(timezoneId ? { timezoneId } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return {
    context,
    page,
    pageErrors,
    consoleErrors,
    dialogs,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`) });
}

/**
 * The steps of one end-to-end test as subtests: after a step fails the rest are skipped (they would only
 * fail on the state it left), and a screenshot of the page is kept as `failed-<prefix><step>.png`.
 */
export function stepper(t: TestContext, page: Page, prefix = ''): (name: string, fn: () => Promise<void>) => Promise<void> {
  let failed: string | null = null;
  return (name, fn) =>
    t.test(name, { skip: failed ? `an earlier step failed: ${failed}` : false }, async () => {
      try {
        await fn();
      } catch (error) {
        failed = name;
        await screenshot(page, `failed-${prefix}${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
        throw error;
      }
    });
}

/** Switches the app's theme from the header and waits until the page has applied it. */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.selectOption('select[aria-label=Theme]', theme);
  await page.waitForFunction((t) => document.documentElement.getAttribute('data-theme') === t, theme, { timeout: 60_000 });
}

// Browser globals, for the functions page.evaluate runs in the page (the tests compile without the DOM library).
declare const document: any;
declare const getComputedStyle: any;

/** WCAG contrast of an element's text on the first opaque background behind it (its own, or an ancestor's). */
export async function textContrast(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    if (!element) throw new Error(`nothing matches ${sel}`);
    const rgba = (css: string) => css.match(/[\d.]+/g)!.map(Number);
    let behind = element;
    while (behind && (rgba(getComputedStyle(behind).backgroundColor)[3] ?? 1) === 0) behind = behind.parentElement;
    const lum = (css: string) => {
      const [r, g, b] = rgba(css)
        .slice(0, 3)
        .map((v: number) => {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // Text drawn at less than full opacity (its own or an ancestor's) is blended into what is behind it.
    let opacity = 1;
    for (let e = element; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const bg = rgba(getComputedStyle(behind ?? document.body).backgroundColor);
    const fg = rgba(getComputedStyle(element).color).map((v: number, i: number) => (i < 3 ? v * opacity + bg[i] * (1 - opacity) : v));
    const [hi, lo] = [lum(`rgb(${fg.slice(0, 3).join(',')})`), lum(`rgb(${bg.slice(0, 3).join(',')})`)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  }, selector);
}
