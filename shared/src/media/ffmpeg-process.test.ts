import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { runFfmpeg, type FfmpegProgress } from './ffmpeg-process.ts';

describe('runFfmpeg', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-proc-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reports progress from -progress with percent, fps and ETA, ending at 100%', async () => {
    const events: FfmpegProgress[] = [];
    await runFfmpeg({
      args: ['-f', 'lavfi', '-i', 'testsrc2=s=320x160:r=30:d=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-y', path.join(dir, 'p.mp4')],
      durationSeconds: 3,
      onProgress: (p) => events.push(p),
    });
    assert.ok(events.length >= 1);
    const last = events.at(-1)!;
    assert.equal(last.percent, 100);
    assert.equal(last.etaSeconds, 0);
    assert.ok(last.frame >= 89, `frame ${last.frame}`);
    assert.ok(events.every((e) => e.percent !== null && e.percent >= 0 && e.percent <= 100));
  });

  test('collects raw frames from stdout', async () => {
    const { stdout } = await runFfmpeg({
      args: ['-f', 'lavfi', '-i', 'color=c=red:s=4x2:r=1:d=2', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      collectStdout: true,
    });
    assert.equal(stdout.length, 4 * 2 * 3 * 2);
    assert.ok(stdout[0]! > 240 && stdout[1]! < 20 && stdout[2]! < 20, 'red pixels');
  });

  test('a failing ffmpeg rejects with FFMPEG_FAILED, a telling message and the stderr tail', async () => {
    await assert.rejects(
      runFfmpeg({ args: ['-i', path.join(dir, 'does-not-exist.mp4'), '-f', 'null', '-'] }),
      (error: unknown) =>
        error instanceof MediaError &&
        error.code === 'FFMPEG_FAILED' &&
        /No such file or directory/.test(error.message) &&
        (error.stderrTail ?? '').includes('does-not-exist.mp4'),
    );
  });

  test('aborting kills ffmpeg and rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = runFfmpeg({
      args: ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=320x160:r=30:d=60', '-f', 'null', '-'],
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(run, (error: unknown) => error instanceof MediaError && error.code === 'CANCELLED');
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('partial')),
      [],
    );
  });

  test('an already aborted signal does not start ffmpeg', async () => {
    await assert.rejects(
      runFfmpeg({ args: ['-version'], signal: AbortSignal.abort() }),
      (error: unknown) => error instanceof MediaError && error.code === 'CANCELLED',
    );
  });
});
