// A small real HLS ladder made with the media engine: an equirectangular test clip, two rungs, 1 s segments.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';

export async function makeTestLadder(workDir: string, seconds = 24): Promise<{ dir: string; seconds: number }> {
  await mkdir(workDir, { recursive: true });
  const source = path.join(workDir, 'source.mp4');
  await generateEquirectFixture({ out: source, seconds, width: 512, fps: 24, audio: true });
  const dir = path.join(workDir, 'ladder');
  await transcodeLadder({
    input: source,
    out: dir,
    segmentSeconds: 1,
    rungs: [
      { name: '512', width: 512, height: 256, videoBitrateKbps: 500 },
      { name: '256', width: 256, height: 128, videoBitrateKbps: 200 },
    ],
  });
  return { dir, seconds };
}
