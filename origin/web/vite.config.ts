// The player web app. `vite build --config origin/web/vite.config.ts` writes origin/web/dist, which the
// origin serves at / (SPA fallback). `vite --config origin/web/vite.config.ts` runs it against an origin
// at SPHERECAST_ORIGIN (default http://127.0.0.1:8080) through the dev proxy.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';

const root = path.dirname(fileURLToPath(import.meta.url));
const origin = process.env.SPHERECAST_ORIGIN ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  resolve: {
    // p2p-media-loader-core's self-contained ES bundle (its lib/ build needs Node polyfills).
    conditions: ['p2pml:core-as-bundle', ...defaultClientConditions],
  },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    // three.js + hls.js + the P2P engine make one large watch chunk; it is split from the rest.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/trpc', '/media', '/healthz'].map((prefix) => [prefix, { target: origin, changeOrigin: false }])),
  },
});
