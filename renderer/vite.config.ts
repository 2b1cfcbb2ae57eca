// Vite build of the renderer: root renderer/, output dist/renderer/ with relative asset paths so the same
// files load from file:// in Electron and from `session-inspector serve` in a browser.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

// dist/renderer/src/ also holds the renderer's pure modules compiled by the root tsconfig for the unit
// tests, so the output folder is not emptied as a whole: only what this build writes is replaced.
function cleanOwnOutput(): Plugin {
  return {
    name: 'clean-own-output',
    apply: 'build',
    buildStart() {
      rmSync(`${outDir}/assets`, { recursive: true, force: true });
      rmSync(`${outDir}/index.html`, { force: true });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), cleanOwnOutput()],
  build: {
    outDir,
    emptyOutDir: false,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
});
