// electron-vite builds the desktop app: main and preload for Node/Electron, the renderer for Chromium.
// `@spherecast/*` workspace packages export TypeScript source, so they are bundled, never left external.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundleWorkspace = { exclude: ['@spherecast/shared', '@spherecast/studio'] };

export default defineConfig({
  main: {
    build: {
      externalizeDeps: bundleWorkspace,
      outDir: path.join(here, 'out/main'),
      rollupOptions: { input: { index: path.join(here, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: bundleWorkspace,
      outDir: path.join(here, 'out/preload'),
      rollupOptions: {
        input: { index: path.join(here, 'src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.join(here, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: path.join(here, 'out/renderer'),
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: { index: path.join(here, 'src/renderer/index.html') } },
    },
  },
});
