import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { generateEquirectFixture, generateEquirectPhoto } from './fixtures.ts';
import { listTracks, parseBoxes } from './mp4-boxes.ts';
import { probeMedia, probeResultSchema } from './probe.ts';

/** Appends a spatial-media V1 `uuid` box (GSpherical XML) to the video trak of an MP4 whose moov is last. */
function withV1Xml(mp4: Buffer, stereoMode: 'mono' | 'top-bottom'): Buffer {
  const xml = Buffer.from(
    '<?xml version="1.0"?><rdf:SphericalVideo xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:GSpherical="http://ns.google.com/videos/1.0/spherical/">' +
      '<GSpherical:Spherical>true</GSpherical:Spherical><GSpherical:Stitched>true</GSpherical:Stitched>' +
      '<GSpherical:StitchingSoftware>Spherecast test</GSpherical:StitchingSoftware><GSpherical:ProjectionType>equirectangular</GSpherical:ProjectionType>' +
      `<GSpherical:StereoMode>${stereoMode}</GSpherical:StereoMode></rdf:SphericalVideo>`,
  );
  const uuid = Buffer.alloc(8 + 16 + xml.length);
  uuid.writeUInt32BE(uuid.length, 0);
  uuid.write('uuid', 4, 'latin1');
  Buffer.from('ffcc8263f8554a938814587a02521fdd', 'hex').copy(uuid, 8);
  xml.copy(uuid, 24);
  const boxes = parseBoxes(mp4);
  const moov = boxes.find((b) => b.type === 'moov')!;
  assert.equal(moov.start + moov.size, mp4.length, 'moov must be last so no chunk offset moves');
  const trak = listTracks(mp4, boxes).find((t) => t.handler === 'vide')!.trak;
  const end = trak.start + trak.size;
  const out = Buffer.concat([mp4.subarray(0, end), uuid, mp4.subarray(end)]);
  out.writeUInt32BE(trak.size + uuid.length, trak.start);
  out.writeUInt32BE(moov.size + uuid.length, moov.start);
  return out;
}

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

  test('reads spatial-media V1 XML (uuid box) as well', async () => {
    const plain = path.join(dir, 'v1-plain.mp4');
    await generateEquirectFixture({ out: plain, width: 256, stereo: 'top-bottom', seconds: 0.5, spherical: false, audio: false });
    const v1 = path.join(dir, 'v1.mp4');
    await writeFile(v1, withV1Xml(await readFile(plain), 'top-bottom'));
    const probe = await probeMedia(v1);
    assert.equal(probe.projection.source, 'metadata');
    assert.equal(probe.projection.inferred, false);
    assert.equal(probe.projection.spherical?.projection, 'equirectangular');
    assert.equal(probe.projection.projection, 'stereo-top-bottom');
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
