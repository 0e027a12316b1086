import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * For tests (engine, CLI, studio) until they run against the real origin: a small origin that implements the publish contract honestly (login, content, staged uploads,
 * finalize), plus knobs to make uploads fail the way networks and overloaded servers do.
 */
export class TestOrigin {
  readonly server = http.createServer((req, res) => void this.#handle(req, res));
  readonly tokens = new Map([['secret-token', 'alice']]);
  readonly content = new Map<string, { owner: string; body: Record<string, unknown>; files: Map<string, Buffer>; finalized: Record<string, unknown> | null }>();
  /** Respond 503 this many times to a PUT of the path. */
  readonly failWith503 = new Map<string, number>();
  /** Reset the connection this many times on a PUT of the path. */
  readonly resetConnection = new Map<string, number>();
  putAttempts = new Map<string, number>();
  active = 0;
  maxActive = 0;
  putDelayMs = 0;
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/api/auth/login') {
      const { login, password } = JSON.parse(body.toString()) as { login: string; password: string };
      if (login === 'alice' && password === 'correct horse') return send(200, { token: 'secret-token', expiresAt: new Date(Date.now() + 3600e3).toISOString(), user: { id: 'u1', username: 'alice' } });
      return send(401, { message: 'Wrong login or password.' });
    }
    const user = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return send(401, { message: 'Sign in first.' });
    if (req.method === 'POST' && url.pathname === '/api/content') {
      const id = randomUUID();
      this.content.set(id, { owner: user, body: JSON.parse(body.toString()) as Record<string, unknown>, files: new Map(), finalized: null });
      return send(200, { id, status: 'draft' });
    }
    const m = /^\/(api\/content|media)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    const item = m ? this.content.get(m[2]!) : undefined;
    if (!m || !item) return send(404, { message: 'No such content.' });
    if (item.owner !== user) return send(403, { message: 'Not yours.' });
    if (m[1] === 'api/content' && req.method === 'GET' && m[3] === 'uploads') {
      return send(200, { files: [...item.files].map(([p, b]) => ({ path: p, size: b.length, sha256: createHash('sha256').update(b).digest('hex') })) });
    }
    if (m[1] === 'api/content' && req.method === 'POST' && m[3] === 'finalize') {
      const input = JSON.parse(body.toString()) as { master: string };
      if (!item.files.has(input.master)) return send(400, { message: `${input.master} was not uploaded.` });
      item.finalized = input;
      return send(200, { id: m[2], status: 'ready', masterUrl: `/media/${m[2]}/p1/${input.master}` });
    }
    if (m[1] === 'media' && req.method === 'PUT' && m[3]) {
      const rel = decodeURIComponent(m[3]);
      this.putAttempts.set(rel, (this.putAttempts.get(rel) ?? 0) + 1);
      const resets = this.resetConnection.get(rel) ?? 0;
      if (resets > 0) {
        this.resetConnection.set(rel, resets - 1);
        return void req.socket.destroy();
      }
      const failures = this.failWith503.get(rel) ?? 0;
      if (failures > 0) {
        this.failWith503.set(rel, failures - 1);
        return send(503, { message: 'Overloaded, try again.' });
      }
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      await new Promise((r) => setTimeout(r, this.putDelayMs));
      this.active--;
      if (Number(req.headers['content-length']) !== body.length) return send(400, { message: 'Length mismatch.' });
      item.files.set(rel, body);
      return send(200, { path: rel, size: body.length });
    }
    return send(404, { message: 'No route.' });
  }
}

