// A small real HLS ladder made with the media engine: an equirectangular test clip, two rungs, 1 s segments.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';

/** `width`: the source's and the top rung's width (the poster is as wide as the top rung). */
export async function makeTestLadder(workDir: string, seconds = 24, width = 512): Promise<{ dir: string; seconds: number }> {
  await mkdir(workDir, { recursive: true });
  const source = path.join(workDir, 'source.mp4');
  await generateEquirectFixture({ out: source, seconds, width, fps: 24, audio: true });
  const dir = path.join(workDir, 'ladder');
  await transcodeLadder({
    input: source,
    out: dir,
    segmentSeconds: 1,
    rungs: [
      { name: String(width), width, height: width / 2, videoBitrateKbps: 500 },
      { name: '256', width: 256, height: 128, videoBitrateKbps: 200 },
    ],
  });
  return { dir, seconds };
}
