import { z } from 'zod';
import { MediaError } from './errors.ts';
import { runFfprobe } from './ffmpeg-process.ts';

/**
 * One chunk of a long source: the frames `[startFrame, startFrame + frames)` of its video, starting at
 * a keyframe of the source, so a worker can seek straight to it and decode nothing before it.
 */
export const chunkSchema = z.object({
  index: z.number().int().nonnegative(),
  /** Where the chunk's first frame (a keyframe) is, in seconds from the file's start (ffmpeg's `-ss`). */
  startSeconds: z.number().nonnegative(),
  /** Its first frame's number in the video stream (frame 0 is the first frame). */
  startFrame: z.number().int().nonnegative(),
  frames: z.number().int().positive(),
});
export type Chunk = z.infer<typeof chunkSchema>;

export const chunkPlanSchema = z.object({
  frameRate: z.number().positive(),
  totalFrames: z.number().int().positive(),
  chunks: z.array(chunkSchema).min(1),
});
export type ChunkPlan = z.infer<typeof chunkPlanSchema>;

/** Default chunk length: a source over two of them is transcoded in chunks. */
export const DEFAULT_CHUNK_SECONDS = 60;

/** Whether a source is long enough to be cut: more than two chunks' worth (a shorter one gains nothing). */
export function shouldChunk(durationSeconds: number, chunkSeconds: number): boolean {
  return chunkSeconds > 0 && durationSeconds > 2 * chunkSeconds;
}

export interface SourceKeyframes {
  /** The container's start time, which ffmpeg's `-ss` counts from. */
  formatStartSeconds: number;
  /** Presentation time of the video's first frame. */
  firstFrameSeconds: number;
  /** Presentation times of the video's keyframes, ascending. */
  keyframeSeconds: number[];
  /**
   * The keyframes' frame numbers, counted in presentation order (exact also where the frame rate
   * varies); when absent, computed from their times and the frame rate.
   */
  keyframeNumbers?: number[];
  /** Frames in the video stream (packets counted). */
  frameCount: number;
}

const probeSchema = z.object({
  format: z.object({ start_time: z.coerce.number().optional() }),
  packets: z.array(z.object({ pts_time: z.coerce.number().optional(), flags: z.string().optional() })),
});

/**
 * Reads the video's keyframe times from its packets (ffprobe reads the index and packet headers
 * only, no decoding: about a second per hour of video).
 */
export async function probeKeyframes(input: string, options: { signal?: AbortSignal } = {}): Promise<SourceKeyframes> {
  const text = await runFfprobe(
    ['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags:format=start_time', '-of', 'json', input],
    options.signal ? { signal: options.signal } : {},
  );
  const parsed = probeSchema.parse(JSON.parse(text));
  const times = parsed.packets.filter((p) => p.pts_time !== undefined && Number.isFinite(p.pts_time));
  if (times.length === 0) throw new MediaError('NO_VIDEO_STREAM', `${input} has no video packets to cut into chunks.`);
  const keyframeSeconds = times
    .filter((p) => p.flags?.startsWith('K'))
    .map((p) => p.pts_time!)
    .sort((a, b) => a - b);
  // Packets come in decode order: a keyframe's number is its place among all pictures by time.
  const ordered = times.map((p) => p.pts_time!).sort((a, b) => a - b);
  const numberOf = new Map<number, number>();
  ordered.forEach((t, i) => {
    if (!numberOf.has(t)) numberOf.set(t, i);
  });
  return {
    formatStartSeconds: parsed.format.start_time ?? 0,
    firstFrameSeconds: ordered[0]!,
    keyframeSeconds,
    keyframeNumbers: keyframeSeconds.map((t) => numberOf.get(t)!),
    frameCount: times.length,
  };
}

/**
 * Cuts the source at keyframes into chunks of about `chunkSeconds`: a chunk ends at the first
 * keyframe at least `chunkSeconds` after its start, or, when `gopFrames` is given, at the first such
 * keyframe on the ladder's GOP grid (a multiple of `gopFrames`) if one comes within another chunk
 * length, so that every HLS segment stays one GOP long across the joins. A tail shorter than half a
 * chunk joins the last chunk. Every frame belongs to exactly one chunk, so the joined output has
 * them all once.
 */
export function planChunks(source: SourceKeyframes, frameRate: number, chunkSeconds: number, gopFrames?: number): ChunkPlan {
  if (!(chunkSeconds > 0)) throw new MediaError('INVALID_OPTIONS', `The chunk length must be positive (got ${chunkSeconds} s).`);
  const total = source.frameCount;
  const frameOf = (seconds: number) => Math.round((seconds - source.firstFrameSeconds) * frameRate);
  const minFrames = Math.round(chunkSeconds * frameRate);
  const keys = source.keyframeSeconds.map((seconds, i) => ({
    frame: source.keyframeNumbers?.[i] ?? frameOf(seconds),
    /** From the first picture, for the chunk length. */
    at: seconds - source.firstFrameSeconds,
    seconds: Math.max(0, seconds - source.formatStartSeconds),
  }));
  const starts: Array<{ frame: number; at: number; seconds: number }> = [{ frame: 0, at: 0, seconds: 0 }];
  for (;;) {
    const last = starts.at(-1)!;
    const candidates = keys.filter((key) => key.frame > last.frame && key.at - last.at >= chunkSeconds - 1e-6 && total - key.frame >= minFrames / 2);
    const first = candidates[0];
    if (!first) break;
    const onGrid = gopFrames ? candidates.find((key) => key.frame % gopFrames === 0 && key.at - first.at < chunkSeconds) : undefined;
    starts.push(onGrid ?? first);
  }
  const chunks = starts.map((start, index) => ({
    index,
    startSeconds: start.seconds,
    startFrame: start.frame,
    frames: (starts[index + 1]?.frame ?? total) - start.frame,
  }));
  return chunkPlanSchema.parse({ frameRate, totalFrames: total, chunks });
}
