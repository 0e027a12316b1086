// How the origin delivers the player: precompressed hashed assets (brotli, gzip) with Content-Encoding,
// Vary and immutable caching; compressed API JSON; robots.txt and a sitemap of public content.
// Against a real origin on a free port, read with node:http so the bytes on the wire are seen as sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { PRECOMPRESS_MIN_BYTES } from '../build/precompress.ts';
import { buildPlayerApp, WEB_ROOT } from './support/build-player.ts';
import { startStack, type Stack } from './support/stack.ts';

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function decode(raw: Raw): Buffer {
  switch (raw.headers['content-encoding']) {
    case 'br':
      return zlib.brotliDecompressSync(raw.body);
    case 'gzip':
      return zlib.gunzipSync(raw.body);
    default:
      return raw.body;
  }
}

describe('player delivery', () => {
  let stack: Stack;
  /** Scripts big enough to have compressed copies, and the few too small to (sent as they are). */
  let scripts: string[];
  let tinyScripts: string[];
  let publicId: string;
  let privateId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const all = (await readdir(path.join(WEB_ROOT, 'dist/assets'))).filter((name) => name.endsWith('.js'));
    const sizes = await Promise.all(all.map(async (name) => (await stat(path.join(WEB_ROOT, 'dist/assets', name))).size));
    scripts = all.filter((_, i) => sizes[i]! >= PRECOMPRESS_MIN_BYTES);
    tinyScripts = all.filter((_, i) => sizes[i]! < PRECOMPRESS_MIN_BYTES);
    const creator = await stack.register('sitemapper', 'creator');
    const { prisma } = stack.origin.services;
    const make = async (title: string, visibility: 'public' | 'private') =>
      (await prisma.content.create({ data: { ownerId: creator.userId, title, status: 'ready', visibility, publishedAt: new Date() }, select: { id: true } }))
        .id;
    publicId = await make('Harbour at dawn', 'public');
    privateId = await make('My private walk', 'private');
    // Enough public cards that a search answer is worth compressing.
    for (let i = 0; i < 12; i++) await make(`Coastline walk number ${i} with a long title`, 'public');
  });

  after(async () => {
    await stack?.close();
  });

  test('the build writes a brotli and a gzip copy of every script, each smaller than the original', async () => {
    assert.ok(scripts.length >= 2, `scripts: ${scripts.join(', ')}`);
    // A script under PRECOMPRESS_MIN_BYTES gets no copy: its headers would outweigh the bytes saved.
    for (const name of tinyScripts) {
      const raw = await get(`${stack.url}/assets/${name}`, { 'accept-encoding': 'br, gzip' });
      assert.equal(raw.status, 200);
      assert.equal(raw.headers['content-encoding'], undefined, `${name} is sent as it is`);
      assert.deepEqual(raw.body, await readFile(path.join(WEB_ROOT, 'dist/assets', name)));
    }
    for (const name of scripts) {
      const file = path.join(WEB_ROOT, 'dist/assets', name);
      const original = await readFile(file);
      const br = await readFile(`${file}.br`);
      const gz = await readFile(`${file}.gz`);
      assert.ok(br.length < original.length / 2, `${name}: br ${br.length} of ${original.length}`);
      assert.ok(gz.length < original.length / 2, `${name}: gz ${gz.length} of ${original.length}`);
      assert.deepEqual(zlib.brotliDecompressSync(br), original);
      assert.deepEqual(zlib.gunzipSync(gz), original);
    }
  });

  test('a hashed script is sent as brotli, gzip or identity after accept-encoding, always with Vary and immutable caching', async () => {
    for (const name of scripts) {
      const url = `${stack.url}/assets/${name}`;
      const original = await readFile(path.join(WEB_ROOT, 'dist/assets', name));
      const cases: [string | undefined, string | undefined][] = [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip;q=0.8', 'gzip'],
        ['gzip;q=0.5, br;q=1', 'br'],
        ['*', 'br'],
        ['identity', undefined],
        [undefined, undefined],
      ];
      for (const [accept, expected] of cases) {
        const raw = await get(url, accept === undefined ? {} : { 'accept-encoding': accept });
        assert.equal(raw.status, 200);
        assert.equal(raw.headers['content-encoding'], expected, `${name} with accept-encoding ${accept}`);
        assert.equal(raw.headers.vary, 'Accept-Encoding');
        assert.equal(raw.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.match(raw.headers['content-type'] ?? '', /^text\/javascript/);
        assert.equal(Number(raw.headers['content-length']), raw.body.length);
        if (expected) assert.ok(raw.body.length < original.length / 2);
        assert.deepEqual(decode(raw), original);
      }
    }
  });

  test('the compressed copies are not files of their own, and app routes still get index.html', async () => {
    const copy = await get(`${stack.url}/assets/${scripts[0]}.br`, { 'accept-encoding': 'br' });
    assert.match(copy.headers['content-type'] ?? '', /^text\/html/);
    const page = await get(`${stack.url}/watch/${publicId}`, { 'accept-encoding': 'br' });
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(decode(page).toString(), /<div id="root">/);
  });

  test('robots.txt is plain text that points at the sitemap, not the app', async () => {
    const raw = await get(`${stack.url}/robots.txt`);
    assert.equal(raw.status, 200);
    assert.match(raw.headers['content-type'] ?? '', /^text\/plain/);
    const text = raw.body.toString();
    assert.doesNotMatch(text, /<html|<!doctype/i);
    assert.match(text, /^User-agent: \*$/m);
    assert.match(text, /^Disallow: \/api\/$/m);
    assert.match(text, new RegExp(`^Sitemap: ${stack.url}/sitemap.xml$`, 'm'));
  });

  test('the sitemap lists public content and its creator, never private content', async () => {
    const raw = await get(`${stack.url}/sitemap.xml`);
    assert.equal(raw.status, 200);
    assert.match(raw.headers['content-type'] ?? '', /^application\/xml/);
    const xml = raw.body.toString();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    assert.ok(xml.includes(`<loc>${stack.url}/watch/${publicId}</loc><lastmod>`), xml);
    assert.ok(xml.includes(`<loc>${stack.url}/u/sitemapper</loc>`));
    assert.ok(xml.includes(`<loc>${stack.url}/</loc>`));
    assert.ok(!xml.includes(privateId));
    assert.equal(xml.match(/<url>/g)?.length, 1 + 13 + 1);
  });

  test('API JSON is compressed when the client accepts it and it pays; small answers are not', async () => {
    const search = `${stack.url}/api/search?limit=20`;
    const plain = await get(search);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    for (const encoding of ['br', 'gzip']) {
      const raw = await get(search, { 'accept-encoding': encoding });
      assert.equal(raw.headers['content-encoding'], encoding);
      assert.match(raw.headers.vary ?? '', /accept-encoding/i);
      assert.deepEqual(JSON.parse(decode(raw).toString()), JSON.parse(plain.body.toString()));
      assert.ok(raw.body.length < plain.body.length / 3, `${encoding}: ${raw.body.length} of ${plain.body.length}`);
    }
    // tRPC answers go through the same path.
    const trpc = await get(`${stack.url}/trpc/search?input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`, { 'accept-encoding': 'br' });
    assert.equal(trpc.status, 200);
    assert.equal(trpc.headers['content-encoding'], 'br');
    const health = await get(`${stack.url}/healthz`, { 'accept-encoding': 'br' });
    assert.equal(health.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(health.body.toString()), { ok: true });
  });
});
