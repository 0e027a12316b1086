import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { generateEquirectFixture } from './fixtures.ts';
import { listFiles } from './output-dir.ts';
import { PublishJob, type PublishProgress } from './publish.ts';
import { TranscodeJob } from './transcode-job.ts';

/**
 * A small origin that implements the publish contract honestly (login, content, staged uploads,
 * finalize), plus knobs to make uploads fail the way networks and overloaded servers do.
 */
class TestOrigin {
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

describe('PublishJob', () => {
  let dir: string;
  let ladder: string;
  const origin = new TestOrigin();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-publish-'));
    const source = path.join(dir, 'clip.mp4');
    await generateEquirectFixture({ out: source, width: 256, seconds: 2, fps: 15 });
    ladder = path.join(dir, 'ladder');
    await new TranscodeJob({ input: source, out: ladder, segmentSeconds: 1 }).start();
    await origin.start();
  });
  after(async () => {
    await origin.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('signs in, creates the content, uploads every file intact (master last), finalizes, and reports per-file and total progress', async () => {
    const events: PublishProgress[] = [];
    const job = new PublishJob({ origin: origin.url, auth: { login: 'alice', password: 'correct horse' }, dir: ladder, content: { title: 'Test clip', tags: ['test'] } });
    job.on('progress', (p) => events.push(p));
    const result = await job.start();
    const item = origin.content.get(result.contentId)!;
    const files = await listFiles(ladder);
    assert.deepEqual([...item.files.keys()].sort(), files);
    for (const rel of files) assert.ok(item.files.get(rel)!.equals(await readFile(path.join(ladder, rel))), rel);
    assert.equal([...item.files.keys()].at(-1), 'master.m3u8', 'master uploaded last');
    assert.deepEqual(item.body.kind, 'video');
    assert.deepEqual(item.body.projection, 'equirectangular-mono');
    assert.deepEqual(item.body.title, 'Test clip');
    assert.deepEqual(item.finalized, { master: 'master.m3u8', durationSeconds: 2, poster: 'poster.jpg' });
    assert.deepEqual(result.uploaded, files);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.content.status, 'ready');
    const last = events.at(-1)!;
    assert.equal(last.phase, 'finalize');
    assert.equal(last.doneFiles, files.length);
    assert.equal(last.percent, 100);
    const uploadedEvents = events.filter((e) => e.file?.status === 'uploaded').map((e) => e.file!.path);
    assert.deepEqual(uploadedEvents.sort(), files);
    assert.ok(events.some((e) => e.file?.status === 'uploading' && e.file.sentBytes > 0));
  });

  test('resuming skips files already staged with the same size and sha256 and re-sends changed ones', async () => {
    const token = { token: 'secret-token' };
    const first = await new PublishJob({ origin: origin.url, auth: token, dir: ladder, content: { title: 'Resumable' } }).start();
    const item = origin.content.get(first.contentId)!;
    item.files.set('poster.jpg', Buffer.from('corrupted'));
    item.files.delete('master.m3u8');
    origin.putAttempts = new Map();
    const second = await new PublishJob({ origin: origin.url, auth: token, dir: ladder, content: { title: 'Resumable' }, contentId: first.contentId }).start();
    assert.deepEqual(second.uploaded, ['master.m3u8', 'poster.jpg']);
    assert.equal(second.skipped.length, (await listFiles(ladder)).length - 2);
    assert.deepEqual([...origin.putAttempts.keys()].sort(), ['master.m3u8', 'poster.jpg']);
    assert.ok(item.files.get('poster.jpg')!.equals(await readFile(path.join(ladder, 'poster.jpg'))));
  });

  test('retries 5xx and dropped connections with back-off, keeps at most N uploads in flight', async () => {
    const files = await listFiles(ladder);
    const segment = files.find((f) => f.endsWith('.m4s'))!;
    origin.failWith503.set(segment, 2);
    origin.resetConnection.set('poster.jpg', 1);
    origin.putAttempts = new Map();
    origin.maxActive = 0;
    origin.putDelayMs = 30;
    try {
      const retrying: string[] = [];
      const job = new PublishJob({ origin: origin.url, auth: { token: 'secret-token' }, dir: ladder, content: { title: 'Flaky' }, concurrency: 2, retryBaseMs: 20 });
      job.on('progress', (p) => {
        if (p.file?.status === 'retrying') retrying.push(p.file.path);
      });
      const result = await job.start();
      assert.equal(origin.putAttempts.get(segment), 3);
      assert.equal(origin.putAttempts.get('poster.jpg'), 2);
      assert.ok(retrying.length >= 3);
      assert.equal(origin.maxActive, 2);
      assert.equal(origin.content.get(result.contentId)!.files.size, files.length);
    } finally {
      origin.putDelayMs = 0;
    }
  });

  test('a refused token fails at once with ORIGIN_AUTH_FAILED; an unreachable origin fails with ORIGIN_UNREACHABLE after retries', async () => {
    const failed: MediaError[] = [];
    const job = new PublishJob({ origin: origin.url, auth: { token: 'wrong' }, dir: ladder, content: { title: 'x' } });
    job.on('failed', (e) => failed.push(e));
    await assert.rejects(job.start(), (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_AUTH_FAILED' && e.status === 401);
    assert.equal(failed.length, 1);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    await assert.rejects(
      new PublishJob({ origin: `http://127.0.0.1:${port}`, auth: { token: 't' }, dir: ladder, content: { title: 'x' }, attempts: 3, retryBaseMs: 10 }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_UNREACHABLE' && e.retryable && /3 attempts/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000);
  });

  test('a folder that is not a transcode output is refused before anything is sent', async () => {
    const empty = path.join(dir, 'empty');
    await writeFile(path.join(dir, 'note.txt'), 'x');
    await assert.rejects(
      new PublishJob({ origin: origin.url, auth: { token: 'secret-token' }, dir: empty, content: { title: 'x' } }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'INPUT_NOT_FOUND',
    );
  });
});
