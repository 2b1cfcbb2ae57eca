// The desktop window's navigation rules, as plain functions so they are tested under Node without Electron.
// (Its webPreferences are written out in main.ts, where the Electron security scan can see them.)
import { pathToFileURL } from 'node:url';
import { META_POLICY } from '../api/contentSecurityPolicy.js';

/** The renderer may only ever show our own index.html (hash routes included). */
export function isAppUrl(url: string, indexHtmlPath: string): boolean {
  try {
    const target = new URL(url);
    const app = pathToFileURL(indexHtmlPath);
    return target.protocol === 'file:' && target.pathname === app.pathname;
  } catch {
    return false;
  }
}

/** Links the user clicked may open in the system browser: http(s) only, never file:, javascript: or custom schemes. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const target = new URL(url);
    return (target.protocol === 'https:' || target.protocol === 'http:') && target.username === '' && target.password === '';
  } catch {
    return false;
  }
}

/** The Content-Security-Policy of the window: renderer/index.html's meta tag. */
export const WINDOW_CSP = META_POLICY;
