// Builds the chat page with Vite's programmatic API. Run as its own Node process (Vite and its
// React plugin are ES modules, which jest's CommonJS runtime cannot load):
//   node apps/api/test/browser/build-chat-page.mjs <outDir>
import react from '@vitejs/plugin-react';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: build-chat-page.mjs <outDir>');

await build({
  root: join(dirname(fileURLToPath(import.meta.url)), 'chat-page'),
  base: './',
  configFile: false,
  logLevel: 'warn',
  plugins: [react()],
  // One bundle of the SDK, React and the page; its size is fine for a local test page.
  build: { outDir: resolve(outDir), emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 4096 },
});
