import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFfmpeg, runFfprobe } from './ffmpeg-process.ts';
import { buildSphericalBoxes, injectSphericalMetadata, listTracks, parseBoxes } from './mp4-boxes.ts';

async function sideData(file: string): Promise<unknown> {
  const json = JSON.parse(await runFfprobe(['-show_streams', '-select_streams', 'v:0', '-of', 'json', file])) as {
    streams: { side_data_list?: unknown }[];
  };
  return json.streams[0]?.side_data_list;
}

describe('MP4 spherical box injection', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-mp4-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('builds st3d and sv3d(svhd, proj(prhd, equi)) per the spatial-media V2 spec', () => {
    const bytes = buildSphericalBoxes('stereo-top-bottom');
    const boxes = parseBoxes(bytes);
    assert.deepEqual(
      boxes.map((b) => b.type),
      ['st3d', 'sv3d'],
    );
    assert.equal(bytes[boxes[0]!.contentStart + 4], 1, 'stereo_mode 1 = top-bottom');
    assert.deepEqual(
      boxes[1]!.children.map((b) => b.type),
      ['svhd', 'proj'],
    );
    assert.deepEqual(
      boxes[1]!.children[1]!.children.map((b) => [b.type, b.size]),
      [
        ['prhd', 24],
        ['equi', 28],
      ],
    );
  });

  for (const faststart of [false, true]) {
    test(`ffprobe reads the injected metadata and the file still decodes (${faststart ? 'moov before mdat' : 'moov at the end'})`, async () => {
      const file = path.join(dir, `in-${faststart}.mp4`);
      await runFfmpeg({
        args: [
          '-f',
          'lavfi',
          '-i',
          'testsrc2=s=256x128:r=30:d=1',
          '-f',
          'lavfi',
          '-i',
          'sine=d=1',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-c:a',
          'aac',
          ...(faststart ? ['-movflags', '+faststart'] : []),
          '-y',
          file,
        ],
      });
      const out = path.join(dir, `out-${faststart}.mp4`);
      const injected = injectSphericalMetadata(await readFile(file), 'equirectangular-mono');
      await writeFile(out, injected);
      assert.deepEqual(await sideData(out), [
        { side_data_type: 'Stereo 3D', type: '2D', inverted: 0 },
        { side_data_type: 'Spherical Mapping', projection: 'equirectangular', yaw: 0, pitch: 0, roll: 0 },
      ]);
      // Chunk offsets were shifted: every frame and audio packet decodes bit-exactly as before.
      const hash = async (f: string) =>
        (await runFfmpeg({ args: ['-i', f, '-f', 'framemd5', '-'], collectStdout: true })).stdout.toString().replace(/^#.*\n/gm, '');
      assert.equal(await hash(out), await hash(file));

      // Injecting again replaces the boxes instead of stacking them.
      const twice = injectSphericalMetadata(injected, 'stereo-top-bottom');
      assert.equal(twice.length, injected.length);
      const entry = listTracks(twice).find((t) => t.handler === 'vide')!.sampleEntry!;
      assert.deepEqual(
        entry.children.map((c) => c.type).filter((t) => t === 'st3d' || t === 'sv3d'),
        ['st3d', 'sv3d'],
      );
    });
  }
});
