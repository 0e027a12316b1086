import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { StudioEngine } from '../studio-engine.ts';
import { projectSourcePath, StudioServer } from './studio-server.ts';

describe('StudioServer (browser mode)', () => {
  let dir: string;
  let engine: StudioEngine;
  let server: StudioServer;
  let clip: Buffer;
  let projectId: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-server-'));
    const fixture = await generateEquirectFixture({ out: path.join(dir, 'clip.mp4'), seconds: 1, width: 256, fps: 10, audio: false });
    clip = await readFile(fixture.file);
    const rendererDir = path.join(dir, 'renderer');
    await rm(rendererDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(rendererDir, 'assets'), { recursive: true }));
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    engine = new StudioEngine({ dataDir: path.join(dir, 'data'), warn: () => undefined });
    await engine.start();
    projectId = (await engine.addProject(fixture.file)).id;
    server = new StudioServer({ engine, rendererDir, logError: () => undefined });
    await server.start();
  });

  after(async () => {
    await server?.destroy();
    await engine?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a project source by id, whole and by byte range', async () => {
    const whole = await fetch(`${server.url}${projectSourcePath(projectId)}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), clip);

    const part = await fetch(`${server.url}${projectSourcePath(projectId)}`, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${clip.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), clip.subarray(100, 200));

    const tail = await fetch(`${server.url}${projectSourcePath(projectId)}`, { headers: { range: 'bytes=-10' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), clip.subarray(clip.length - 10));

    const outside = await fetch(`${server.url}${projectSourcePath(projectId)}`, { headers: { range: `bytes=${clip.length}-` } });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${clip.length}`);

    // RFC 9110: a zero-length suffix selects nothing (416); `bytes=-` is not a range at all and is ignored.
    const emptySuffix = await fetch(`${server.url}${projectSourcePath(projectId)}`, { headers: { range: 'bytes=-0' } });
    assert.equal(emptySuffix.status, 416);
    await emptySuffix.body?.cancel();
    const noSuffix = await fetch(`${server.url}${projectSourcePath(projectId)}`, { headers: { range: 'bytes=-' } });
    assert.equal(noSuffix.status, 200);
    assert.deepEqual(Buffer.from(await noSuffix.arrayBuffer()), clip);
  });

  it('never serves a file by a client-given path', async () => {
    for (const probe of [
      '/media/projects/..%2F..%2Fetc%2Fpasswd/source',
      `/media/projects/${encodeURIComponent(path.join(dir, 'clip.mp4'))}/source`,
      '/media/projects/00000000-0000-4000-8000-000000000000/source',
    ]) {
      const response = await fetch(`${server.url}${probe}`);
      assert.equal(response.status, 404, probe);
      await response.body?.cancel();
    }
    const traversal = await fetch(`${server.url}/..%2F..%2F..%2Fetc%2Fpasswd`);
    assert.notEqual(traversal.status, 200);
    await traversal.body?.cancel();
  });

  it('stores an upload in the data folder and returns its path for projects.add', async () => {
    const response = await fetch(`${server.url}/api/uploads?name=${encodeURIComponent('../../evil name.mp4')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(clip),
    });
    assert.equal(response.status, 201);
    const { path: saved } = (await response.json()) as { path: string };
    assert.ok(saved.startsWith(path.join(engine.dataDir, 'uploads') + path.sep), saved);
    assert.equal(path.basename(saved), 'evil name.mp4');
    assert.deepEqual(await readFile(saved), clip);
  });

  it('refuses requests from other sites and foreign Host names', async () => {
    const crossSite = await fetch(`${server.url}/trpc/projects.list`, { headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
    // fetch() cannot set Host; a DNS-rebinding page would reach us with its own name in it.
    const rebindingStatus = await new Promise<number | undefined>((resolve, reject) => {
      const request = http.get(`${server.url}/trpc/projects.list`, { headers: { host: 'evil.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
    });
    assert.equal(rebindingStatus, 403);
    const sameSite = await fetch(`${server.url}/trpc/projects.list`, { headers: { origin: server.url } });
    assert.equal(sameSite.status, 200);
    const body = (await sameSite.json()) as { result: { data: { id: string }[] } };
    assert.deepEqual(
      body.result.data.map((project) => project.id),
      [projectId],
    );
  });

  it('serves the built renderer with a single-page fallback', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<title>studio<\/title>/);
    const screen = await fetch(`${server.url}/project/abc`);
    assert.match(await screen.text(), /<title>studio<\/title>/);
    const asset = await fetch(`${server.url}/assets/app.js`);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    await asset.body?.cancel();
    const missing = await fetch(`${server.url}/assets/missing.js`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});
