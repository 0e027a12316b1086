import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Chunk } from './chunk-plan.ts';
import { runFfmpeg, type FfmpegProgress } from './ffmpeg-process.ts';
import { ladderEncoderArgs, rungScaleGraph } from './ladder-encode.ts';
import type { LadderPlan } from './ladder-plan.ts';

export interface ChunkTranscodeOptions {
  /** The whole source (every worker reads it; a chunk seeks to its own keyframe). */
  input: string;
  plan: LadderPlan;
  chunk: Chunk;
  /** The chunk's output: one MP4 with a video track per rung, in the plan's rung order. */
  out: string;
  /** x264/x265 preset. Default `veryfast`. */
  preset?: string;
  signal?: AbortSignal;
  onProgress?: (progress: FfmpegProgress) => void;
}

/** The file name of a chunk's output (`chunk-00003.mp4`). */
export function chunkFileName(index: number): string {
  return `chunk-${String(index).padStart(5, '0')}.mp4`;
}

/**
 * ffmpeg arguments of one chunk: seek to its keyframe (ffmpeg's accurate seek then drops any frame
 * before it), take exactly `frames` frames, scale to every rung and encode them with the ladder's
 * encoder settings. Keyframes are forced every `gopFrames` from the chunk's first frame, so a chunk
 * that starts on the GOP grid keeps every segment one GOP long. Video only: the join encodes the
 * audio of the whole source in one piece (AAC priming per chunk would click at every join).
 */
export function buildChunkArgs(options: Pick<ChunkTranscodeOptions, 'input' | 'plan' | 'chunk' | 'preset'>, out: string): string[] {
  const { plan, chunk } = options;
  // A quarter frame before the keyframe: the keyframe itself is never lost to rounding of its time.
  const seek = chunk.index === 0 ? [] : ['-ss', Math.max(0, chunk.startSeconds - 0.25 / plan.frameRate).toFixed(6)];
  const graph = rungScaleGraph(plan, 'cut');
  const args = ['-y', ...seek, '-i', options.input, '-filter_complex', [`[0:v:0]trim=end_frame=${chunk.frames}[cut]`, ...graph].join(';')];
  plan.rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  args.push(...ladderEncoderArgs({ ...plan, audio: null }, options.preset ?? 'veryfast'), '-an', '-sn', '-dn', '-f', 'mp4', out);
  return args;
}

/**
 * Transcodes one chunk to every rung. The output appears at `out` only when complete (written beside
 * it and renamed), so a worker killed mid-chunk leaves nothing a join could take for finished.
 */
export async function transcodeChunk(options: ChunkTranscodeOptions): Promise<string> {
  await mkdir(path.dirname(options.out), { recursive: true });
  const partial = `${options.out}.partial-${randomBytes(4).toString('hex')}.mp4`;
  try {
    await runFfmpeg({
      args: buildChunkArgs(options, partial),
      durationSeconds: options.chunk.frames / options.plan.frameRate,
      dieWithParent: true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await rename(partial, options.out);
  } finally {
    await rm(partial, { force: true });
  }
  return options.out;
}
