// A counting reverse proxy in front of the origin: every byte the viewers fetch over HTTP passes it,
// so the bench sees the origin's real egress (aborted and duplicate downloads included).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CountingProxy = {
  url: string;
  /** Response body bytes of media segments (.m4s) since the last reset. */
  readonly segmentBytes: number;
  /** All response body bytes since the last reset. */
  readonly totalBytes: number;
  reset(): void;
  close(): Promise<void>;
};

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let segmentBytes = 0;
  let totalBytes = 0;
  const server: Server = createServer((req, res) => {
    const isSegment = (req.url ?? '').split('?')[0]?.endsWith('.m4s') ?? false;
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          totalBytes += chunk.length;
          if (isSegment) segmentBytes += chunk.length;
        });
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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
