// /media serves immutable published files from memory once read (media-routes.ts HotFiles): the
// bytes, Range answers and headers must be those of the file on disk, every time, and access rules
// apply before the cache is consulted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';

const [kind] = await testDatabaseKinds();

describe('published media from memory', () => {
  let t: TestOrigin;
  let owner: TestUser;
  let id: string;
  let folder: string;
  const segment = randomBytes(3 * 2 ** 20 + 12_345);

  before(async () => {
    t = await startTestOrigin(kind!);
    owner = await t.user('hotfiles');
    id = await readyContent(t, owner, { title: 'Hot segments', visibility: 'public' });
    folder = path.join(t.origin.config.mediaDir, 'published', id, 'p1');
    await mkdir(path.join(folder, 'v0'), { recursive: true });
    await writeFile(path.join(folder, 'v0', 'seg_000.m4s'), segment);
  });
  after(() => t.close());

  const get = async (file: string, range?: string) => {
    const response = await fetch(`${t.url}/media/${id}/p1/${file}`, { headers: range ? { range } : {} });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };

  test('whole files and ranges are the bytes on disk, on the first and on later requests, many at once', async () => {
    for (let pass = 0; pass < 2; pass += 1) {
      const whole = await get('v0/seg_000.m4s');
      assert.equal(whole.response.status, 200);
      assert.equal(whole.response.headers.get('content-length'), String(segment.length));
      assert.equal(whole.response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok(whole.body.equals(segment), `pass ${pass}: whole file`);
      const cases: Array<[string, number, number]> = [
        ['bytes=0-0', 0, 0],
        ['bytes=1000-1048575', 1000, 1_048_575],
        [`bytes=${segment.length - 10}-`, segment.length - 10, segment.length - 1],
        ['bytes=-500', segment.length - 500, segment.length - 1],
      ];
      for (const [range, start, end] of cases) {
        const part = await get('v0/seg_000.m4s', range);
        assert.equal(part.response.status, 206, range);
        assert.equal(part.response.headers.get('content-range'), `bytes ${start}-${end}/${segment.length}`, range);
        assert.ok(part.body.equals(segment.subarray(start, end + 1)), `pass ${pass}: ${range}`);
      }
      const unsatisfiable = await get('v0/seg_000.m4s', `bytes=${segment.length}-`);
      assert.equal(unsatisfiable.response.status, 416);
    }
    const together = await Promise.all(
      Array.from({ length: 12 }, (_, i) => get('v0/seg_000.m4s', i % 2 ? `bytes=${i * 1000}-${i * 1000 + 99_999}` : undefined)),
    );
    together.forEach(({ body }, i) => assert.ok(body.equals(i % 2 ? segment.subarray(i * 1000, i * 1000 + 100_000) : segment), `request ${i}`));
  });

  test('HEAD answers the headers of GET, ranges included, with no body', async () => {
    const head = await fetch(`${t.url}/media/${id}/p1/v0/seg_000.m4s`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(segment.length));
    assert.equal(head.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const part = await fetch(`${t.url}/media/${id}/p1/v0/seg_000.m4s`, { method: 'HEAD', headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${segment.length}`);
    assert.equal(part.headers.get('content-length'), '10');
    assert.equal((await fetch(`${t.url}/media/${id}/p1/v0/missing.m4s`, { method: 'HEAD' })).status, 404);
  });

  test('a file replaced in place is served as it is now, not as it was remembered', async () => {
    const file = path.join(folder, 'v0', 'seg_001.m4s');
    await writeFile(file, Buffer.alloc(5_000, 1));
    assert.ok((await get('v0/seg_001.m4s')).body.equals(Buffer.alloc(5_000, 1)));
    const replaced = randomBytes(7_000);
    await writeFile(file, replaced);
    const again = await get('v0/seg_001.m4s');
    assert.equal(again.response.headers.get('content-length'), '7000');
    assert.ok(again.body.equals(replaced));
  });

  test('a playlist renamed over while it is served is sent whole, as one version or the other', async () => {
    // A live playlist is replaced by a rename with every segment. The size measured when the request
    // came and the file read afterwards could be two versions: a body shorter than its content-length
    // left hls.js waiting for bytes that never came (20 s, and the live viewer stalled as long).
    const file = path.join(folder, 'v0', 'index.m3u8');
    const versions = [0, 1].map((v) => `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${'#EXTINF:2.000,\nseg_1.m4s\n'.repeat(v === 0 ? 40 : 4)}`);
    await writeFile(file, versions[0]!);
    let swapping = true;
    const swaps = (async () => {
      for (let n = 0; swapping; n += 1) {
        const next = `${file}.tmp`;
        await writeFile(next, versions[n % 2]!);
        await rename(next, file);
      }
    })();
    try {
      for (let round = 0; round < 10; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const response = await fetch(`${t.url}/media/${id}/p1/v0/index.m3u8`, { signal: AbortSignal.timeout(5_000) });
            const body = await response.text();
            return { length: response.headers.get('content-length'), body };
          }),
        );
        for (const { length, body } of answers) {
          assert.ok(versions.includes(body), `a whole version, not ${body.length} bytes`);
          assert.equal(length, String(Buffer.byteLength(body)));
        }
      }
    } finally {
      swapping = false;
      await swaps;
    }
  });

  test('content made private is refused at once, though its segments were served from memory', async () => {
    assert.equal((await get('v0/seg_000.m4s')).response.status, 200);
    await t.http('PATCH', `/api/content/${id}`, { token: owner.token, body: { visibility: 'private' } });
    const refused = await get('v0/seg_000.m4s');
    assert.equal(refused.response.status, 403);
    assert.equal((await fetch(`${t.url}/media/${id}/p1/v0/seg_000.m4s`, { method: 'HEAD' })).status, 403);
    assert.ok(refused.body.length < 1_000, 'an error, not the segment');
  });
});
