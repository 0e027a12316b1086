import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFfprobe } from './ffmpeg-process.ts';
import { generateEquirectPhoto } from './fixtures.ts';
import { transcodePhoto } from './photo.ts';

describe('transcodePhoto', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-photo-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('an equirectangular still becomes JPEG rungs (never upscaled), a preview and photo.json', async () => {
    const input = path.join(dir, 'pano.jpg');
    await generateEquirectPhoto({ out: input, width: 3000, height: 1500 });
    const result = await transcodePhoto({ input, out: path.join(dir, 'out'), widths: [4096, 2048, 1024] });
    assert.equal(result.projection, 'equirectangular-mono');
    assert.deepEqual(
      result.rungs.map((r) => [r.path, r.width, r.height]),
      [
        ['photo-2048x1024.jpg', 2048, 1024],
        ['photo-1024x512.jpg', 1024, 512],
      ],
    );
    assert.equal(result.master, 'photo-2048x1024.jpg');
    assert.deepEqual(result.files, ['photo-1024x512.jpg', 'photo-2048x1024.jpg', 'photo.json', 'preview.jpg']);
    for (const [file, w, h] of [
      ['photo-2048x1024.jpg', 2048, 1024],
      ['preview.jpg', 1024, 512],
    ] as const) {
      const { streams } = JSON.parse(await runFfprobe(['-show_streams', '-of', 'json', path.join(dir, 'out', file)])) as {
        streams: { codec_name: string; width: number; height: number }[];
      };
      assert.deepEqual([streams[0]?.codec_name, streams[0]?.width, streams[0]?.height], ['mjpeg', w, h]);
    }
    const index = JSON.parse(await readFile(path.join(dir, 'out', 'photo.json'), 'utf8')) as { kind: string; master: string };
    assert.equal(index.kind, 'photo');
  });
});
