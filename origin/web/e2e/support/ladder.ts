// A small real HLS ladder made with the media engine: an equirectangular test clip, two rungs, 1 s segments.
// Many e2e files ask for the same ladder: the first one made in a run is kept in the system's temp
// folder, keyed by its options and by the media engine's source, and copied for the others (the
// CI machine has two cores, and each ladder is a clip generation plus a transcode).
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';

const MEDIA_ENGINE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/src/media');
const CACHE = path.join(os.tmpdir(), 'spherecast-test-ladders');

/** A digest of the media engine's code: a change to how clips or ladders are made makes new ones. */
async function mediaEngineDigest(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(MEDIA_ENGINE)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).sort();
  for (const name of files) hash.update(name).update(await readFile(path.join(MEDIA_ENGINE, name)));
  return hash.digest('hex').slice(0, 16);
}

async function makeLadder(workDir: string, seconds: number, width: number): Promise<string> {
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
  return dir;
}

/** `width`: the source's and the top rung's width (the poster is as wide as the top rung). */
export async function makeTestLadder(workDir: string, seconds = 24, width = 512): Promise<{ dir: string; seconds: number }> {
  const kept = path.join(CACHE, `${seconds}s-${width}-${await mediaEngineDigest()}`);
  const dir = path.join(workDir, 'ladder');
  await mkdir(workDir, { recursive: true });
  try {
    await cp(kept, dir, { recursive: true, errorOnExist: true, force: false });
    return { dir, seconds };
  } catch {
    // Not made yet in this run (or by an older engine): make it, then keep it for the next files.
  }
  await mkdir(CACHE, { recursive: true });
  const scratch = await mkdtemp(path.join(CACHE, 'making-'));
  try {
    const made = await makeLadder(scratch, seconds, width);
    // Whole or not at all: a rename publishes the finished ladder; a file that made it at the same time wins.
    await rename(made, kept).catch(() => undefined);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await cp(kept, dir, { recursive: true });
  return { dir, seconds };
}
