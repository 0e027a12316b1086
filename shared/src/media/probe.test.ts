import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { generateEquirectFixture, generateEquirectPhoto } from './fixtures.ts';
import { probeMedia, probeResultSchema } from './probe.ts';

describe('probeMedia', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-probe-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reads duration, streams, codecs, frame rate, audio layout and V2 spherical metadata', async () => {
    const file = path.join(dir, 'mono.mp4');
    await generateEquirectFixture({ out: file, width: 512, seconds: 1, fps: 25 });
    const probe = await probeMedia(file);
    assert.doesNotThrow(() => probeResultSchema.parse(probe));
    assert.equal(probe.video.codec, 'h264');
    assert.equal(probe.video.width, 512);
    assert.equal(probe.video.height, 256);
    assert.equal(probe.video.frameRate, 25);
    assert.ok(Math.abs((probe.durationSeconds ?? 0) - 1) < 0.1, `duration ${probe.durationSeconds}`);
    assert.ok((probe.bitRate ?? 0) > 0);
    assert.equal(probe.audio?.codec, 'aac');
    assert.equal(probe.audio?.channels, 1);
    assert.equal(probe.audio?.channelLayout, 'mono');
    assert.equal(probe.audio?.sampleRate, 48000);
    assert.deepEqual(
      probe.streams.map((s) => s.type),
      ['video', 'audio'],
    );
    assert.equal(probe.isStill, false);
    assert.deepEqual(probe.projection, {
      projection: 'equirectangular-mono',
      inferred: false,
      source: 'metadata',
      spherical: { projection: 'equirectangular', yaw: 0, pitch: 0, roll: 0 },
      stereo: '2D',
    });
  });

  test('reads top-bottom stereo from the st3d box', async () => {
    const file = path.join(dir, 'tb.mp4');
    await generateEquirectFixture({ out: file, width: 256, stereo: 'top-bottom', seconds: 0.5, audio: false });
    const probe = await probeMedia(file);
    assert.equal(probe.projection.projection, 'stereo-top-bottom');
    assert.equal(probe.projection.stereo, 'top and bottom');
    assert.equal(probe.projection.inferred, false);
    assert.equal(probe.audio, null);
  });

  test('without metadata infers the projection from the aspect: 2:1 mono, 1:1 top-bottom', async () => {
    const mono = path.join(dir, 'mono-nometa.mp4');
    const tb = path.join(dir, 'tb-nometa.mp4');
    await generateEquirectFixture({ out: mono, width: 256, seconds: 0.5, spherical: false, audio: false });
    await generateEquirectFixture({ out: tb, width: 256, stereo: 'top-bottom', seconds: 0.5, spherical: false, audio: false });
    const [a, b] = await Promise.all([probeMedia(mono), probeMedia(tb)]);
    assert.deepEqual(a.projection, { projection: 'equirectangular-mono', inferred: true, source: 'aspect', spherical: null, stereo: null });
    assert.equal(b.projection.projection, 'stereo-top-bottom');
    assert.equal(b.projection.inferred, true);
  });

  test('a 16:9 clip without metadata has no projection', async () => {
    const file = path.join(dir, 'flat.mp4');
    await runFfmpeg({ args: ['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=0.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-y', file] });
    const probe = await probeMedia(file);
    assert.equal(probe.projection.projection, null);
    assert.equal(probe.projection.source, 'none');
  });

  test('an equirectangular JPEG is a still', async () => {
    const file = path.join(dir, 'photo.jpg');
    await generateEquirectPhoto({ out: file, width: 512 });
    const probe = await probeMedia(file);
    assert.equal(probe.isStill, true);
    assert.equal(probe.durationSeconds, null);
    assert.equal(probe.projection.projection, 'equirectangular-mono');
  });

  test('missing files and non-media files are input errors with a useful message', async () => {
    await assert.rejects(probeMedia(path.join(dir, 'nope.mp4')), (e: unknown) => e instanceof MediaError && e.code === 'INPUT_NOT_FOUND');
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, 'this is not a video');
    await assert.rejects(probeMedia(junk), (e: unknown) => e instanceof MediaError && e.code === 'INPUT_UNREADABLE' && e.message.includes(junk));
  });
});
