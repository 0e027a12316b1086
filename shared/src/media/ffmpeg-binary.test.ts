import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { resolveFfmpeg, resolveFfprobe } from './ffmpeg-binary.ts';

describe('resolveFfmpeg / resolveFfprobe', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-bin-'));
    for (const name of ['ffmpeg', 'ffprobe']) {
      await writeFile(path.join(dir, name), '#!/bin/sh\nexit 0\n');
      await chmod(path.join(dir, name), 0o755);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('FFMPEG_PATH and FFPROBE_PATH win over PATH', () => {
    const env = { PATH: '/usr/bin', FFMPEG_PATH: path.join(dir, 'ffmpeg'), FFPROBE_PATH: path.join(dir, 'ffprobe') };
    assert.deepEqual(resolveFfmpeg(env), { path: path.join(dir, 'ffmpeg'), source: 'env' });
    assert.deepEqual(resolveFfprobe(env), { path: path.join(dir, 'ffprobe'), source: 'env' });
  });

  test('ffprobe is looked for beside FFMPEG_PATH', () => {
    assert.deepEqual(resolveFfprobe({ PATH: '', FFMPEG_PATH: path.join(dir, 'ffmpeg') }), { path: path.join(dir, 'ffprobe'), source: 'sibling' });
  });

  test('falls back to PATH (ffmpeg-static is not installed here)', () => {
    assert.deepEqual(resolveFfmpeg({ PATH: `/nonexistent${path.delimiter}${dir}` }), { path: path.join(dir, 'ffmpeg'), source: 'path' });
  });

  test('a missing binary is a fatal FFMPEG_NOT_FOUND error that says how to install ffmpeg', () => {
    assert.throws(
      () => resolveFfmpeg({ PATH: '/nonexistent' }),
      (error: unknown) => error instanceof MediaError && error.code === 'FFMPEG_NOT_FOUND' && error.fatal && /apt-get install ffmpeg/.test(error.message),
    );
    assert.throws(
      () => resolveFfprobe({ PATH: '' }),
      (error: unknown) => error instanceof MediaError && error.code === 'FFPROBE_NOT_FOUND',
    );
  });

  test('a FFMPEG_PATH that is not executable is reported, not silently skipped', () => {
    assert.throws(
      () => resolveFfmpeg({ PATH: '/usr/bin', FFMPEG_PATH: path.join(dir, 'missing') }),
      (error: unknown) => error instanceof MediaError && error.code === 'FFMPEG_NOT_FOUND' && error.message.includes('FFMPEG_PATH'),
    );
  });
});
