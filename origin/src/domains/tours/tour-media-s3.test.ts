// Tour narration with STORAGE=s3 (against s3rver): the audio goes to the bucket, not the origin's
// disk, survives the start-up sweep of published versions, and leaves with its tour.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFfmpeg } from '@spherecast/shared/media';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestBucket, type TestBucket } from '../../test-support/s3rver.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { TOUR_MEDIA_FOLDER } from './tour-media.ts';

describe('tour narration audio in the bucket (STORAGE=s3)', () => {
  let bucket: TestBucket;
  let t: TestOrigin;
  let owner: TestUser;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tour-media-s3-'));
    bucket = await startTestBucket('tour-media');
    t = await startTestOrigin('pglite', { s3: bucket.storage });
    owner = await t.user('s3_narrator');
  });
  after(async () => {
    await t?.close();
    await bucket?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('stored in the bucket and served from it with Range; kept by the start-up sweep; removed with the tour', async () => {
    const remote = t.origin.services.media.remote!;
    const scene = await readyContent(t, owner, { title: 'Harbour' });
    const tourId = (await owner.caller.tours.create({ title: 'Harbour walk', scenes: [{ id: 'harbour', contentId: scene, title: 'Harbour' }] })).id;
    const file = path.join(dir, 'tone.mp3');
    await runFfmpeg({ args: ['-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', file] });
    const bytes = await readFile(file);

    const stored = await fetch(`${t.url}/api/tours/${tourId}/media/intro.mp3`, {
      method: 'PUT',
      headers: { 'content-type': 'audio/mpeg', authorization: `Bearer ${owner.token}` },
      body: bytes,
    });
    const upload = (await stored.json()) as { url: string };
    assert.equal(stored.status, 201, JSON.stringify(upload));
    const name = upload.url.split('/').at(-1)!;
    assert.deepEqual(await remote.list(`${TOUR_MEDIA_FOLDER}/${tourId}/`), [`${TOUR_MEDIA_FOLDER}/${tourId}/${name}`]);
    const onDisk = await readdir(path.join(t.origin.services.media.mediaDir, TOUR_MEDIA_FOLDER, tourId)).catch(() => []);
    assert.deepEqual(onDisk, [], 'nothing of it stays on the origin’s disk');

    const whole = await fetch(`${t.url}${upload.url}`, { headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(whole.status, 200);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
    const part = await fetch(`${t.url}${upload.url}`, { headers: { authorization: `Bearer ${owner.token}`, range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));

    // The start-up sweep removes published versions nothing refers to, not tour media.
    await t.origin.services.media.sweep(new Map());
    assert.equal((await remote.list(`${TOUR_MEDIA_FOLDER}/${tourId}/`)).length, 1);

    await owner.caller.tours.delete({ id: tourId });
    assert.deepEqual(await remote.list(`${TOUR_MEDIA_FOLDER}/${tourId}/`), []);
    assert.equal((await fetch(`${t.url}${upload.url}`, { headers: { authorization: `Bearer ${owner.token}` } })).status, 404);
  });
});
