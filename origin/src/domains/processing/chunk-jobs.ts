import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkFileName, chunkPlanSchema, joinChunks, ladderPlanSchema, planChunks, planLadder, probeKeyframes, transcodeChunk } from '@spherecast/shared/media';
import { z } from 'zod';
import type { OriginConfig } from '../../core/config.ts';
import { faultPoint } from '../../core/fault-injection.ts';
import type { ChunkJobInfo } from './job-queue.ts';
import { sourceFileOf, workDirOf } from './paths.ts';
import { failUpload, processUpload, rejectedFromMedia, UploadRejectedError, type ChunkedTranscodeRequest, type PipelineDeps } from './pipeline.ts';

/**
 * Chunked transcoding of long uploads (map-reduce), as three kinds of pg-boss jobs:
 * 1. the upload's own job (pipeline.ts) probes and checks it, then `startChunkedTranscode` cuts it at
 *    keyframes (ffprobe) and queues one `transcode-chunk` job per chunk;
 * 2. any worker on any machine takes a chunk: it seeks the source to the chunk's keyframe and encodes
 *    its frames to every rung (`runChunkJob`); the last chunk to finish queues the join;
 * 3. `runJoinJob` copies the chunks' packets into the HLS ladder with continuous timestamps, encodes
 *    the audio, and hands the ladder to the normal pipeline (segment hashes, poster, publish).
 * Chunks and the plan live in UPLOADS_DIR/.chunks/<uploadId>, beside the source, which every worker
 * already reaches. A chunk file appears only when complete (renamed into place), so "every chunk
 * file is there" is the join's condition, whichever workers died on the way.
 */
export interface ChunkJobsDeps {
  pipeline: PipelineDeps;
  queue: { enqueueChunks(uploadId: string, indexes: readonly number[]): Promise<void>; enqueueJoin(uploadId: string): Promise<void> };
  /** This worker's id (`host/pid`), kept as each chunk job's output in pg-boss. */
  workerId: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Told when this process finishes a chunk. */
  onChunk?: (uploadId: string, index: number) => void;
}

/** Where an upload's chunk plan and chunk outputs are kept (beside its source, reachable by every worker). */
export function chunkDirOf(config: Pick<OriginConfig, 'uploadsDir'>, uploadId: string): string {
  return path.join(config.uploadsDir, '.chunks', uploadId);
}

const PLAN_FILE = 'plan.json';

const chunkedPlanSchema = z.object({
  ladder: ladderPlanSchema,
  chunks: chunkPlanSchema,
  preset: z.string().optional(),
});
type ChunkedPlan = z.infer<typeof chunkedPlanSchema>;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function readPlan(dir: string): Promise<ChunkedPlan | null> {
  const text = await readFile(path.join(dir, PLAN_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = chunkedPlanSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/** Chunks whose output is not there yet. */
async function missingChunks(dir: string, plan: ChunkedPlan): Promise<number[]> {
  const present = await Promise.all(plan.chunks.chunks.map((chunk) => exists(path.join(dir, chunkFileName(chunk.index)))));
  return plan.chunks.chunks.filter((_, i) => !present[i]).map((chunk) => chunk.index);
}

function sourceOf(deps: ChunkJobsDeps, uploadId: string): Promise<string> | string {
  const { pipeline } = deps;
  return pipeline.sourceFile ? pipeline.sourceFile(uploadId, workDirOf(pipeline.config, uploadId)) : sourceFileOf(pipeline.config, uploadId);
}

/**
 * Plans the chunks of a long upload (once: a retried upload job finds the plan) and queues those not
 * transcoded yet, or the join when none is left.
 */
export async function startChunkedTranscode(deps: ChunkJobsDeps, request: ChunkedTranscodeRequest, chunkSeconds: number): Promise<void> {
  const dir = chunkDirOf(deps.pipeline.config, request.uploadId);
  let plan = await readPlan(dir);
  if (!plan) {
    const { ladder: settings } = request;
    const ladder = planLadder(request.probe, {
      ...(settings.segmentSeconds === undefined ? {} : { segmentSeconds: settings.segmentSeconds }),
      ...(settings.eyeWidths ? { eyeWidths: settings.eyeWidths } : {}),
      ...(settings.rungs ? { rungs: settings.rungs } : {}),
      ...(settings.projection ? { projection: settings.projection } : {}),
    });
    const chunks = planChunks(await probeKeyframes(request.source), ladder.frameRate, chunkSeconds);
    plan = { ladder, chunks, ...(settings.preset ? { preset: settings.preset } : {}) };
    await mkdir(dir, { recursive: true });
    const temporary = path.join(dir, `${PLAN_FILE}.${randomBytes(4).toString('hex')}`);
    await writeFile(temporary, JSON.stringify(plan));
    await rename(temporary, path.join(dir, PLAN_FILE));
  }
  const missing = await missingChunks(dir, plan);
  deps.log?.('chunked transcode', { uploadId: request.uploadId, chunks: plan.chunks.chunks.length, missing: missing.length });
  if (missing.length === 0) await deps.queue.enqueueJoin(request.uploadId);
  else await deps.queue.enqueueChunks(request.uploadId, missing);
}

/** The upload a chunk or join job belongs to, unless it was deleted or has finished meanwhile. */
async function liveUpload(deps: ChunkJobsDeps, uploadId: string) {
  const row = await deps.pipeline.prisma.sourceUpload.findUnique({ where: { id: uploadId }, select: { fileName: true, status: true } });
  return row && row.status !== 'ready' && row.status !== 'failed' ? row : null;
}

/**
 * Transcodes one chunk (unless its output is already there) and queues the join when it was the last
 * missing one. Returns what pg-boss keeps as the job's output: which worker ran it.
 */
export async function runChunkJob(
  deps: ChunkJobsDeps,
  chunk: { uploadId: string; index: number },
  job: ChunkJobInfo,
): Promise<{ workerId: string; transcoded: boolean }> {
  const { uploadId, index } = chunk;
  const { prisma, config } = deps.pipeline;
  const dir = chunkDirOf(config, uploadId);
  const upload = await liveUpload(deps, uploadId);
  const plan = upload ? await readPlan(dir) : null;
  const spec = plan?.chunks.chunks.find((c) => c.index === index);
  if (!upload || !plan || !spec) return { workerId: deps.workerId, transcoded: false };
  const out = path.join(dir, chunkFileName(index));
  let transcoded = false;
  try {
    if (!(await exists(out))) {
      let lastWrite = 0;
      await transcodeChunk({
        input: await sourceOf(deps, uploadId),
        plan: plan.ladder,
        chunk: spec,
        out,
        ...(plan.preset ? { preset: plan.preset } : {}),
        onProgress: () => {
          faultPoint('processing-during-chunk');
          // Keeps the upload's lease fresh while its chunks run (see processUpload).
          const now = Date.now();
          if (now - lastWrite < 1000) return;
          lastWrite = now;
          void prisma.sourceUpload.updateMany({ where: { id: uploadId, status: 'transcoding' }, data: { status: 'transcoding' } }).catch(() => undefined);
        },
      }).catch((error: unknown) => {
        throw rejectedFromMedia(error, upload.fileName, 'transcoded');
      });
      transcoded = true;
    }
  } catch (error) {
    if (error instanceof UploadRejectedError) {
      await failUpload(deps.pipeline, uploadId, error.message);
      await rm(dir, { recursive: true, force: true });
      return { workerId: deps.workerId, transcoded: false };
    }
    deps.log?.('a chunk failed', { uploadId, index, attempt: job.retryCount + 1, err: error });
    if (job.retryCount >= job.retryLimit) {
      await failUpload(
        deps.pipeline,
        uploadId,
        `Processing failed ${job.retryCount + 1} times for a reason on the server's side, not in your file. Upload it again later; if it keeps failing, tell the operator (upload ${uploadId}).`,
      );
      await rm(dir, { recursive: true, force: true });
    }
    throw error;
  }
  const missing = await missingChunks(dir, plan);
  const total = plan.chunks.chunks.length;
  await prisma.sourceUpload.updateMany({
    where: { id: uploadId, status: 'transcoding' },
    data: { progress: Math.min(0.99, (total - missing.length) / total) },
  });
  deps.onChunk?.(uploadId, index);
  // Of chunks finishing together at least one sees none missing; the queue keeps one join per upload.
  if (missing.length === 0) await deps.queue.enqueueJoin(uploadId);
  return { workerId: deps.workerId, transcoded };
}

/**
 * Joins an upload's chunks into its ladder in this machine's work folder, then runs the pipeline on,
 * which finds the ladder and publishes it. Safe to run again: the ladder is replaced whole, publish
 * is repeatable, and the chunks stay until the upload is `ready`.
 */
export async function runJoinJob(deps: ChunkJobsDeps, uploadId: string): Promise<'processed' | 'skipped' | 'chunked'> {
  const { config } = deps.pipeline;
  const dir = chunkDirOf(config, uploadId);
  const upload = await liveUpload(deps, uploadId);
  const plan = upload ? await readPlan(dir) : null;
  if (!upload || !plan) return 'skipped';
  const missing = await missingChunks(dir, plan);
  if (missing.length > 0) {
    // A chunk output vanished (a cleaned folder): transcode it again, and join after it.
    await deps.queue.enqueueChunks(uploadId, missing);
    return 'chunked';
  }
  const ladderDir = path.join(workDirOf(config, uploadId), 'ladder');
  try {
    await joinChunks({
      input: await sourceOf(deps, uploadId),
      plan: plan.ladder,
      chunks: plan.chunks,
      chunkFiles: plan.chunks.chunks.map((chunk) => path.join(dir, chunkFileName(chunk.index))),
      out: ladderDir,
      overwrite: true,
    }).catch((error: unknown) => {
      throw rejectedFromMedia(error, upload.fileName, 'transcoded');
    });
  } catch (error) {
    if (!(error instanceof UploadRejectedError)) throw error;
    await failUpload(deps.pipeline, uploadId, error.message);
    await rm(dir, { recursive: true, force: true });
    return 'processed';
  }
  const outcome = await processUpload(deps.pipeline, uploadId, { afterJoin: true });
  if (outcome === 'processed') await rm(dir, { recursive: true, force: true });
  return outcome;
}
