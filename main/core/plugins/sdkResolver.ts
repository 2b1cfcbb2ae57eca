import { register } from 'node:module';

let registered = false;

/** Lets plugin modules `import … from 'session-inspector/plugin'` (once per thread; idempotent). */
export function registerSdkResolver(): void {
  if (registered) return;
  registered = true;
  const sdkUrl = new URL('../../sdk/index.js', import.meta.url).href;
  register(new URL('./sdkResolveHooks.js', import.meta.url).href, { data: { sdkUrl } });
}
