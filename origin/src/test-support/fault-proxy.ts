import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request: pass it on, pass it with its first body byte flipped
 * (a mangling middlebox), drop the connection, or answer in the origin's place.
 */
export type FaultAction = 'pass' | 'corrupt' | 'drop' | { status: number; body?: string; contentType?: string };

export interface ProxiedRequest {
  method: string;
  /** Path and query as the client sent them, e.g. `/media/<id>/v0/seg-1.m4s`, `/trpc/content.uploads?input=…`. */
  url: string;
  /** How many requests with this method and path (no query) came before this one, plus one. */
  attempt: number;
}

/**
 * A real HTTP reverse proxy in front of a real origin, for the faults networks and overloaded
 * servers cause: `rule` picks, per request, whether it reaches the origin, gets a canned answer
 * (a 503) or loses its connection. It also counts requests and the uploads in flight at once.
 */
export class FaultProxy {
  readonly #target: URL;
  readonly #server = http.createServer((req, res) => this.#handle(req, res));
  /** Decides the fate of each request; default: every request passes. */
  rule: (request: ProxiedRequest) => FaultAction = () => 'pass';
  /** Holds each passed PUT this long before forwarding it, so uploads overlap measurably. */
  putDelayMs = 0;
  /** Requests seen, by `METHOD /path` (without the query). */
  readonly seen = new Map<string, number>();
  /** Every request's `METHOD /path`, in arrival order. */
  readonly log: string[] = [];
  #activePuts = 0;
  /** Most PUTs in flight at once since the last reset(). */
  maxActivePuts = 0;
  url = '';

  constructor(target: string) {
    this.#target = new URL(target);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Forgets counts and rules. */
  reset(): void {
    this.rule = () => 'pass';
    this.putDelayMs = 0;
    this.seen.clear();
    this.log.length = 0;
    this.maxActivePuts = 0;
  }

  /** How many requests came for `METHOD /path`. */
  count(method: string, pathname: string): number {
    return this.seen.get(`${method} ${pathname}`) ?? 0;
  }

  /** PUT paths seen, relative to `/media/{contentId}/`, decoded. */
  uploadsOf(contentId: string): string[] {
    const prefix = `PUT /media/${contentId}/`;
    return [...this.seen.keys()].filter((k) => k.startsWith(prefix)).map((k) => decodeURIComponent(k.slice(prefix.length)));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const key = `${method} ${url.split('?')[0]}`;
    const attempt = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, attempt);
    this.log.push(key);
    const action = this.rule({ method, url, attempt });
    if (action === 'drop') {
      req.socket.destroy();
      return;
    }
    if (typeof action === 'object') {
      req.resume();
      res.writeHead(action.status, { 'content-type': action.contentType ?? 'text/plain' });
      res.end(action.body ?? 'Service Unavailable');
      return;
    }
    const isPut = method === 'PUT';
    if (isPut) {
      this.#activePuts++;
      this.maxActivePuts = Math.max(this.maxActivePuts, this.#activePuts);
      res.on('close', () => this.#activePuts--);
    }
    const forward = () => {
      const upstream = http.request(
        { host: this.#target.hostname, port: this.#target.port, method, path: url, headers: { ...req.headers, host: this.#target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      if (action === 'corrupt') {
        let first = true;
        req.on('data', (chunk: Buffer) => {
          if (first && chunk.length > 0) {
            first = false;
            chunk = Buffer.from(chunk);
            chunk[0] = chunk[0]! ^ 0xff;
          }
          upstream.write(chunk);
        });
        req.on('end', () => upstream.end());
      } else {
        req.pipe(upstream);
      }
    };
    if (isPut && this.putDelayMs > 0) setTimeout(forward, this.putDelayMs);
    else forward();
  }
}
