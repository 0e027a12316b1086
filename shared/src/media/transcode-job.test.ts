import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { runFfprobe } from './ffmpeg-process.ts';
import { generateEquirectFixture } from './fixtures.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from './hls-playlist.ts';
import { trackStart } from './ladder-start.ts';
import { TranscodeJob, type TranscodeProgress, type TranscodeResult } from './transcode-job.ts';

interface FfprobeStream {
  codec_name: string;
  codec_tag_string: string;
  profile?: string;
  level?: number;
  width: number;
  height: number;
  side_data_list?: { side_data_type: string; projection?: string; type?: string }[];
}

async function probeStreams(file: string): Promise<FfprobeStream[]> {
  return (JSON.parse(await runFfprobe(['-show_streams', '-of', 'json', file])) as { streams: FfprobeStream[] }).streams;
}

/** pts (in seconds) and key flag of every video packet of init + one segment. */
async function packetsOf(init: string, segment: string, scratch: string): Promise<{ pts: number; key: boolean }[]> {
  const joined = path.join(scratch, `${path.basename(path.dirname(segment))}-${path.basename(segment)}.mp4`);
  await writeFile(joined, Buffer.concat([await readFile(init), await readFile(segment)]));
  const json = JSON.parse(await runFfprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'json', joined])) as {
    packets: { pts_time: string; flags: string }[];
  };
  return json.packets.map((p) => ({ pts: Number(p.pts_time), key: p.flags.startsWith('K') })).sort((a, b) => a.pts - b.pts);
}

describe('TranscodeJob', () => {
  let dir: string;
  let source: string;
  let result: TranscodeResult;
  const progress: TranscodeProgress[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ladder-'));
    source = path.join(dir, 'source.mp4');
    await generateEquirectFixture({ out: source, width: 1024, height: 512, seconds: 3, fps: 30 });
    const job = new TranscodeJob({
      input: source,
      out: path.join(dir, 'out'),
      segmentSeconds: 1,
      mp4: true,
      // Two rungs, one of them HEVC, small enough for a quick test.
      rungs: [
        { name: 'hi', width: 1024, height: 512, videoBitrateKbps: 1500, codec: 'hevc' },
        { name: 'lo', width: 512, height: 256, videoBitrateKbps: 500 },
      ],
    });
    job.on('progress', (p) => progress.push(p));
    result = await job.start();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reports typed progress from 0 to 100 with encode fps/speed', () => {
    assert.equal(progress[0]?.phase, 'probe');
    assert.equal(progress.at(-1)?.percent, 100);
    assert.ok(progress.some((p) => p.phase === 'encode' && p.speed > 0));
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.percent >= progress[i - 1]!.percent, 'percent never goes back');
  });

  test('writes OUT/master.m3u8 and every file it references inside OUT', async () => {
    const out = path.join(dir, 'out');
    const master = parseMasterPlaylist(await readFile(path.join(out, 'master.m3u8'), 'utf8'));
    const referenced = new Set<string>();
    for (const uri of [...master.variants.map((v) => v.uri), ...master.media.map((m) => m.URI!)]) {
      referenced.add(uri);
      const media = parseMediaPlaylist(await readFile(path.join(out, uri), 'utf8'));
      const base = path.posix.dirname(uri);
      referenced.add(path.posix.join(base, media.initUri!));
      for (const s of media.segments) referenced.add(path.posix.join(base, s.uri));
    }
    for (const rel of referenced) assert.ok((await stat(path.join(out, rel))).size > 0, rel);
    assert.ok([...referenced].every((rel) => !rel.startsWith('..') && !path.isAbsolute(rel)));
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.includes('partial')),
      [],
      'no temp folder left',
    );
  });

  test('each rung reads back with the planned resolution, codec and tag', async () => {
    const out = path.join(dir, 'out');
    const expected = { hi: ['hevc', 'hvc1', 1024, 512], lo: ['h264', 'avc1', 512, 256] } as const;
    for (const v of result.variants) {
      const [codec, tag, width, height] = expected[v.name as keyof typeof expected];
      const [stream] = await probeStreams(path.join(out, v.init));
      assert.equal(stream?.codec_name, codec);
      assert.equal(stream?.codec_tag_string, tag);
      assert.equal(stream?.width, width);
      assert.equal(stream?.height, height);
    }
  });

  test('keyframes are aligned: every segment of every rung starts with the only keyframe of its GOP, at the same time', async () => {
    const out = path.join(dir, 'out');
    const scratch = path.join(dir, 'scratch');
    await mkdir(scratch, { recursive: true });
    const startsByRung: number[][] = [];
    for (const v of result.variants) {
      assert.equal(v.segments.length, 3, `${v.name}: 3 s at 1 s segments`);
      const starts: number[] = [];
      for (const segment of v.segments) {
        const packets = await packetsOf(path.join(out, v.init), path.join(out, segment), scratch);
        assert.equal(packets.length, result.gopFrames, `${segment} holds one GOP`);
        assert.equal(packets[0]!.key, true, `${segment} starts with a keyframe`);
        assert.equal(packets.filter((p) => p.key).length, 1, `${segment} has no other keyframe`);
        starts.push(packets[0]!.pts);
      }
      startsByRung.push(starts);
    }
    assert.deepEqual(startsByRung[0], startsByRung[1]);
    // Segments start one second apart (the first pts carries the B-frame delay, the same on every rung).
    assert.deepEqual(
      startsByRung[0]!.map((t) => Math.round((t - startsByRung[0]![0]!) * 1000)),
      [0, 1000, 2000],
    );
  });

  test('the master playlist has measured bandwidths, real CODECS, resolution, frame rate, video layout and projection', async () => {
    const out = path.join(dir, 'out');
    const text = await readFile(path.join(out, 'master.m3u8'), 'utf8');
    const master = parseMasterPlaylist(text);
    assert.equal(master.version, 12, 'REQ-VIDEO-LAYOUT needs EXT-X-VERSION 12');
    assert.deepEqual(master.sessionData, [{ 'DATA-ID': 'com.spherecast.projection', VALUE: 'equirectangular-mono' }]);
    assert.equal(master.media[0]?.TYPE, 'AUDIO');
    assert.equal(master.variants.length, 2);
    for (const variant of master.variants) {
      const a = variant.attributes;
      const v = result.variants.find((r) => r.playlist === variant.uri)!;
      assert.equal(a['REQ-VIDEO-LAYOUT'], 'CH-MONO/PROJ-EQUI');
      assert.equal(a.RESOLUTION, `${v.width}x${v.height}`);
      assert.equal(a['FRAME-RATE'], '30.000');
      assert.equal(a.AUDIO, 'audio');
      // CODECS comes from the encoded stream: check it against what ffprobe says of init + first segment.
      const joined = path.join(dir, `${v.name}-first.mp4`);
      await writeFile(joined, Buffer.concat([await readFile(path.join(out, v.init)), await readFile(path.join(out, v.segments[0]!))]));
      const [stream] = await probeStreams(joined);
      const [videoCodec, audioCodec] = a.CODECS!.split(',');
      assert.equal(audioCodec, 'mp4a.40.2');
      if (stream!.codec_name === 'h264') {
        const profileIdc = { High: 100, Main: 77, Baseline: 66 }[stream!.profile as 'High'];
        assert.equal(videoCodec, `avc1.${profileIdc.toString(16).toUpperCase()}00${stream!.level!.toString(16).toUpperCase().padStart(2, '0')}`);
      } else {
        assert.equal(stream!.profile, 'Main');
        // x265 sets progressive_source and frame_only_constraint: constraint byte 0x90.
        assert.match(videoCodec!, new RegExp(`^hvc1\\.1\\.6\\.L${stream!.level}\\.90$`));
      }
      // AVERAGE-BANDWIDTH is total bytes over total duration; BANDWIDTH is the peak, never below it.
      const media = parseMediaPlaylist(await readFile(path.join(out, v.playlist), 'utf8'));
      const audioMedia = parseMediaPlaylist(await readFile(path.join(out, 'audio/index.m3u8'), 'utf8'));
      const rate = async (base: string, segs: typeof media.segments) => {
        let bytes = 0;
        let seconds = 0;
        for (const s of segs) {
          bytes += (await stat(path.join(out, base, s.uri))).size;
          seconds += s.durationSeconds;
        }
        return (bytes * 8) / seconds;
      };
      const average = (await rate(v.name, media.segments)) + (await rate('audio', audioMedia.segments));
      assert.ok(Math.abs(Number(a['AVERAGE-BANDWIDTH']) - average) <= 2, `${a['AVERAGE-BANDWIDTH']} vs ${average}`);
      const firstSegmentRate = ((await stat(path.join(out, v.name, media.segments[0]!.uri))).size * 8) / media.segments[0]!.durationSeconds;
      assert.ok(Number(a.BANDWIDTH) >= firstSegmentRate);
      assert.ok(Number(a.BANDWIDTH) >= Number(a['AVERAGE-BANDWIDTH']));
    }
    assert.ok(text.indexOf('hi/index.m3u8') < text.indexOf('lo/index.m3u8'), 'highest bandwidth first');
  });

  test('every rung (HEVC and H.264) starts its first picture with the sound, with no empty edit', async () => {
    const out = path.join(dir, 'out');
    const audioInit = parseMediaPlaylist(await readFile(path.join(out, 'audio/index.m3u8'), 'utf8'));
    const audio = await trackStart(path.join(out, 'audio', audioInit.initUri!), path.join(out, 'audio', audioInit.segments[0]!.uri));
    assert.deepEqual(
      audio.edits.filter((e) => e.mediaTime === -1),
      [],
    );
    for (const v of result.variants) {
      const video = await trackStart(path.join(out, v.init), path.join(out, v.segments[0]!));
      assert.deepEqual(
        video.edits.filter((e) => e.mediaTime === -1),
        [],
        `${v.name}: empty edit`,
      );
      // Within one AAC frame: the first audio packet is the encoder's priming.
      assert.ok(Math.abs(video.firstPts - audio.firstPts) <= audio.frameSeconds + 1e-3, `${v.name}: video ${video.firstPts}, audio ${audio.firstPts}`);
    }
  });

  test('ffprobe sees the spherical metadata in every init segment and in the MP4 export', async () => {
    const out = path.join(dir, 'out');
    for (const file of [...result.variants.map((v) => v.init), 'download.mp4']) {
      const video = (await probeStreams(path.join(out, file))).find((s) => s.width > 0)!;
      const types = (video.side_data_list ?? []).map((s) => s.side_data_type);
      assert.ok(types.includes('Spherical Mapping'), `${file}: ${types.join(', ')}`);
      assert.equal(video.side_data_list!.find((s) => s.side_data_type === 'Spherical Mapping')!.projection, 'equirectangular');
    }
    const mp4 = JSON.parse(await runFfprobe(['-show_format', '-of', 'json', path.join(out, 'download.mp4')])) as { format: { duration: string } };
    assert.ok(Math.abs(Number(mp4.format.duration) - 3) < 0.2);
  });

  test('writes a poster and a thumbnail sprite with a WebVTT and JSON index', async () => {
    const out = path.join(dir, 'out');
    const [poster] = await probeStreams(path.join(out, 'poster.jpg'));
    assert.equal(poster?.codec_name, 'mjpeg');
    assert.deepEqual([poster?.width, poster?.height], [1024, 512]);
    const index = JSON.parse(await readFile(path.join(out, 'thumbnails.json'), 'utf8')) as {
      cues: { x: number; y: number }[];
      columns: number;
      rows: number;
      width: number;
      height: number;
    };
    assert.equal(index.cues.length, 3);
    const [sprite] = await probeStreams(path.join(out, 'thumbnails.jpg'));
    assert.deepEqual([sprite?.width, sprite?.height], [index.columns * index.width, index.rows * index.height]);
    const vtt = await readFile(path.join(out, 'thumbnails.vtt'), 'utf8');
    assert.match(vtt, /^WEBVTT\n\n00:00:00\.000 --> 00:00:01\.000\nthumbnails\.jpg#xywh=0,0,256,128\n/);
    assert.equal(vtt.match(/-->/g)?.length, 3);
  });

  test('writes poster rungs narrower than the poster, each in WebP and JPEG, smaller than the poster', async () => {
    const out = path.join(dir, 'out');
    const manifest = JSON.parse(await readFile(path.join(out, 'ladder.json'), 'utf8')) as {
      posters: { width: number; height: number; webp: string; jpeg: string }[];
    };
    // The poster is 1024 wide: 320 and 640 are written, 1280 would be an upscale.
    assert.deepEqual(manifest.posters, [
      { width: 320, height: 160, webp: 'poster-320.webp', jpeg: 'poster-320.jpg' },
      { width: 640, height: 320, webp: 'poster-640.webp', jpeg: 'poster-640.jpg' },
    ]);
    const posterBytes = (await stat(path.join(out, 'poster.jpg'))).size;
    for (const rung of manifest.posters) {
      const [webp] = await probeStreams(path.join(out, rung.webp));
      const [jpeg] = await probeStreams(path.join(out, rung.jpeg));
      assert.equal(webp?.codec_name, 'webp');
      assert.equal(jpeg?.codec_name, 'mjpeg');
      assert.deepEqual([webp?.width, webp?.height, jpeg?.width, jpeg?.height], [rung.width, rung.height, rung.width, rung.height]);
      assert.ok((await stat(path.join(out, rung.webp))).size < (await stat(path.join(out, rung.jpeg))).size * 1.05, `${rung.webp} not larger than its JPEG`);
      assert.ok((await stat(path.join(out, rung.jpeg))).size < posterBytes);
    }
  });

  test('top-bottom stereo: CH-STEREO layout, 1:1 rungs and st3d top-bottom in the init segment', async () => {
    const tb = path.join(dir, 'tb.mp4');
    await generateEquirectFixture({ out: tb, width: 256, stereo: 'top-bottom', seconds: 1, audio: false });
    const stereo = await new TranscodeJob({ input: tb, out: path.join(dir, 'tb-out'), segmentSeconds: 1 }).start();
    assert.equal(stereo.projection, 'stereo-top-bottom');
    assert.deepEqual(
      stereo.variants.map((v) => [v.width, v.height]),
      [[256, 256]],
    );
    const text = await readFile(path.join(dir, 'tb-out', 'master.m3u8'), 'utf8');
    assert.match(text, /REQ-VIDEO-LAYOUT="CH-STEREO\/PROJ-EQUI"/);
    assert.match(text, /VALUE="stereo-top-bottom"/);
    assert.doesNotMatch(text, /AUDIO=|mp4a/);
    const [stream] = await probeStreams(path.join(dir, 'tb-out', stereo.variants[0]!.init));
    assert.equal(stream?.side_data_list?.find((s) => s.side_data_type === 'Stereo 3D')?.type, 'top and bottom');
  });

  test('cancelling leaves nothing behind: no OUT, no temp folder', async () => {
    const out = path.join(dir, 'cancelled');
    const job = new TranscodeJob({
      input: source,
      out,
      segmentSeconds: 1,
      preset: 'slow',
      rungs: [{ name: 'a', width: 1024, height: 512, videoBitrateKbps: 2000, codec: 'hevc' }],
    });
    const failed: MediaError[] = [];
    job.on('failed', (e) => failed.push(e));
    // Cancel once ffmpeg is producing output, so the kill of a running ffmpeg is what is tested.
    job.on('progress', (p) => {
      if (p.phase === 'encode' && p.percent > 0) job.cancel();
    });
    await assert.rejects(job.start(), (e: unknown) => e instanceof MediaError && e.code === 'CANCELLED');
    assert.equal(failed[0]?.code, 'CANCELLED');
    await assert.rejects(stat(out), { code: 'ENOENT' });
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('.cancelled')),
      [],
    );
  });

  test('a failing ffmpeg leaves nothing behind and reports a fatal error; a non-empty OUT is refused up front', async () => {
    const broken = path.join(dir, 'broken.mp4');
    const bytes = await readFile(source);
    await writeFile(broken, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const out = path.join(dir, 'broken-out');
    await assert.rejects(new TranscodeJob({ input: broken, out }).start(), (e: unknown) => e instanceof MediaError && e.fatal);
    await assert.rejects(stat(out), { code: 'ENOENT' });
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('.broken-out')),
      [],
    );

    await assert.rejects(
      new TranscodeJob({ input: source, out: path.join(dir, 'out') }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'OUTPUT_EXISTS',
    );
  });
});
