import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { generateEquirectFixture, resolveFfprobe } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';
import { openUpload, tusSend, waitForUpload } from '../test-support/web-upload.ts';
import { MediaStore } from './media-store.ts';
import { S3MediaObjects, type S3StorageConfig } from './media-store-s3.ts';

const run = promisify(execFile);

/** s3rver (a real S3 API server over a folder) has no type declarations: what the tests use of it. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

const BUCKET = 'spherecast-media';

describe('S3-compatible media storage (STORAGE=s3, against s3rver)', () => {
  let s3: S3rverServer;
  let dir: string;
  let storage: S3StorageConfig;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-s3-test-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: path.join(dir, 's3'), silent: true, configureBuckets: [{ name: BUCKET }] });
    const address = await s3.run();
    storage = {
      endpoint: `http://127.0.0.1:${address.port}`,
      bucket: BUCKET,
      region: 'us-east-1',
      // s3rver's fixed development credentials.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    };
  });
  after(async () => {
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a publish uploads the version under a new prefix; rolling it back brings the files back to staging and removes the prefix; pruning keeps only what is named', async () => {
    const objects = new S3MediaObjects(storage);
    const store = new MediaStore(path.join(dir, 'media-unit'), 1024 * 1024, objects);
    await store.init();
    const contentId = '01900000-0000-7000-8000-000000000001';
    const staging = store.stagingDir(contentId);
    await mkdir(path.join(staging, '512x256'), { recursive: true });
    await writeFile(path.join(staging, 'master.m3u8'), '#EXTM3U\n');
    await writeFile(path.join(staging, '512x256', 'seg_1.m4s'), Buffer.alloc(5000, 1));

    const published = await store.publish(contentId, 'v1');
    assert.deepEqual((await objects.list(`${published}/`)).sort(), [`${contentId}/v1/512x256/seg_1.m4s`, `${contentId}/v1/master.m3u8`]);
    assert.deepEqual(await readdir(store.publishedRoot), [], 'nothing is published on local disk');
    const segment = await store.openPublished(`${published}/512x256/seg_1.m4s`);
    assert.equal(segment?.size, 5000);
    const chunks: Buffer[] = [];
    for await (const chunk of await segment.read({ start: 10, end: 19 })) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).length, 10, 'ranges are read from the bucket');

    // A publish that did not commit (a crash before the database pointed at it) goes back to staging.
    await store.restoreToStaging(contentId, published);
    assert.deepEqual(await store.listStaged(contentId), ['512x256/seg_1.m4s', 'master.m3u8']);
    assert.deepEqual(await objects.list(`${contentId}/`), []);

    await store.publish(contentId, 'v2');
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, 'master.m3u8'), '#EXTM3U\n');
    await store.publish(contentId, 'v3');
    await store.prunePublished(contentId, [`${contentId}/v3`]);
    assert.deepEqual(await objects.listFolders(`${contentId}/`), ['v3']);
    await store.removeContent(contentId);
    assert.deepEqual(await objects.list(''), []);
    objects.destroy();
  });

  test('a web upload is processed and published to the bucket, and the origin serves it from there', async () => {
    const t: TestOrigin = await startTestOrigin('pglite', { s3: storage, processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } } });
    try {
      const creator = await t.user('bucket-creator');
      const clipFile = path.join(dir, 'clip.mp4');
      await generateEquirectFixture({ out: clipFile, seconds: 1, width: 512, fps: 24, interp: 'linear', videoPreset: 'ultrafast' });
      const clip = await readFile(clipFile);
      const content = await creator.caller.content.create({ title: 'Stored in S3' });
      const created = await openUpload(t, creator, content.id, 'clip.mp4', clip.length);
      await tusSend(created.uploadUrl, creator.token, clip);
      const state = await waitForUpload(t, creator, created.uploadId);
      assert.equal(state.status, 'ready', state.error ?? '');

      const objects = new S3MediaObjects(storage);
      const keys = await objects.list(`${content.id}/`);
      objects.destroy();
      assert.ok(keys.some((key) => key.endsWith('/master.m3u8')) && keys.some((key) => key.endsWith('.m4s')), keys.join(', '));
      assert.deepEqual(await readdir(path.join(t.origin.config.mediaDir, 'published')), [], 'nothing published on the origin disk');

      const playback = await t.http('GET', `/api/streaming/${content.id}`, { token: creator.token });
      const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, t.url).toString();
      const { stdout } = await run(resolveFfprobe().path, ['-v', 'error', '-show_entries', 'stream=codec_type,width', '-of', 'json', masterUrl]);
      assert.ok(
        (JSON.parse(stdout) as { streams: { codec_type: string; width?: number }[] }).streams.some((s) => s.codec_type === 'video' && s.width === 512),
        stdout,
      );
    } finally {
      await t.close();
    }
  });
});
