import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { adAssetListSchema } from '@spherecast/shared';
import { runningNow } from '../../test-support/ad-fixtures.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { openUpload, tusSend, waitForUpload } from '../../test-support/web-upload.ts';

const run = promisify(execFile);

// One database kind: what is tested is the media pipeline a creative goes through, not SQL.
describe('an ad creative goes through the web upload pipeline into its own ladder (pglite)', () => {
  let t: TestOrigin;
  let advertiser: TestUser;
  let creator: TestUser;
  let workDir: string;
  let clip: Buffer;

  before(async () => {
    t = await startTestOrigin('pglite', { processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } } });
    advertiser = await t.user('ad_maker', 'advertiser');
    creator = await t.user('vod_maker');
    workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ad-creative-'));
    // A flat 16:9 clip without any 360 metadata, as an advertiser's spot would be.
    const file = path.join(workDir, 'spot.mp4');
    await run(process.env.FFMPEG_PATH ?? 'ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=1.5'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file],
    ]);
    clip = await readFile(file);
  });
  after(async () => {
    await t?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('a flat creative is transcoded at its own aspect ratio, stays out of search, and plays as the pre-roll', async () => {
    const campaign = await advertiser.caller.ads.campaigns.create({
      name: 'Spot',
      creativeForm: 'flat',
      ...runningNow(),
      budgetImpressions: 10,
    });
    const creativeId = campaign.creative!.contentId;
    const created = await openUpload(t, advertiser, creativeId, 'spot.mp4', clip.length);
    await tusSend(created.uploadUrl, advertiser.token, clip);
    const seen: string[] = [];
    const ready = await waitForUpload(t, advertiser, created.uploadId, undefined, seen);
    assert.equal(ready.status, 'ready', `${ready.error ?? ''} (statuses seen: ${seen.join(', ')})`);

    const search = await t.http('GET', '/api/search?q=spot');
    assert.equal(search.status, 200);
    assert.ok(!JSON.stringify(search.body).includes(creativeId), 'the creative is not in search');

    const contentId = await readyContent(t, creator, { title: 'Feature' });
    await creator.caller.ads.placements.set({ contentId, preroll: true });
    const list = adAssetListSchema.parse((await t.http('GET', `/api/ads/assets?contentId=${contentId}&position=preroll&viewerId=creative-viewer-0001`)).body);
    assert.equal(list.ASSETS.length, 1);
    const [asset] = list.ASSETS;
    assert.deepEqual(asset!['X-SPHERECAST-AD'].form, { kind: 'flat' });
    assert.ok(asset!.DURATION > 1 && asset!.DURATION < 2, String(asset!.DURATION));
    const master = await (await fetch(asset!.URI)).text();
    assert.match(master, /RESOLUTION=640x360/);
    assert.ok(!/RESOLUTION=\d+x\d+/.exec(master)![0].endsWith('x320'), 'not squeezed into 2:1');
    const rung = master.split('\n').find((line) => line.endsWith('.m3u8'))!;
    const media = await fetch(new URL(rung, asset!.URI));
    assert.equal(media.status, 200);
    assert.match(await media.text(), /#EXTINF/);
  });
});
