// Builds the renderer for the browser-only mode (`studio:web`), served by the engine's HTTP server.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(here, 'src/renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: process.env['STUDIO_WEB_OUT_DIR'] ?? path.join(here, 'dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `vite` dev server for UI work: the API and media come from a running `studio:web` engine.
    proxy: {
      '/trpc': 'http://127.0.0.1:5174',
      '/media': 'http://127.0.0.1:5174',
      '/api': 'http://127.0.0.1:5174',
    },
  },
});
