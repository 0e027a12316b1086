import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { webContentType } from '@spherecast/shared/http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { errorMessage } from '../errors.ts';
import { MAX_UPLOAD_BYTES } from '../studio-engine.ts';
import type { StudioEngine } from '../studio-engine.ts';
import { studioRouter } from '../router.ts';
import type { StudioContext } from '../trpc.ts';
import { respondWithSource } from './source-response.ts';

export interface StudioServerOptions {
  engine: StudioEngine;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The built renderer (`dist/web`) to serve at `/`; null serves the API only. @default null */
  rendererDir?: string | null;
  /** Logs request failures. @default console.error */
  logError?: (message: string) => void;
}

/** The browser-mode URL of a project's source. By project id only: the server never serves a client-given path. */
export function projectSourcePath(projectId: string): string {
  return `/media/projects/${projectId}/source`;
}

const SOURCE_ROUTE = /^\/media\/projects\/([^/]+)\/source$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The engine over HTTP for the browser-only mode: tRPC at /trpc (batched queries and mutations, subscriptions
 * as server-sent events), project sources by id with Range support, uploads, and the built renderer.
 */
export class StudioServer {
  readonly #options: Required<Omit<StudioServerOptions, 'rendererDir'>> & { rendererDir: string | null };
  readonly #server: http.Server;
  readonly #trpc: http.RequestListener;
  #url: string | null = null;

  constructor(options: StudioServerOptions) {
    this.#options = {
      host: '127.0.0.1',
      port: 0,
      logError: (message) => console.error(message),
      ...options,
      rendererDir: options.rendererDir ? path.resolve(options.rendererDir) : null,
    };
    const engine = options.engine;
    this.#trpc = createHTTPHandler({
      router: studioRouter,
      basePath: '/trpc/',
      createContext: (): StudioContext => ({ engine, mediaUrl: projectSourcePath }),
      onError: ({ error, path: procedure }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') this.#options.logError(`tRPC ${procedure ?? '?'} failed: ${error.message}`);
      },
    });
    this.#server = http.createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        this.#options.logError(`${request.method} ${request.url} failed: ${errorMessage(error)}`);
        if (!response.headersSent) sendJson(response, 500, { message: 'The studio engine failed on this request; see its console.' });
        else response.destroy();
      });
    });
  }

  /** `http://host:port` once started. */
  get url(): string {
    if (!this.#url) throw new Error('StudioServer is not started');
    return this.#url;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = `http://${host}:${address.port}`;
  }

  async destroy(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Subscriptions (SSE) keep connections open; end them so close() can finish.
    this.#server.closeAllConnections();
    await closed;
    this.#url = null;
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (!this.#isAllowedRequest(request)) {
      sendJson(response, 403, { message: 'This studio engine only answers its own pages on this computer.' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://studio.local');
    if (url.pathname === '/trpc' || url.pathname.startsWith('/trpc/')) {
      this.#trpc(request, response);
      return;
    }
    const source = SOURCE_ROUTE.exec(url.pathname);
    if (source) {
      await this.#serveSource(request, response, decodeURIComponent(source[1] ?? ''));
      return;
    }
    if (url.pathname === '/api/uploads') {
      await this.#receiveUpload(request, response, url);
      return;
    }
    await this.#serveRenderer(request, response, url.pathname);
  }

  /**
   * Blocks other web pages from driving the engine: DNS-rebinding (a foreign Host) and cross-site requests
   * (an Origin that is not this server). The engine reads local files, so it only talks to its own UI.
   */
  #isAllowedRequest(request: http.IncomingMessage): boolean {
    const hostHeader = request.headers.host ?? '';
    if (LOOPBACK_HOSTS.has(this.#options.host) || this.#options.host === '0.0.0.0') {
      const hostName = hostHeader.replace(/:\d+$/, '');
      if (LOOPBACK_HOSTS.has(this.#options.host) && !LOOPBACK_HOSTS.has(hostName)) return false;
    }
    const origin = request.headers.origin;
    if (origin && origin !== 'null') {
      try {
        if (new URL(origin).host !== hostHeader) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  async #serveSource(request: http.IncomingMessage, response: http.ServerResponse, projectId: string): Promise<void> {
    const answer = await respondWithSource(this.#options.engine, projectId, { method: request.method ?? 'GET', range: request.headers.range });
    response.writeHead(answer.status, answer.headers);
    if (!answer.body) {
      response.end(answer.message === undefined ? undefined : JSON.stringify({ message: answer.message }));
      return;
    }
    const body = answer.body;
    body.on('error', () => response.destroy());
    response.on('close', () => body.destroy());
    body.pipe(response);
  }

  async #receiveUpload(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'PUT' && request.method !== 'POST') {
      sendJson(response, 405, { message: 'Upload with PUT /api/uploads?name=<file name>.' }, { allow: 'PUT, POST' });
      return;
    }
    const name = url.searchParams.get('name')?.trim();
    if (!name) {
      sendJson(response, 400, { message: 'Say the file name: PUT /api/uploads?name=<file name>.' });
      return;
    }
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) {
      sendJson(response, 413, { message: 'That file is too large to upload; open it by its path instead.' });
      return;
    }
    try {
      const saved = await this.#options.engine.saveUpload(request, name);
      sendJson(response, 201, { path: saved });
    } catch (error) {
      sendJson(response, 500, { message: `The upload could not be saved in the data folder: ${errorMessage(error)}` });
    }
  }

  async #serveRenderer(request: http.IncomingMessage, response: http.ServerResponse, pathname: string): Promise<void> {
    const root = this.#options.rendererDir;
    if (!root) {
      sendJson(response, 404, { message: 'This engine serves no UI. Build it with `npm run build:web -w studio`.' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { message: 'Method not allowed.' }, { allow: 'GET, HEAD' });
      return;
    }
    let file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) {
      sendJson(response, 404, { message: 'Not found.' });
      return;
    }
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      // Unknown paths without an extension are screens of the single-page app.
      if (path.extname(pathname)) {
        sendJson(response, 404, { message: 'Not found.' });
        return;
      }
      file = path.join(root, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        sendJson(response, 503, { message: 'The studio UI is not built. Run `npm run build:web -w studio`.' });
        return;
      }
    }
    response.writeHead(200, {
      'content-type': webContentType(file),
      'content-length': info.size,
      // Built assets carry content hashes in their names; index.html must always be fresh.
      'cache-control': file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  }
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
