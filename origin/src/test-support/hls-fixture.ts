import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes a tiny real HLS ladder with ffmpeg (two fMP4 renditions of an equirectangular test
 * pattern, 1 s segments) and its master playlist. Returns the files relative to `dir`.
 */
export async function makeTinyLadder(dir: string, seconds = 3): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const rungs = [
    { name: '256x128', width: 256, height: 128, bitrate: 200_000 },
    { name: '128x64', width: 128, height: 64, bitrate: 80_000 },
  ];
  const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg';
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=384x384:rate=10:duration=${seconds}`];
  args.push('-filter_complex', `[0:v]v360=input=flat:output=equirect:w=256:h=128,split=2[a][b];[b]scale=128:64[b2]`);
  for (const [index, rung] of rungs.entries()) {
    await mkdir(path.join(dir, rung.name), { recursive: true });
    args.push(
      '-map',
      index === 0 ? '[a]' : '[b2]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      String(rung.bitrate),
      '-g',
      '10',
      '-keyint_min',
      '10',
      '-sc_threshold',
      '0',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      path.join(dir, rung.name, 'seg_%03d.m4s'),
      path.join(dir, rung.name, 'index.m3u8'),
    );
  }
  await run(ffmpeg, args);
  const master = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rung of rungs) {
    master.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${rung.bitrate},RESOLUTION=${rung.width}x${rung.height},CODECS="avc1.42c00d",FRAME-RATE=10.000`,
      `${rung.name}/index.m3u8`,
    );
  }
  await writeFile(path.join(dir, 'master.m3u8'), `${master.join('\n')}\n`);
  const files: string[] = ['master.m3u8'];
  for (const rung of rungs) {
    for (const name of await readdir(path.join(dir, rung.name))) files.push(`${rung.name}/${name}`);
  }
  return files.sort();
}

export async function uploadLadder(url: string, token: string, contentId: string, dir: string, files: string[]) {
  for (const file of files) {
    const response = await fetch(`${url}/media/${contentId}/${file}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: await readFile(path.join(dir, file)),
    });
    if (response.status !== 201) throw new Error(`upload of ${file} failed: ${response.status} ${await response.text()}`);
  }
}
