/**
 * The RTMP transcoder: reads a live stream (an RTMP URL) and pushes the live ladder to a channel's
 * HLS ingest with ffmpeg's HLS muxer (`-method PUT`), the same pipeline the studio pushes to. It
 * needs nothing of the origin but those two URLs and the key, so it runs as its own process
 * (transcoder-main.ts), on this machine or another.
 */
import { z } from 'zod';
import { LIVE_SEGMENT_SECONDS, runFfmpeg } from '@spherecast/shared/media';

export const transcoderOptionsSchema = z.object({
  /** Where to read the stream, e.g. rtmp://127.0.0.1:1935/live/<key>. */
  input: z.string().min(1),
  /** The channel's HLS ingest base, e.g. http://127.0.0.1:8080/live/<channelId>. */
  ingestUrl: z.url({ protocol: /^https?$/ }),
  streamKey: z.string().regex(/^[A-Za-z0-9_-]{20,200}$/),
  /** Largest first. */
  rungs: z
    .array(z.object({ width: z.number().int().min(16).max(9999), height: z.number().int().min(16).max(9999) }))
    .min(1)
    .max(4),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']),
  /** Segment length: a keyframe starts every segment. */
  segmentSeconds: z.number().min(0.5).max(6).default(LIVE_SEGMENT_SECONDS.default),
  /** Number of the first segment (segment numbers must keep increasing across reconnects). */
  startNumber: z.number().int().min(0).default(0),
});
export type TranscoderOptions = z.input<typeof transcoderOptionsSchema>;

/** Video bit rate of a rung: 0.08 bits per pixel at 30 frames per second. */
export function rungBitRate(rung: { width: number; height: number }): number {
  return Math.round((rung.width * rung.height * 30 * 0.08) / 1000) * 1000;
}

const AUDIO_BIT_RATE = 96_000;
const rungName = (rung: { width: number; height: number }) => `${rung.width}x${rung.height}`;

/** The master playlist the transcoder pushes (the origin adds codecs from the init segments). */
export function transcoderMaster(options: Pick<z.infer<typeof transcoderOptionsSchema>, 'rungs'>): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  for (const rung of options.rungs) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(rungBitRate(rung) * 1.2 + AUDIO_BIT_RATE)},RESOLUTION=${rungName(rung)}`,
      `${rungName(rung)}/index.m3u8`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** ffmpeg's arguments: one decode, one scaled x264 encode and one HLS output per rung. */
export function transcoderArgs(input: TranscoderOptions): string[] {
  const o = transcoderOptionsSchema.parse(input);
  const split = o.rungs.map((_, i) => `[s${i}]`).join('');
  const scales = o.rungs.map((rung, i) => `[s${i}]scale=${rung.width}:${rung.height}:flags=bilinear,format=yuv420p[o${i}]`).join(';');
  const args = ['-rw_timeout', '15000000', '-i', o.input, '-filter_complex', `[0:v:0]split=${o.rungs.length}${split};${scales}`];
  const header = `Authorization: Bearer ${o.streamKey}\r\n`;
  for (const [i, rung] of o.rungs.entries()) {
    const rate = rungBitRate(rung);
    const dir = `${o.ingestUrl}/${rungName(rung)}`;
    args.push(
      '-map',
      `[o${i}]`,
      '-map',
      '0:a:0?',
      '-c:v',
      'libx264',
      '-preset',
      o.preset,
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-b:v',
      String(rate),
      '-maxrate',
      String(Math.round(rate * 1.2)),
      '-bufsize',
      String(rate * 2),
      // A keyframe at every segment boundary, aligned across rungs; none elsewhere.
      '-g',
      '600',
      '-sc_threshold',
      '0',
      '-force_key_frames',
      `expr:gte(t,n_forced*${o.segmentSeconds})`,
      '-c:a',
      'aac',
      '-b:a',
      String(AUDIO_BIT_RATE),
      '-ac',
      '2',
      '-ar',
      '48000',
      '-f',
      'hls',
      '-hls_time',
      String(o.segmentSeconds),
      '-hls_list_size',
      '6',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      `${dir}/seg_%d.m4s`,
      '-start_number',
      String(o.startNumber),
      '-method',
      'PUT',
      '-headers',
      header,
      `${dir}/index.m3u8`,
    );
  }
  return args;
}

/** Pushes the master, then transcodes until the input ends or `signal` aborts (ffmpeg then finishes its last segment). */
export async function runTranscoder(input: TranscoderOptions, signal?: AbortSignal): Promise<void> {
  const o = transcoderOptionsSchema.parse(input);
  const response = await fetch(`${o.ingestUrl}/master.m3u8`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${o.streamKey}`, 'content-type': 'application/vnd.apple.mpegurl' },
    body: transcoderMaster(o),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw new Error(`The origin refused the master playlist: ${response.status} ${await response.text()}`);
  await runFfmpeg({ args: transcoderArgs(o), ...(signal ? { signal } : {}), killGraceMs: 5000 });
}
