// docs/nginx-media.conf as shipped, in front of a real origin: nginx sends published files itself, the
// origin still answers what it writes per request (playlists with ad breaks) and every refusal.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HLS_INTERSTITIAL_CLASS } from '@spherecast/shared';
import { freePort } from '@spherecast/shared/testing/net';
import { readyContent } from '../test-support/content-fixtures.ts';
import { findNginx, shippedNginxConfig, startNginx, type RunningNginx } from '../test-support/nginx.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';

const MEDIA_PLAYLIST = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MAP:URI="init.mp4"']
  .concat(Array.from({ length: 15 }, (_, i) => [`#EXTINF:4.000,`, `seg_${i}.m4s`]).flat())
  .concat(['#EXT-X-ENDLIST', ''])
  .join('\n');

describe('docs/nginx-media.conf in front of the origin (nginx)', () => {
  let t: TestOrigin;
  let creator: TestUser;
  let nginx: RunningNginx;
  let nginxDir: string;

  /** A ready content with one rung's playlist, init segment and first segment on disk. */
  async function publishedContent(fields: { title: string; visibility?: 'public' | 'private' }): Promise<string> {
    const id = await readyContent(t, creator, fields);
    const dir = path.join(t.origin.services.config.mediaDir, 'published', id, 'p1', '256x128');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '..', 'master.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=256x128\n256x128/index.m3u8\n');
    await writeFile(path.join(dir, 'index.m3u8'), MEDIA_PLAYLIST);
    await writeFile(path.join(dir, 'init.mp4'), Buffer.alloc(600, 1));
    await writeFile(path.join(dir, 'seg_0.m4s'), Buffer.alloc(4096, 2));
    return id;
  }

  before(async () => {
    const binary = findNginx();
    assert.ok(binary, 'nginx is not installed: `apt-get install nginx` (Debian), or set NGINX_PATH (.ci/run installs it)');
    t = await startTestOrigin('pglite');
    creator = await t.user('nginx-creator');
    // nginx's workers run as another user (www-data) when the tests run as root: they read the
    // published folder and write their cache folder.
    for (let dir = t.origin.services.config.mediaDir; dir !== path.dirname(dir) && dir.startsWith(os.tmpdir()); dir = path.dirname(dir)) {
      await chmod(dir, 0o755);
    }
    nginxDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-nginx-front-'));
    await chmod(nginxDir, 0o755);
    const published = path.join(t.origin.services.config.mediaDir, 'published');
    await mkdir(published, { recursive: true });
    await chmod(published, 0o755);
    const port = await freePort();
    nginx = await startNginx(binary, nginxDir, port, await shippedNginxConfig(port, published, t.url, nginxDir));
  });
  after(async () => {
    await nginx?.stop();
    await t?.close();
    if (nginxDir) await rm(nginxDir, { recursive: true, force: true });
  });

  test('segments come from nginx itself; a media playlist with ad breaks is the origin’s, interstitials included', async () => {
    const id = await publishedContent({ title: 'Surf with ads' });
    const placed = await t.http('PUT', `/api/ads/placements/${id}`, { token: creator.token, body: { preroll: true, midrollSeconds: [30], postroll: false } });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));

    const segment = await fetch(`${nginx.url}/media/${id}/p1/256x128/seg_0.m4s`);
    assert.equal(segment.status, 200);
    assert.match(segment.headers.get('server') ?? '', /^nginx/);
    assert.match(segment.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await segment.arrayBuffer()).byteLength, 4096);

    const fromOrigin = await (await fetch(`${t.url}/media/${id}/p1/256x128/index.m3u8`)).text();
    assert.ok(fromOrigin.includes(`CLASS="${HLS_INTERSTITIAL_CLASS}"`), 'the origin declares the breaks');
    const viaNginx = await fetch(`${nginx.url}/media/${id}/p1/256x128/index.m3u8`);
    assert.equal(viaNginx.status, 200);
    assert.equal(await viaNginx.text(), fromOrigin, 'a viewer behind nginx gets the same playlist, ad breaks included');
    assert.match(viaNginx.headers.get('cache-control') ?? '', /max-age=2/);
  });

  test('private media unsigned is the origin’s 403 with its message; a missing file is its 404', async () => {
    const id = await publishedContent({ title: 'Private', visibility: 'private' });
    for (const file of ['256x128/seg_0.m4s', '256x128/index.m3u8']) {
      const refused = await fetch(`${nginx.url}/media/${id}/p1/${file}`);
      assert.equal(refused.status, 403, file);
      assert.match(refused.headers.get('content-type') ?? '', /json/, file);
      await refused.arrayBuffer();
    }
    const publicId = await publishedContent({ title: 'Public' });
    const missing = await fetch(`${nginx.url}/media/${publicId}/p1/256x128/seg_9.m4s`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /json/);
  });
});
