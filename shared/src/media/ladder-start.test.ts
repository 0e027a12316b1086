// The first segment of a ladder starts its picture and its sound together, as ffprobe reads it and as
// stock hls.js plays it in Chromium (whose MSE ignores empty edits, so a delay hidden in one used to
// open a hole hls.js had to seek over); and stock hls.js accepts the master's EXT-X-VERSION.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../testing/chromium.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { generateEquirectFixture } from './fixtures.ts';
import { parseMasterPlaylist } from './hls-playlist.ts';
import { trackStart } from './ladder-start.ts';
import { playWithStockHls } from './stock-hls.ts';
import { transcodeLadder } from './transcode-job.ts';
import type { TranscodeResult } from './transcode-job.ts';

describe('ladder start: video and audio begin together', () => {
  let dir: string;
  let browser: Browser;
  const ladders: Record<string, TranscodeResult> = {};

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-start-'));
    // Like the demo: the engine's own fixture (x264 with B-frames, AAC 48 kHz mono).
    const demo = path.join(dir, 'demo.mp4');
    await generateEquirectFixture({ out: demo, width: 512, seconds: 2, fps: 30 });
    // Like a camera or editor export: 29.97 fps, 3 B-frames in a pyramid, stereo AAC at 44.1 kHz, a
    // .mov without spherical metadata.
    const user = path.join(dir, 'user.mov');
    await runFfmpeg({
      args: [
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=512x256:r=30000/1001:d=2',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=330:sample_rate=44100:duration=2',
        '-map',
        '0:v',
        '-map',
        '1:a',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-bf',
        '3',
        '-x264-params',
        'b-pyramid=normal',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-ac',
        '2',
        '-b:a',
        '128k',
        user,
      ],
    });
    for (const [name, input] of [
      ['demo', demo],
      ['user', user],
    ] as const) {
      ladders[name] = await transcodeLadder({
        input,
        out: path.join(dir, name),
        segmentSeconds: 1,
        projection: 'equirectangular-mono',
        rungs: [{ name: 'lo', width: 512, height: 256, videoBitrateKbps: 600 }],
      });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const name of ['demo', 'user'] as const) {
    test(`${name}: ffprobe sees the first picture and the first audio frame start within one audio frame, with no empty edit`, async () => {
      const ladder = ladders[name]!;
      const out = ladder.outDir;
      const variant = ladder.variants[0]!;
      const audioPlaylist = ladder.audio!.playlist;
      const video = await trackStart(path.join(out, variant.init), path.join(out, variant.segments[0]!));
      const audioDir = path.dirname(audioPlaylist);
      const audioInit = (await readFile(path.join(out, audioPlaylist), 'utf8')).match(/URI="([^"]+)"/)![1]!;
      const audio = await trackStart(path.join(out, audioDir, audioInit), path.join(out, audioDir, 'segment-00000.m4s'));
      // An AAC frame is 1024 samples; the first one is the encoder's priming, so the sound proper
      // begins one frame after the first audio packet: that is the tolerance, and the only offset.
      assert.ok(audio.frameSeconds > 0 && audio.frameSeconds < 0.03, `audio frame ${audio.frameSeconds}`);
      const tolerance = audio.frameSeconds + 1e-3;
      assert.ok(Math.abs(video.firstPts - audio.firstPts) <= tolerance, `first pts: video ${video.firstPts}, audio ${audio.firstPts}`);
      assert.ok(Math.abs(video.startTime - audio.startTime) <= tolerance, `start_time: video ${video.startTime}, audio ${audio.startTime}`);
      assert.ok(video.firstPts >= audio.firstPts - 1e-3, 'the picture never starts before the sound');
      // Browsers' MSE ignores empty edits (media_time −1): a start delay kept in one is a delay only ffprobe sees.
      for (const [track, start] of [
        ['video', video],
        ['audio', audio],
      ] as const) {
        assert.deepEqual(
          start.edits.filter((e) => e.mediaTime === -1),
          [],
          `${track} init segment has an empty edit`,
        );
      }
    });
  }

  test('stock hls.js in Chromium plays both ladders (EXT-X-VERSION 12 master) with its audio and video buffers starting together and no hole to seek over', async () => {
    for (const name of ['demo', 'user'] as const) {
      const ladder = ladders[name]!;
      const master = parseMasterPlaylist(await readFile(path.join(ladder.outDir, ladder.master), 'utf8'));
      assert.equal(master.version, 12, 'REQ-VIDEO-LAYOUT needs version 12');
      const report = await playWithStockHls(browser, ladder.outDir, ladder.master, 1.2);
      assert.equal(report.levels, 1, `${name}: hls.js parsed the master`);
      assert.ok(report.currentTime > 1.2, `${name}: playing (currentTime ${report.currentTime})`);
      assert.deepEqual(report.errors, [], `${name}: hls.js errors`);
      const starts = report.bufferStarts.map((b) => b.start);
      assert.equal(starts.length, 2, `${name}: an audio and a video SourceBuffer`);
      assert.ok(
        starts.every((s) => s !== null && Math.abs(s - starts[0]!) < 0.001),
        `${name}: buffer starts ${JSON.stringify(report.bufferStarts)}`,
      );
    }
  });
});
