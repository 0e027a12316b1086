// The real ladder for the offload bench: a generated 3840x1920 equirectangular clip through the media
// engine with the ladder the studio plans for it (planLadder's default: 3840x1920, 2560x1280,
// 1920x960, 1280x640 at 30 fps, 4 s segments). Encoding 4K takes minutes on a small machine, so the
// ladder is kept in os.tmpdir() under a key made of the options, and a re-run with the same options
// skips the transcode.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';

export type RealLadderOptions = {
  /** Source width (height is half: mono equirectangular). @default 3840 */
  width?: number;
  seconds: number;
  /** @default 30 */
  fps?: number;
  /** x264/x265 preset of the ladder. The bit rates are the plan's either way (rate control); a faster preset only costs picture quality. @default 'ultrafast' */
  preset?: string;
  log?: (line: string) => void;
};

export type RealLadder = { dir: string; cached: boolean; key: string };

/** The cache key: every option that changes the bytes of the ladder, and a version for the recipe itself. */
export function ladderCacheKey(options: RealLadderOptions): string {
  const recipe = { v: 1, width: options.width ?? 3840, seconds: options.seconds, fps: options.fps ?? 30, preset: options.preset ?? 'ultrafast' };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export async function realLadder(options: RealLadderOptions): Promise<RealLadder> {
  const log = options.log ?? (() => undefined);
  const key = ladderCacheKey(options);
  const dir = path.join(os.tmpdir(), `spherecast-offload-ladder-${key}`);
  // master.m3u8 is written last by the engine's staged output, and the folder is renamed into place whole.
  if (await exists(path.join(dir, 'master.m3u8'))) return { dir, cached: true, key };
  const work = `${dir}.tmp-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const width = options.width ?? 3840;
    const source = path.join(work, 'source.mp4');
    log(`generating a ${options.seconds} s ${width}x${width / 2} source`);
    await generateEquirectFixture({ out: source, seconds: options.seconds, width, fps: options.fps ?? 30, audio: true });
    log('transcoding the planned ladder (cached afterwards)');
    let last = -10;
    await transcodeLadder({
      input: source,
      out: path.join(work, 'ladder'),
      preset: options.preset ?? 'ultrafast',
      onProgress: (p) => {
        if (p.percent - last >= 10) {
          last = p.percent;
          log(`  transcode ${Math.round(p.percent)}% (${p.fps.toFixed(1)} fps)`);
        }
      },
    });
    await rm(dir, { recursive: true, force: true });
    await rename(path.join(work, 'ladder'), dir);
    return { dir, cached: false, key };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The rungs of a ladder folder as its master playlist lists them (name = folder, bandwidth in bit/s). */
export async function ladderRungs(dir: string): Promise<{ name: string; bandwidth: number; resolution: string }[]> {
  const master = await readFile(path.join(dir, 'master.m3u8'), 'utf8');
  const lines = master.split('\n');
  const rungs: { name: string; bandwidth: number; resolution: string }[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0);
    const resolution = /RESOLUTION=(\d+x\d+)/.exec(line)?.[1] ?? '?';
    const uri = lines[i + 1]?.trim() ?? '';
    rungs.push({ name: uri.split('/')[0] ?? uri, bandwidth, resolution });
  });
  return rungs;
}
