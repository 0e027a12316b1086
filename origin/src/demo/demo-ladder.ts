import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateEquirectFixture, runFfmpeg } from '@spherecast/shared/media';

const RUNGS = [
  { name: '1920x960', width: 1920, height: 960, videoBitrate: 4_500_000, level: '4.0', codecs: 'avc1.640028,mp4a.40.2' },
  { name: '1280x640', width: 1280, height: 640, videoBitrate: 2_000_000, level: '3.1', codecs: 'avc1.64001f,mp4a.40.2' },
] as const;
const AUDIO_BITRATE = 128_000;
const SEGMENT_SECONDS = 2;
const FPS = 30;

/**
 * Generates the demo 360 clip (an equirectangular test pattern with a tone) and encodes it to a
 * two-rung fMP4 HLS ladder in one ffmpeg process. Returns the ladder's files relative to `outDir`.
 */
export async function buildDemoLadder(workDir: string, outDir: string, seconds: number): Promise<string[]> {
  const source = path.join(workDir, 'demo-source.mp4');
  await generateEquirectFixture({ out: source, seconds, width: 1920, fps: FPS, audio: true });
  const splits = RUNGS.map((_, index) => `[v${index}]`).join('');
  const scales = RUNGS.map((rung, index) => `[v${index}]scale=${rung.width}:${rung.height}[o${index}]`).join(';');
  const args = ['-y', '-i', source, '-filter_complex', `[0:v]split=${RUNGS.length}${splits};${scales}`];
  for (const [index, rung] of RUNGS.entries()) {
    const dir = path.join(outDir, rung.name);
    await mkdir(dir, { recursive: true });
    args.push(
      '-map', `[o${index}]`, '-map', '0:a',
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-level', rung.level,
      '-b:v', String(rung.videoBitrate), '-maxrate', String(Math.round(rung.videoBitrate * 1.2)), '-bufsize', String(rung.videoBitrate * 2),
      '-g', String(FPS * SEGMENT_SECONDS), '-keyint_min', String(FPS * SEGMENT_SECONDS), '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', String(AUDIO_BITRATE), '-ac', '2',
      '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
      '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', path.join(dir, 'seg_%05d.m4s'),
      path.join(dir, 'playlist.m3u8'),
    );
  }
  await runFfmpeg({ args, durationSeconds: seconds });
  const master = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-SESSION-DATA:DATA-ID="com.spherecast.projection",VALUE="equirectangular-mono"'];
  for (const rung of RUNGS) {
    const bandwidth = Math.round((rung.videoBitrate * 1.2 + AUDIO_BITRATE) * 1.05);
    master.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},AVERAGE-BANDWIDTH=${rung.videoBitrate + AUDIO_BITRATE},RESOLUTION=${rung.width}x${rung.height},CODECS="${rung.codecs}",FRAME-RATE=${FPS}.000,REQ-VIDEO-LAYOUT="CH-MONO"`,
      `${rung.name}/playlist.m3u8`,
    );
  }
  await writeFile(path.join(outDir, 'master.m3u8'), `${master.join('\n')}\n`);
  const files = ['master.m3u8'];
  for (const rung of RUNGS) for (const name of await readdir(path.join(outDir, rung.name))) files.push(`${rung.name}/${name}`);
  return files;
}
