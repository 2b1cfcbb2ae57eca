// End-to-end support: `session-inspector serve` as a child process, real Chromium through playwright-core,
// screenshots into test-artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
