// The light viewer page of the offload and live benches (bench/lib/offload-page: the shared player
// without the WebGL sphere), served by Vite on loopback.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';

export interface OffloadPageServer {
  /** The page's URL (with a trailing slash); the benches add their query. */
  url: string;
  server: ViteDevServer;
}

/** @param host where it listens and what its URL names (an address viewers in network namespaces reach, for the ladder bench). */
export async function startOffloadPageServer(host = '127.0.0.1'): Promise<OffloadPageServer> {
  const server = await createServer({
    configFile: false,
    root: path.join(path.dirname(fileURLToPath(import.meta.url)), 'offload-page'),
    logLevel: 'silent',
    resolve: { conditions: ['p2pml:core-as-bundle', ...defaultClientConditions] },
    server: { host, port: 0, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') {
    await server.close();
    throw new Error('vite did not report a port');
  }
  return { url: `http://${host}:${address.port}/`, server };
}
