import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { chunkFileName, chunkPlanSchema, joinChunks, ladderPlanSchema, planChunks, planLadder, probeKeyframes, transcodeChunk } from '@spherecast/shared/media';
import { z } from 'zod';
import { faultPoint } from '../../core/fault-injection.ts';
import type { ChunkStore } from './chunk-store.ts';
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
 * Chunks and the plan live where every worker reaches them (chunk-store.ts: beside the sources in
 * UPLOADS_DIR, or the bucket). A chunk is stored only when complete, so "every chunk is stored" is the
 * join's condition, whichever workers died on the way.
 */
export interface ChunkJobsDeps {
  pipeline: PipelineDeps;
  store: ChunkStore;
  queue: { enqueueChunks(uploadId: string, indexes: readonly number[]): Promise<void>; enqueueJoin(uploadId: string): Promise<void> };
  /** This worker's id (`host/pid`), kept as each chunk job's output in pg-boss. */
  workerId: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Told when this process finishes a chunk. */
  onChunk?: (uploadId: string, index: number) => void;
}

const PLAN_FILE = 'plan.json';

const chunkedPlanSchema = z.object({
  ladder: ladderPlanSchema,
  chunks: chunkPlanSchema,
  preset: z.string().optional(),
});
type ChunkedPlan = z.infer<typeof chunkedPlanSchema>;

async function readPlan(deps: ChunkJobsDeps, uploadId: string): Promise<ChunkedPlan | null> {
  const text = await deps.store.readText(uploadId, PLAN_FILE);
  if (text === null) return null;
  const parsed = chunkedPlanSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/** Chunks whose output is not stored yet. */
async function missingChunks(deps: ChunkJobsDeps, uploadId: string, plan: ChunkedPlan): Promise<number[]> {
  const names = plan.chunks.chunks.map((chunk) => chunkFileName(chunk.index));
  const present = await deps.store.present(uploadId, names);
  return plan.chunks.chunks.filter((_, i) => !present.has(names[i]!)).map((chunk) => chunk.index);
}

/**
 * Removes this machine's work folders of uploads that are finished, failed or deleted. A worker that
 * ran chunks of an upload another machine joined keeps its copy of a bucket source there until then.
 */
async function sweepWorkFolders(deps: ChunkJobsDeps): Promise<void> {
  const root = path.dirname(workDirOf(deps.pipeline.config, 'x'));
  const names = (await readdir(root).catch(() => [] as string[])).filter((name) => /^[0-9a-f-]{36}$/.test(name));
  if (names.length === 0) return;
  const live = await deps.pipeline.prisma.sourceUpload.findMany({
    where: { id: { in: names }, status: { notIn: ['ready', 'failed'] } },
    select: { id: true },
  });
  const keep = new Set(live.map((row) => row.id));
  for (const name of names) if (!keep.has(name)) await rm(path.join(root, name), { recursive: true, force: true });
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
  let plan = await readPlan(deps, request.uploadId);
  if (!plan) {
    const { ladder: settings } = request;
    const ladder = planLadder(request.probe, {
      ...(settings.segmentSeconds === undefined ? {} : { segmentSeconds: settings.segmentSeconds }),
      ...(settings.eyeWidths ? { eyeWidths: settings.eyeWidths } : {}),
      ...(settings.rungs ? { rungs: settings.rungs } : {}),
      ...(settings.projection ? { projection: settings.projection } : {}),
    });
    const chunks = planChunks(await probeKeyframes(request.source), ladder.frameRate, chunkSeconds, ladder.gopFrames);
    plan = { ladder, chunks, ...(settings.preset ? { preset: settings.preset } : {}) };
    await deps.store.writeText(request.uploadId, PLAN_FILE, JSON.stringify(plan));
  }
  const missing = await missingChunks(deps, request.uploadId, plan);
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
  await sweepWorkFolders(deps).catch(() => undefined);
  const upload = await liveUpload(deps, uploadId);
  const plan = upload ? await readPlan(deps, uploadId) : null;
  const spec = plan?.chunks.chunks.find((c) => c.index === index);
  if (!upload || !plan || !spec) return { workerId: deps.workerId, transcoded: false };
  const name = chunkFileName(index);
  const out = deps.store.target(uploadId, name, workDirOf(config, uploadId));
  let transcoded = false;
  try {
    if ((await deps.store.present(uploadId, [name])).size === 0) {
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
      await deps.store.commit(uploadId, name, out);
      transcoded = true;
    }
  } catch (error) {
    if (error instanceof UploadRejectedError) {
      await failUpload(deps.pipeline, uploadId, error.message);
      await deps.store.remove(uploadId);
      return { workerId: deps.workerId, transcoded: false };
    }
    deps.log?.('a chunk failed', { uploadId, index, attempt: job.retryCount + 1, err: error });
    if (job.retryCount >= job.retryLimit) {
      await failUpload(
        deps.pipeline,
        uploadId,
        `Processing failed ${job.retryCount + 1} times for a reason on the server's side, not in your file. Upload it again later; if it keeps failing, tell the operator (upload ${uploadId}).`,
      );
      await deps.store.remove(uploadId);
    }
    throw error;
  }
  const missing = await missingChunks(deps, uploadId, plan);
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
  const upload = await liveUpload(deps, uploadId);
  const plan = upload ? await readPlan(deps, uploadId) : null;
  if (!upload || !plan) return 'skipped';
  const missing = await missingChunks(deps, uploadId, plan);
  if (missing.length > 0) {
    // A chunk output vanished (a cleaned folder): transcode it again, and join after it.
    await deps.queue.enqueueChunks(uploadId, missing);
    return 'chunked';
  }
  const work = workDirOf(config, uploadId);
  const ladderDir = path.join(work, 'ladder');
  try {
    const chunkFiles: string[] = [];
    for (const chunk of plan.chunks.chunks) chunkFiles.push(await deps.store.fetch(uploadId, chunkFileName(chunk.index), work));
    await joinChunks({
      input: await sourceOf(deps, uploadId),
      plan: plan.ladder,
      chunks: plan.chunks,
      chunkFiles,
      out: ladderDir,
      overwrite: true,
    }).catch((error: unknown) => {
      throw rejectedFromMedia(error, upload.fileName, 'transcoded');
    });
  } catch (error) {
    if (!(error instanceof UploadRejectedError)) throw error;
    await failUpload(deps.pipeline, uploadId, error.message);
    await deps.store.remove(uploadId);
    return 'processed';
  }
  const outcome = await processUpload(deps.pipeline, uploadId, { afterJoin: true });
  if (outcome === 'processed') await deps.store.remove(uploadId);
  return outcome;
}
