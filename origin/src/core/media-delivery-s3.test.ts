import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { resolveFfprobe } from '@spherecast/shared/media';
import { makeTinyLadder, uploadLadder } from '../test-support/hls-fixture.ts';
import { startTestBucket, type TestBucket } from '../test-support/s3rver.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { LiveSupervisor } from '../domains/live/live-supervisor.ts';
import { S3MediaObjects, type S3StorageConfig } from './media-store-s3.ts';

const run = promisify(execFile);

const BUCKET = 'spherecast-cdn';

/** Streams of a playlist as ffprobe reads them over HTTP (following redirects, as players do). */
async function probeStreams(url: string): Promise<{ codec_type: string; width?: number }[]> {
  const { stdout } = await run(resolveFfprobe().path, ['-v', 'error', '-show_entries', 'stream=codec_type,width', '-of', 'json', url]);
  return (JSON.parse(stdout) as { streams: { codec_type: string; width?: number }[] }).streams;
}

test('presigned URLs are AWS Signature Version 4 (the GET example of the S3 documentation, "Authenticating Requests: Using Query Parameters")', () => {
  // s3rver does not check version 4 signatures, so the signer is checked against AWS's published example.
  const aws = new S3MediaObjects({
    endpoint: 'https://s3.amazonaws.com',
    bucket: 'examplebucket',
    region: 'us-east-1',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    forcePathStyle: false,
    prefix: '',
  });
  assert.equal(
    aws.presignGet('test.txt', 86400, new Date('2013-05-24T00:00:00Z')),
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  );
  aws.destroy();
});

describe('STORAGE=s3 with MEDIA_DELIVERY=bucket: the bucket sends the bytes; captions and live recordings are stored there too', () => {
  let s3: TestBucket;
  let dir: string;
  let storage: S3StorageConfig;
  let objects: S3MediaObjects;
  let t: TestOrigin;
  let creator: TestUser;
  let ladderDir: string;
  let ladderFiles: string[];
  let publicBase: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-delivery-s3-'));
    s3 = await startTestBucket(BUCKET);
    storage = s3.storage;
    objects = new S3MediaObjects(storage);
    // The "CDN" is the bucket's own address here; in production a CDN whose origin is the bucket.
    publicBase = `${storage.endpoint}/${BUCKET}`;
    t = await startTestOrigin('pglite', { s3: storage, mediaDelivery: { mode: 'bucket', publicBaseUrl: publicBase, presignSeconds: 60 } });
    creator = await t.user('bucket-creator');
    ladderDir = path.join(dir, 'ladder');
    ladderFiles = await makeTinyLadder(ladderDir, 2);
  });
  after(async () => {
    await t?.close();
    objects?.destroy();
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function publishedVideo(visibility: 'public' | 'private') {
    const { id } = await creator.caller.content.create({ title: `Bucket ${visibility}`, visibility });
    await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
    await creator.caller.content.finalize({ id, master: 'master.m3u8', durationSeconds: 2 });
    const playback = await t.http('GET', `/api/streaming/${id}`, { token: creator.token });
    assert.equal(playback.status, 200, JSON.stringify(playback.body));
    return { id, masterUrl: new URL((playback.body as { masterUrl: string }).masterUrl, t.url).toString() };
  }

  test('public segments redirect to the CDN base, private ones to a short-lived presigned URL; playlists stay on the origin and private stays private', async () => {
    const segment = ladderFiles.find((file) => file.endsWith('.m4s'))!;
    const bytes = await readFile(path.join(ladderDir, segment));

    const open = await publishedVideo('public');
    const base = open.masterUrl.replace(/master\.m3u8$/, '');
    const master = await fetch(open.masterUrl, { redirect: 'manual' });
    assert.equal(master.status, 200, 'the origin sends playlists itself');
    const redirected = await fetch(`${base}${segment}`, { redirect: 'manual' });
    assert.equal(redirected.status, 302);
    const cdnUrl = redirected.headers.get('location') ?? '';
    assert.ok(cdnUrl.startsWith(`${publicBase}/published/${open.id}/`), cdnUrl);
    assert.ok(!cdnUrl.includes('X-Amz-Signature'), 'public media go to the CDN unsigned');
    assert.deepEqual(Buffer.from(await (await fetch(cdnUrl)).arrayBuffer()), bytes);

    const secret = await publishedVideo('private');
    const publishedPath = (await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: secret.id }, select: { publishedPath: true } }))
      .publishedPath!;
    // Unsigned: refused by the origin, before any redirect.
    assert.equal((await fetch(`${t.url}/media/${publishedPath}/${segment}`, { redirect: 'manual' })).status, 403);
    const signedBase = secret.masterUrl.replace(/master\.m3u8$/, '');
    const presigned = await fetch(`${signedBase}${segment}`, { redirect: 'manual' });
    assert.equal(presigned.status, 302);
    assert.equal(presigned.headers.get('cache-control'), 'private, no-store');
    const presignedUrl = new URL(presigned.headers.get('location') ?? '');
    assert.equal(presignedUrl.origin, storage.endpoint);
    assert.equal(presignedUrl.searchParams.get('X-Amz-Expires'), '60');
    assert.deepEqual(Buffer.from(await (await fetch(presignedUrl)).arrayBuffer()), bytes, 'the bucket accepts the signature');
    // An expired one (signed an hour ago for 60 s) is refused by the bucket.
    const expired = objects.presignGet(`${publishedPath}/${segment}`, 60, new Date(Date.now() - 3600_000));
    assert.equal((await fetch(expired)).status, 403);
    // A player (ffprobe here) follows the redirects and plays the private ladder.
    assert.ok((await probeStreams(secret.masterUrl)).some((s) => s.codec_type === 'video' && s.width === 256));
  });

  test('captions of a video in the bucket are a new version made in the bucket (no 501), and nothing is written on the origin disk', async () => {
    const video = await publishedVideo('public');
    const before = (await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: video.id }, select: { publishedPath: true } })).publishedPath!;
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:01.500\nHello from the bucket\n';
    const put = await t.http('PUT', `/api/content/${video.id}/captions/en`, { token: creator.token, body: { label: 'English', vtt } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = (await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: video.id }, select: { publishedPath: true } })).publishedPath!;
    assert.notEqual(after, before);
    const keys = await objects.list(`${after}/`);
    for (const file of [...ladderFiles, 'captions/en.vtt', 'captions/en.m3u8', 'hashes.json'])
      assert.ok(keys.includes(`${after}/${file}`), `${file} in ${keys.join(', ')}`);
    assert.ok((await objects.list(`${before}/`)).length > 0, 'the version players may still stream is kept');
    assert.deepEqual(await readdir(t.origin.services.media.publishedRoot), [], 'nothing published on the origin disk');

    const playback = await t.http('GET', `/api/streaming/${video.id}`, { token: creator.token });
    const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, t.url).toString();
    const master = await (await fetch(masterUrl)).text();
    assert.match(master, /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs".*LANGUAGE="en"/);
    const captions = await fetch(new URL('captions/en.vtt', masterUrl));
    assert.equal(captions.status, 200, 'redirect followed to the CDN');
    assert.equal(await captions.text(), vtt);
    const list = await t.http('GET', `/api/content/${video.id}/captions`, { token: creator.token });
    assert.deepEqual(
      (list.body as { tracks: { lang: string }[] }).tracks.map((track) => track.lang),
      ['en'],
    );
  });

  test('a live broadcast, once ended, is moved into the bucket and plays from there', async () => {
    const opened = await t.http('POST', '/api/live/channels', { token: creator.token, body: { title: 'Live to bucket' } });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const ch = opened.body as { id: string; streamKey: string; hlsIngestUrl: string };
    const master = await fetch(`${ch.hlsIngestUrl}/master.m3u8`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ch.streamKey}` },
      body: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x80,FRAME-RATE=15\n160x80/index.m3u8\n',
    });
    assert.equal(master.status, 201, await master.text());
    // ffmpeg's HLS muxer pushes 3 s of test pattern, 1 s fMP4 segments, as the studio's encoder does.
    const code = await new Promise<number | null>((resolve) => {
      const ffmpeg = spawn(
        'ffmpeg',
        [
          ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-t', '3', '-i', 'testsrc2=size=160x80:rate=15'],
          ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-sc_threshold', '0', '-f', 'hls', '-hls_time', '1'],
          ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', `${ch.hlsIngestUrl}/160x80/seg_%d.m4s`],
          ...['-method', 'PUT', '-headers', `Authorization: Bearer ${ch.streamKey}\r\n`, `${ch.hlsIngestUrl}/160x80/index.m3u8`],
        ],
        { stdio: 'ignore' },
      );
      ffmpeg.on('close', resolve);
    });
    assert.equal(code, 0);
    const ended = await t.http('POST', `/api/live/channels/${ch.id}/end`, { token: creator.token, body: {} });
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    const { contentId } = (await t.http('GET', `/api/live/channels/${ch.id}`, { token: creator.token })).body as { contentId: string };
    const { publishedPath } = await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: contentId }, select: { publishedPath: true } });
    const keys = await objects.list(`${publishedPath}/`);
    for (const file of ['master.m3u8', 'hashes.json', '160x80/init_0.mp4', '160x80/index.m3u8', '160x80/recording.m3u8', '160x80/seg_1.m4s']) {
      assert.ok(keys.includes(`${publishedPath}/${file}`), `${file} in ${keys.join(', ')}`);
    }
    assert.deepEqual(await readdir(t.origin.services.media.publishedFile(contentId)).catch(() => []), [], 'the recording left the origin disk');

    // An origin that stopped between the end and the move: the recording is on its disk only. Its next start moves it.
    const { media } = t.origin.services;
    for (const key of keys) {
      const file = media.publishedFile(key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await buffer(await objects.read(key)));
    }
    await objects.removePrefix(`${publishedPath}/`);
    const supervisor = new LiveSupervisor(t.origin.services, (error) => assert.fail(String(error)));
    assert.equal(await supervisor.moveLeftoverRecordings(), 1);
    assert.deepEqual((await objects.list(`${publishedPath}/`)).sort(), [...keys].sort());
    assert.deepEqual(await readdir(media.publishedFile(contentId)).catch(() => []), []);
    const playback = await t.http('GET', `/api/streaming/${contentId}`, { token: creator.token });
    const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, t.url).toString();
    const segment = await fetch(new URL('160x80/seg_1.m4s', masterUrl), { redirect: 'manual' });
    assert.equal(segment.status, 302, 'the recording is sent by the bucket');
    assert.ok((await probeStreams(masterUrl)).some((s) => s.codec_type === 'video' && s.width === 160));
  });
});
