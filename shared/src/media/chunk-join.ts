import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { planChunks, probeKeyframes, type ChunkPlan } from './chunk-plan.ts';
import { chunkFileName, transcodeChunk } from './chunk-transcode.ts';
import { MediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { firstEye, hlsLadderOutputArgs, LADDER_FILES } from './ladder-encode.ts';
import { planLadder, type LadderPlan } from './ladder-plan.ts';
import { probeMedia } from './probe.ts';
import { listFiles, StagedOutput } from './output-dir.ts';
import { packageLadder, transcodeResultSchema, type TranscodeOptions, type TranscodeResult } from './transcode-job.ts';

export interface ChunkJoinOptions {
  /** The whole source: its audio is encoded here in one piece, and the poster is taken from it. */
  input: string;
  plan: LadderPlan;
  chunks: ChunkPlan;
  /** Each chunk's output (transcodeChunk), in chunk order. */
  chunkFiles: readonly string[];
  /** The ladder folder, as transcodeLadder's `out`. */
  out: string;
  overwrite?: boolean;
  mp4?: boolean;
  signal?: AbortSignal;
}

/** The concat demuxer's list: each chunk with its exact duration, so the next starts where it ends. */
function concatList(files: readonly string[], chunks: ChunkPlan): string {
  const quote = (file: string) => `'${path.resolve(file).replaceAll("'", "'\\''")}'`;
  return `ffconcat version 1.0\n${files
    .map((file, i) => `file ${quote(file)}\nduration ${(chunks.chunks[i]!.frames / chunks.frameRate).toFixed(9)}\n`)
    .join('')}`;
}

/**
 * Joins transcoded chunks into the ladder transcodeLadder would have written: the chunks' packets are
 * copied (not re-encoded) through ffmpeg's concat demuxer, which shifts each chunk's timestamps to
 * the end of the one before, into the same fMP4 HLS layout per rung; the audio of the whole source is
 * encoded beside them; the poster comes from the source and the thumbnail sprite from the smallest
 * rung; then the same packaging (spherical boxes, codec strings, bandwidths, master, ladder.json).
 * Running it again replaces OUT whole (with `overwrite`), so a retried join is harmless.
 */
export async function joinChunks(options: ChunkJoinOptions): Promise<TranscodeResult> {
  const started = Date.now();
  const { plan, chunks } = options;
  if (options.chunkFiles.length !== chunks.chunks.length) {
    throw new MediaError('INVALID_OPTIONS', `The join needs all ${chunks.chunks.length} chunks; ${options.chunkFiles.length} were given.`);
  }
  const signal = options.signal ?? new AbortController().signal;
  const staged = await StagedOutput.create(options.out, options.overwrite ?? false);
  const list = `${staged.tmp}.ffconcat`;
  try {
    await writeFile(list, concatList(options.chunkFiles, chunks));
    const dir = staged.tmp;
    const args = ['-y', '-f', 'concat', '-safe', '0', '-i', list];
    if (plan.audio) args.push('-i', options.input);
    plan.rungs.forEach((rung, i) => {
      args.push('-map', `0:v:${i}`);
      if (rung.codec === 'hevc') args.push(`-tag:v:${i}`, 'hvc1');
    });
    args.push('-c:v', 'copy');
    if (plan.audio) args.push('-map', '1:a:0', '-c:a', 'aac', '-b:a', `${plan.audio.bitrateKbps}k`, '-ac', String(plan.audio.channels));
    args.push(...hlsLadderOutputArgs(plan, dir));
    await runFfmpeg({ args, signal, durationSeconds: plan.durationSeconds });

    const eye = firstEye(plan.projection);
    // The poster frame from the source (one frame decoded after a seek), as the one-process ladder takes it.
    const posterTime = Math.max(0, (plan.poster.frame - 0.25) / plan.frameRate);
    await runFfmpeg({
      signal,
      args: [
        '-y',
        '-ss',
        posterTime.toFixed(6),
        '-i',
        options.input,
        '-frames:v',
        '1',
        '-vf',
        `${eye}scale=${plan.poster.width}:${plan.poster.height}:flags=bicubic`,
        '-update',
        '1',
        '-q:v',
        '3',
        path.join(dir, LADDER_FILES.poster),
      ],
    });
    // Thumbnails are 256 px wide: the smallest rung has all the detail they need, and decodes fast.
    const smallest = plan.rungs.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a));
    const t = plan.thumbnails;
    await runFfmpeg({
      signal,
      args: [
        '-y',
        '-i',
        path.join(dir, smallest.name, LADDER_FILES.playlist),
        '-vf',
        `fps=1/${t.intervalSeconds},${eye}scale=${t.width}:${t.height}:flags=bicubic,tile=${t.columns}x${t.rows}`,
        '-frames:v',
        '1',
        '-update',
        '1',
        '-q:v',
        '5',
        path.join(dir, LADDER_FILES.sprite),
      ],
    });
    const result = await packageLadder(plan, dir, signal, { mp4: options.mp4 ?? false });
    if (signal.aborted) throw new MediaError('CANCELLED', 'The join was cancelled.');
    await staged.commit();
    return transcodeResultSchema.parse({ ...result, outDir: staged.out, files: await listFiles(staged.out), elapsedSeconds: (Date.now() - started) / 1000 });
  } catch (error) {
    await staged.discard();
    throw error;
  } finally {
    await rm(list, { force: true });
  }
}

export interface ChunkedTranscodeOptions extends Omit<TranscodeOptions, 'mp4'> {
  /** Chunk length in seconds (cut at the first keyframe after it). */
  chunkSeconds: number;
  /** Where the chunks are written (removed at the end). Default: beside OUT. */
  chunkDir?: string;
  /** Chunks transcoded at once in this process. Default 1. */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * The whole map-reduce in one process (the studio, tests, the bench): plan, transcode every chunk,
 * join. The origin runs the same three steps as separate jobs on any workers.
 */
export async function transcodeInChunks(options: ChunkedTranscodeOptions): Promise<TranscodeResult & { chunks: ChunkPlan }> {
  const probe = options.probe ?? (await probeMedia(options.input, options.signal ? { signal: options.signal } : {}));
  const plan = planLadder(probe, {
    ...(options.segmentSeconds === undefined ? {} : { segmentSeconds: options.segmentSeconds }),
    ...(options.eyeWidths ? { eyeWidths: options.eyeWidths } : {}),
    ...(options.rungs ? { rungs: options.rungs } : {}),
    ...(options.projection ? { projection: options.projection } : {}),
  });
  const chunks = planChunks(
    await probeKeyframes(options.input, options.signal ? { signal: options.signal } : {}),
    plan.frameRate,
    options.chunkSeconds,
    plan.gopFrames,
  );
  const chunkDir = options.chunkDir ?? `${path.resolve(options.out)}.chunks`;
  try {
    const files = chunks.chunks.map((chunk) => path.join(chunkDir, chunkFileName(chunk.index)));
    let next = 0;
    const lane = async () => {
      while (next < chunks.chunks.length) {
        const chunk = chunks.chunks[next++]!;
        await transcodeChunk({
          input: options.input,
          plan,
          chunk,
          out: files[chunk.index]!,
          ...(options.preset ? { preset: options.preset } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, lane));
    const result = await joinChunks({
      input: options.input,
      plan,
      chunks,
      chunkFiles: files,
      out: options.out,
      overwrite: options.overwrite ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...result, chunks };
  } finally {
    await rm(chunkDir, { recursive: true, force: true });
  }
}
