// A counting reverse proxy in front of the origin: every byte the viewers fetch over HTTP passes it,
// so the bench sees the origin's real egress (aborted and duplicate downloads included).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export type CountingProxy = {
  url: string;
  /** Response body bytes of media segments (.m4s) since the last reset. */
  readonly segmentBytes: number;
  /** All response body bytes since the last reset. */
  readonly totalBytes: number;
  reset(): void;
  close(): Promise<void>;
};

/**
 * @param listenHost where the proxy listens (`0.0.0.0` when viewers in network namespaces reach it).
 * @param publicHost the address its `url` names. Both default to 127.0.0.1.
 */
export async function startCountingProxy(target: string, listenHost = '127.0.0.1', publicHost = listenHost): Promise<CountingProxy> {
  const upstream = new URL(target);
  let segmentBytes = 0;
  let totalBytes = 0;
  const server: Server = createServer((req, res) => {
    const isSegment = (req.url ?? '').split('?')[0]?.endsWith('.m4s') ?? false;
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        // Timing-Allow-Origin lets the bench page read each segment's size from resource timing.
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'timing-allow-origin': '*' });
        answer.on('data', (chunk: Buffer) => {
          totalBytes += chunk.length;
          if (isSegment) segmentBytes += chunk.length;
        });
        // An answer cut off midway (the origin failed, or the viewer left) ends the viewer's response
        // there; a plain pipe plus res.end() in the error handler wrote after the end and crashed the bench.
        pipeline(answer, res).catch(() => undefined);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502);
        res.end();
      } else {
        res.destroy();
      }
    });
    res.on('close', () => forward.destroy());
    pipeline(req, forward).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${publicHost}:${port}`,
    get segmentBytes() {
      return segmentBytes;
    },
    get totalBytes() {
      return totalBytes;
    },
    reset() {
      segmentBytes = 0;
      totalBytes = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
