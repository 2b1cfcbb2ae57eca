#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` via the prepare script).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('session-inspector: the build is missing (dist/). Run `npm install` or `npm run build` in the repository first.\n');
  process.exit(1);
}
await import(entry.href);
