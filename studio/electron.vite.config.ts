// electron-vite builds the desktop app: main and preload for Node/Electron, the renderer for Chromium.
// Everything but Electron itself is bundled: the `@spherecast/*` workspace packages export TypeScript source,
// and a self-contained out/ lets electron-builder package the app without node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      externalizeDeps: false,
      outDir: path.join(here, 'out/main'),
      rollupOptions: { input: { index: path.join(here, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
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
