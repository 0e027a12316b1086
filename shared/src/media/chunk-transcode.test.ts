import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { planChunks, probeKeyframes, type ChunkPlan } from './chunk-plan.ts';
import { transcodeInChunks } from './chunk-join.ts';
import { runFfmpeg, runFfprobe } from './ffmpeg-process.ts';
import { parseMediaPlaylist } from './hls-playlist.ts';
import type { TranscodeResult } from './transcode-job.ts';

const FPS = 25;
const SECONDS = 7;
const RUNGS = [
  { name: 'top', width: 384, height: 192, videoBitrateKbps: 600 },
  { name: 'low', width: 256, height: 128, videoBitrateKbps: 300 },
];

interface Packet {
  pts: number;
  dts: number;
  duration: number;
}

/** Every video packet of a whole rung (its init and all its segments, read as one file), in file order. */
async function rungPackets(ladder: string, rung: string, scratch: string): Promise<{ packets: Packet[]; timeBase: number }> {
  const dir = path.join(ladder, rung);
  const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'));
  const parts = [playlist.initUri!, ...playlist.segments.map((s) => s.uri)];
  const whole = path.join(scratch, `${rung}-whole.mp4`);
  await writeFile(whole, Buffer.concat(await Promise.all(parts.map((p) => readFile(path.join(dir, p))))));
  const json = JSON.parse(await runFfprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts,dts,duration:stream=time_base', '-of', 'json', whole])) as {
    packets: { pts: number; dts: number; duration: number }[];
    streams: { time_base: string }[];
  };
  const [num, den] = json.streams[0]!.time_base.split('/').map(Number);
  return { packets: json.packets, timeBase: num! / den! };
}

/** Per-frame PSNR of a rung against the source scaled to its size (frame n against frame n). */
async function framePsnr(ladder: string, rung: (typeof RUNGS)[number], source: string): Promise<number[]> {
  const { stderr } = await runFfmpeg({
    args: [
      '-i',
      path.join(ladder, rung.name, 'index.m3u8'),
      '-i',
      source,
      '-lavfi',
      `[1:v]scale=${rung.width}:${rung.height}:flags=bicubic[ref];[0:v][ref]psnr=stats_file=-`,
      '-f',
      'null',
      '-',
    ],
    collectStdout: true,
  }).then((r) => ({ stderr: r.stdout.toString('utf8') }));
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('n:'))
    .map((line) => Number(/psnr_avg:([0-9.]+|inf)/.exec(line)?.[1]?.replace('inf', '100')));
}

describe('chunked transcode (map-reduce): cut at keyframes, transcoded apart, joined', () => {
  let dir: string;
  let source: string;
  let result: TranscodeResult & { chunks: ChunkPlan };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-chunks-'));
    source = path.join(dir, 'moving.mp4');
    // A picture whose every pixel changes colour every frame, a keyframe every second, and a tone.
    await runFfmpeg({
      args: [
        '-f',
        'lavfi',
        '-i',
        // The hue turns 72° a frame: a frame shown one place off scores about 10 dB against the source.
        `testsrc2=size=512x256:rate=${FPS}:duration=${SECONDS},hue=H=2*PI*t*5:s=2`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:duration=${SECONDS}`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        String(FPS),
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        source,
      ],
    });
    result = await transcodeInChunks({
      input: source,
      out: path.join(dir, 'ladder'),
      chunkSeconds: 2,
      rungs: RUNGS,
      projection: 'equirectangular-mono',
      segmentSeconds: 1,
      preset: 'ultrafast',
      concurrency: 2,
    });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('chunks start at the source keyframes, cover every frame once, and are about CHUNK_SECONDS long', async () => {
    const keyframes = await probeKeyframes(source);
    const keyFrameNumbers = new Set(keyframes.keyframeSeconds.map((s) => Math.round((s - keyframes.firstFrameSeconds) * FPS)));
    const { chunks } = result.chunks;
    assert.ok(chunks.length >= 3, `a 7 s source in 2 s chunks is cut at least 3 times (got ${chunks.length})`);
    let next = 0;
    for (const chunk of chunks) {
      assert.equal(chunk.startFrame, next, `chunk ${chunk.index} starts where the one before ended`);
      assert.ok(keyFrameNumbers.has(chunk.startFrame), `chunk ${chunk.index} starts at a keyframe (frame ${chunk.startFrame})`);
      next += chunk.frames;
    }
    assert.equal(next, SECONDS * FPS, 'the chunks hold every frame of the source');
    assert.deepEqual(planChunks(keyframes, FPS, 100).chunks.length, 1, 'a source shorter than a chunk is one chunk');
  });

  test('each joined rung is continuous: pts strictly increasing by one frame, dts increasing, as many frames as the source', async () => {
    for (const rung of RUNGS) {
      const { packets, timeBase } = await rungPackets(result.outDir, rung.name, dir);
      assert.equal(packets.length, SECONDS * FPS, `${rung.name} has every source frame once`);
      for (let i = 1; i < packets.length; i++) {
        assert.ok(packets[i]!.dts > packets[i - 1]!.dts, `${rung.name}: dts increases at packet ${i}`);
      }
      const pts = packets.map((p) => p.pts).sort((a, b) => a - b);
      const frame = Math.round(1 / FPS / timeBase);
      for (let i = 1; i < pts.length; i++) {
        assert.equal(pts[i]! - pts[i - 1]!, frame, `${rung.name}: no gap or repeated frame at ${(pts[i]! * timeBase).toFixed(3)} s`);
      }
    }
  });

  test('frame n of the joined ladder is frame n of the source, also at the joins (no frame shifted, lost or doubled)', async () => {
    const psnr = await framePsnr(result.outDir, RUNGS[1]!, source);
    assert.equal(psnr.length, SECONDS * FPS);
    const worst = Math.min(...psnr);
    const worstAt = psnr.indexOf(worst);
    // A frame one place off scores about 10 dB; the encode itself about 30 dB or more.
    assert.ok(worst > 22, `frame ${worstAt} matches the source at only ${worst} dB`);
  });

  test('the ladder is complete: master, audio, poster, thumbnails, segments of one GOP', async () => {
    assert.deepEqual(
      result.variants.map((v) => v.name),
      ['top', 'low'],
    );
    assert.ok(result.audio, 'the audio is in the ladder');
    for (const name of ['master.m3u8', 'poster.jpg', 'thumbnails.jpg', 'ladder.json', 'audio/index.m3u8']) {
      assert.ok(result.files.includes(name), `${name} is written`);
    }
    const playlist = parseMediaPlaylist(await readFile(path.join(result.outDir, 'top', 'index.m3u8'), 'utf8'));
    const total = playlist.segments.reduce((n, s) => n + s.durationSeconds, 0);
    assert.ok(Math.abs(total - SECONDS) < 0.01, `the playlist lasts the source's ${SECONDS} s (got ${total})`);
    assert.ok(
      playlist.segments.every((s) => Math.abs(s.durationSeconds - 1) < 0.01),
      'chunks that start on the GOP grid keep every segment one GOP',
    );
  });
});
