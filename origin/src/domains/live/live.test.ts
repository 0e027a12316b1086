import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runFfprobe } from '@spherecast/shared/media';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { rtmpTestBroadcastArgs } from '../../test-support/rtmp-broadcast.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

/** Runs ffmpeg to its end; resolves with its exit code and the tail of its stderr. */
function ffmpeg(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const RUNGS = ['160x80', '96x48'] as const;

/** ffmpeg's HLS muxer pushing two rungs of a few seconds of test pattern with -method PUT, one output per rung. */
function pushHls(ingestUrl: string, key: string, seconds: number, startNumber: number) {
  const args = ['-re', '-f', 'lavfi', '-t', String(seconds), '-i', 'testsrc2=size=160x80:rate=15'];
  for (const rung of RUNGS) {
    args.push(
      '-map',
      '0:v',
      '-s',
      rung,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '15',
      '-sc_threshold',
      '0',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      `${ingestUrl}/${rung}/seg_%d.m4s`,
      '-start_number',
      String(startNumber),
      '-method',
      'PUT',
      '-headers',
      `Authorization: Bearer ${key}\r\n`,
      `${ingestUrl}/${rung}/index.m3u8`,
    );
  }
  return ffmpeg(args);
}

const MASTER = [
  '#EXTM3U',
  ...RUNGS.flatMap((rung) => [`#EXT-X-STREAM-INF:BANDWIDTH=${rung === '160x80' ? 300000 : 150000},RESOLUTION=${rung},FRAME-RATE=15`, `${rung}/index.m3u8`]),
].join('\n');

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const count = (text: string, tag: string) => text.split('\n').filter((line) => line.startsWith(tag)).length;

// Real ffmpeg pushes to a real origin: one database kind keeps the run short (the ingest's SQL is plain Prisma).
const [kind = 'pglite'] = await testDatabaseKinds();

describe(`live ingest (${kind})`, () => {
  let t: TestOrigin;
  let creator: TestUser;
  before(async () => {
    t = await startTestOrigin(kind, {
      rtmp: true,
      rtmpPort: 0,
      liveGraceSeconds: 6,
      liveWindowSeconds: 4,
      liveRtmpRungs: [
        { width: 320, height: 160 },
        { width: 160, height: 80 },
      ],
      liveRtmpPreset: 'ultrafast',
    });
    creator = await t.user('caster');
  });
  after(() => t.close());

  const open = async (title: string) => {
    const created = await t.http('POST', '/api/live/channels', { token: creator.token, body: { title, tags: ['live'] } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    return created.body as { id: string; streamKey: string; rtmpUrl: string; hlsIngestUrl: string };
  };
  const channel = async (id: string) =>
    (await t.http('GET', `/api/live/channels/${id}`, { token: creator.token })).body as { status: string; contentId: string; viewers: number };
  const put = (url: string, body: string | Buffer, key?: string) => fetch(url, { method: 'PUT', headers: key ? { authorization: `Bearer ${key}` } : {}, body });
  const text = async (url: string) => {
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    return response.text();
  };

  test('an HLS push goes on air with a window and PROGRAM-DATE-TIME, resumes with a discontinuity, refuses bad pushes, and ends into a VOD', async () => {
    const ch = await open('Push test');
    assert.match(ch.rtmpUrl, new RegExp(`^rtmp://127\\.0\\.0\\.1:${t.origin.config.rtmpPort}/live/${ch.streamKey}$`));
    assert.equal(ch.hlsIngestUrl, `${t.url}/live/${ch.id}`);
    assert.equal((await channel(ch.id)).status, 'idle');

    // Refusals: no key and a wrong key are 401, names outside the contract 400, oversize 413.
    assert.equal((await put(`${ch.hlsIngestUrl}/master.m3u8`, MASTER)).status, 401);
    assert.equal((await put(`${ch.hlsIngestUrl}/master.m3u8`, MASTER, 'x'.repeat(43))).status, 401);
    for (const bad of ['160x80/run.sh', 'abc/init.mp4', '160x80/seg_1.ts', '160x80/seg_01.m4s', 'other.m3u8', '160x80/sub/seg_1.m4s']) {
      const response = await put(`${ch.hlsIngestUrl}/${bad}`, 'x', ch.streamKey);
      assert.equal(response.status, 400, bad);
      assert.ok(((await response.json()) as { message: string }).message.length > 10);
    }
    const huge = await put(`${ch.hlsIngestUrl}/160x80/seg_1.m4s`, Buffer.alloc(16 * 1024 * 1024 + 1), ch.streamKey);
    assert.equal(huge.status, 413);
    assert.equal((await put(`${ch.hlsIngestUrl}/160x80/init.mp4`, Buffer.from('not an mp4'), ch.streamKey)).status, 400);
    const badMaster = await put(`${ch.hlsIngestUrl}/master.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n../../x/index.m3u8\n', ch.streamKey);
    assert.equal(badMaster.status, 400);

    assert.equal((await put(`${ch.hlsIngestUrl}/master.m3u8`, MASTER, ch.streamKey)).status, 201);
    const first = await pushHls(ch.hlsIngestUrl, ch.streamKey, 5, 0);
    assert.equal(first.code, 0, first.stderr);
    const on = await channel(ch.id);
    assert.equal(on.status, 'live');

    const playback = await t.http('GET', `/api/streaming/${on.contentId}`);
    assert.equal(playback.status, 200, JSON.stringify(playback.body));
    const payload = playback.body as { masterUrl: string; live: boolean; latencyTargetSeconds: number; segmentHashesUrl: string | null };
    assert.equal(payload.live, true);
    assert.ok(payload.latencyTargetSeconds >= 3);
    const master = await text(payload.masterUrl);
    for (const rung of RUNGS) assert.ok(master.includes(`${rung}/index.m3u8`), master);
    assert.match(master, /CODECS="avc1\.[0-9a-f]{6}"/i);
    const base = payload.masterUrl.replace(/master\.m3u8$/, '');
    const window = await text(`${base}160x80/index.m3u8`);
    const recording = await text(`${base}160x80/recording.m3u8`);
    assert.ok(!window.includes('#EXT-X-ENDLIST'));
    assert.equal(count(window, '#EXT-X-PROGRAM-DATE-TIME:'), count(window, '#EXTINF:'));
    assert.equal(count(recording, '#EXT-X-PROGRAM-DATE-TIME:'), count(recording, '#EXTINF:'));
    assert.ok(count(recording, '#EXTINF:') >= 4, recording);
    assert.ok(count(window, '#EXTINF:') < count(recording, '#EXTINF:'), `the window (4 s) is shorter than the recording:\n${window}`);
    assert.ok(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(window)?.[1]) > 0);
    const segmentUrl = `${base}160x80/${window.trim().split('\n').at(-1)}`;
    const segment = await fetch(segmentUrl);
    assert.equal(segment.status, 200);
    assert.match(segment.headers.get('cache-control') ?? '', /immutable/);
    assert.match((await fetch(`${base}160x80/index.m3u8`)).headers.get('cache-control') ?? '', /max-age=2\b/);
    const lastSequence = Math.max(...[...recording.matchAll(/seg_(\d+)\.m4s/g)].map((m) => Number(m[1])));

    // While live, the payload's hash list is live-hashes.json beside the master: it names every rung's
    // init and the newest segments (all of each window, up to its edge) with the SHA-256 of the bytes served.
    assert.ok(payload.segmentHashesUrl, 'a live broadcast has a segment hash list');
    assert.equal(new URL(payload.segmentHashesUrl).pathname, new URL(`${base}live-hashes.json`).pathname);
    const liveHashes = JSON.parse(await text(payload.segmentHashesUrl)) as Record<string, string>;
    const sha256 = async (url: string) =>
      createHash('sha256')
        .update(Buffer.from(await (await fetch(url)).arrayBuffer()))
        .digest('hex');
    for (const rung of RUNGS) {
      const names = (await text(`${base}${rung}/index.m3u8`)).split('\n').filter((line) => line.endsWith('.m4s'));
      assert.ok(names.length >= 2, `${rung} window`);
      const inits = Object.keys(liveHashes).filter((file) => /^[^/]+\/init_\d+\.mp4$/.test(file) && file.startsWith(`${rung}/`));
      assert.ok(inits.length >= 1, `live-hashes.json names ${rung}'s init segment`);
      for (const file of [...inits, ...names.map((name) => `${rung}/${name}`)]) {
        assert.equal(liveHashes[file], await sha256(`${base}${file}`), `live-hashes.json entry for ${file}`);
      }
    }
    assert.ok(`160x80/seg_${lastSequence}.m4s` in liveHashes, 'the newest segment is listed');

    // The push stops: reconnecting; a push within the grace period continues with a discontinuity.
    await until('reconnecting', async () => (await channel(ch.id)).status === 'reconnecting');
    const stale = await put(`${ch.hlsIngestUrl}/160x80/seg_0.m4s`, Buffer.from('different bytes'), ch.streamKey);
    assert.equal(stale.status, 409, 'a segment number already used with other bytes would rewrite the recording');
    const second = await pushHls(ch.hlsIngestUrl, ch.streamKey, 3, lastSequence + 1);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((await channel(ch.id)).status, 'live');
    const resumed = await text(`${base}160x80/recording.m3u8`);
    assert.equal(count(resumed, '#EXT-X-DISCONTINUITY'), 1, resumed);
    assert.ok(resumed.startsWith(recording.split('\n').slice(0, -1).join('\n')), 'nothing already published was rewritten');

    // The end: a VOD of the same content with ENDLIST and hashes, that ffprobe reads.
    const ended = await t.http('POST', `/api/live/channels/${ch.id}/end`, { token: creator.token, body: {} });
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    assert.equal((ended.body as { status: string }).status, 'ended');
    const vod = await text(`${base}160x80/index.m3u8`);
    assert.ok(vod.includes('#EXT-X-ENDLIST'));
    assert.ok(vod.includes('#EXT-X-PLAYLIST-TYPE:VOD'));
    const hashes = JSON.parse(await text(`${base}hashes.json`)) as Record<string, string>;
    assert.ok(Object.keys(hashes).some((file) => /^96x48\/seg_\d+\.m4s$/.test(file)));
    const content = await t.http('GET', `/api/content/${on.contentId}`);
    assert.equal((content.body as { status: string }).status, 'ready');
    const again = await t.http('GET', `/api/streaming/${on.contentId}`);
    assert.equal((again.body as { live: boolean }).live, false);
    const probed = JSON.parse(await runFfprobe(['-of', 'json', '-show_entries', 'format=duration', payload.masterUrl])) as { format: { duration: string } };
    assert.ok(Number(probed.format.duration) >= 6, `VOD lasts ${probed.format.duration} s`);
    assert.equal((await put(`${ch.hlsIngestUrl}/master.m3u8`, MASTER, ch.streamKey)).status, 409);
  });

  test('RTMP: a publish with the key is transcoded to the live ladder; a wrong key is refused; the grace period ends it into a VOD', async () => {
    const ch = await open('RTMP test');
    const wrong = await ffmpeg([
      '-re',
      '-f',
      'lavfi',
      '-t',
      '2',
      '-i',
      'testsrc2=size=320x160:rate=15',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-f',
      'flv',
      `rtmp://127.0.0.1:${t.origin.config.rtmpPort}/live/${'k'.repeat(43)}`,
    ]);
    assert.notEqual(wrong.code, 0, 'publishing with an unknown key fails');
    assert.equal((await channel(ch.id)).status, 'idle');

    const published = await ffmpeg(rtmpTestBroadcastArgs(ch.rtmpUrl, { seconds: 6, size: '320x160' }));
    assert.equal(published.code, 0, published.stderr);
    const { contentId } = await until('the broadcast on air', async () => {
      const c = await channel(ch.id);
      return c.status !== 'idle' && c;
    });
    const payload = (await t.http('GET', `/api/streaming/${contentId}`)).body as { masterUrl: string; live: boolean };
    const master = await text(payload.masterUrl);
    assert.match(master, /320x160\/index\.m3u8/);
    assert.match(master, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/i);
    const live = await text(payload.masterUrl.replace(/master\.m3u8$/, '320x160/recording.m3u8'));
    assert.ok(count(live, '#EXTINF:') >= 2, live);
    assert.equal(count(live, '#EXT-X-PROGRAM-DATE-TIME:'), count(live, '#EXTINF:'));

    await until('the grace period to end the broadcast', async () => (await channel(ch.id)).status === 'ended', 40_000);
    const vod = await text(payload.masterUrl.replace(/master\.m3u8$/, '320x160/index.m3u8'));
    assert.ok(vod.includes('#EXT-X-ENDLIST'));
    const probed = JSON.parse(await runFfprobe(['-of', 'json', '-show_entries', 'stream=codec_type', payload.masterUrl])) as {
      streams: { codec_type: string }[];
    };
    assert.ok(probed.streams.some((s) => s.codec_type === 'video'));
    assert.ok(probed.streams.some((s) => s.codec_type === 'audio'));
  });
});
