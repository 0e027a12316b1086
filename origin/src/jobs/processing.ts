import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_CHUNK_SECONDS, listFiles, LADDER_FILES } from '@spherecast/shared/media';
import type { OriginServices } from '../core/services.ts';
import type { Database } from '../db/database.ts';
import { finalizeUpload, settlePublishAttempt } from '../domains/media/finalize.ts';
import { recordStagedUpload } from '../domains/media/uploads.ts';
import { ProcessingQueue, type QueueDatabase } from '../domains/processing/job-queue.ts';
import { processUpload, type LadderToPublish, type PipelineDeps } from '../domains/processing/pipeline.ts';
import { runChunkJob, runJoinJob, startChunkedTranscode, type ChunkJobsDeps } from '../domains/processing/chunk-jobs.ts';
import { BucketChunkStore, LocalChunkStore, type ChunkStore } from '../domains/processing/chunk-store.ts';
import { S3MediaObjects } from '../core/media-store-s3.ts';
import { sourceFileOf } from '../domains/processing/paths.ts';
import { UploadIntake, type SourceStore } from '../domains/uploads/upload-intake.ts';
import { processingSettingsFromEnv } from './processing-settings.ts';

/**
 * Wiring of web uploads and their processing (the composition root's part, as domains do not reach
 * into each other): the uploads domain's tus intake queues finished uploads on the processing
 * domain's pg-boss queue, and workers run the pipeline, which publishes through the media domain's
 * finalize, the same atomic, crash-repairable publish the studio's uploads go through.
 */
export interface ProcessingOptions {
  /** Run workers in this process (`EMBEDDED_WORKER`; always on PGlite, which one process opens). */
  work: boolean;
  /** Transcode settings (tests use a small ladder); default: the studio's planned ladder. */
  transcode?: PipelineDeps['transcode'];
  /** Chunked transcoding's chunk length (CHUNK_SECONDS; default 60; 0 turns it off). Sources over two chunks are chunked. */
  chunkSeconds?: number;
  /** Told when this process finishes a chunk of a long upload (the worker process logs it). */
  onChunk?: (uploadId: string, index: number, workerId: string) => void;
  /** How often the queue looks for jobs whose worker died (default 30 s). */
  maintenanceIntervalSeconds?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Told when this process starts and finishes a job (the worker process logs it). */
  onJob?: (event: 'start' | 'done', uploadId: string, jobId: string) => void;
}

export interface Processing {
  queue: ProcessingQueue;
  intake: UploadIntake;
  destroy(): Promise<void>;
}

/** The queue's database: the platform's PostgreSQL, or the origin's embedded PGlite. */
export function queueDatabaseOf(services: OriginServices, database: Database): QueueDatabase {
  if (database.kind === 'pglite' && database.pglite) return { kind: 'pglite', pglite: database.pglite };
  const url = database.url ?? services.config.databaseUrl;
  if (!url) throw new Error('The processing queue needs the PostgreSQL URL (DATABASE_URL).');
  return { kind: 'postgres', url };
}

/** Publishes a transcoded ladder folder as the content's media: stage every file, then finalize. */
export async function publishLadder(services: OriginServices, ladder: LadderToPublish): Promise<void> {
  const { prisma, media } = services;
  // An attempt left by a worker that died mid-publish (only this job publishes this content now):
  // its folder goes back to staging, as the origin's start-up repair would do.
  const leftover = await prisma.publishAttempt.findUnique({
    where: { contentId: ladder.contentId },
    select: { contentId: true, publishId: true, previousPublishedPath: true },
  });
  if (leftover) await settlePublishAttempt(services, leftover);
  for (const file of await listFiles(ladder.dir)) {
    if (file === LADDER_FILES.manifest) continue;
    const written = await media.writeStaged(ladder.contentId, file, createReadStream(`${ladder.dir}/${file}`));
    await recordStagedUpload(services, ladder.contentId, written);
  }
  await prisma.content.update({ where: { id: ladder.contentId }, data: { projection: ladder.projection } });
  await finalizeUpload(services, {
    contentId: ladder.contentId,
    kind: 'video',
    master: ladder.master,
    poster: ladder.poster,
    durationSeconds: ladder.durationSeconds,
  });
  // This process's caches; other origins learn of it when their entries expire.
  services.searchCache.invalidate();
  services.mediaAccess.invalidate(ladder.contentId);
}

/** Starts the upload intake and the queue (and this process's workers when `work`). */
export async function startProcessing(services: OriginServices, database: Database, given: ProcessingOptions): Promise<Processing> {
  // TRANSCODE_* and JOB_MAINTENANCE_SECONDS from the environment; what the caller gives wins.
  const options: ProcessingOptions = { ...processingSettingsFromEnv(process.env), ...given };
  const queue = new ProcessingQueue({
    database: queueDatabaseOf(services, database),
    jobTimeoutSeconds: services.config.jobTimeoutSeconds,
    ...(options.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds } : {}),
    onError: (error) => options.log?.('job queue error', { err: error }),
  });
  await queue.start();
  const intake = new UploadIntake(services, { onComplete: (uploadId) => queue.enqueue(uploadId), ...(options.log ? { log: options.log } : {}) });
  intake.start();
  const workers = options.work ? await startWorkers(services, queue, intake.store, options) : null;
  return {
    queue,
    intake,
    destroy: async () => {
      intake.destroy();
      await queue.destroy();
      workers?.destroy();
    },
  };
}

/** Runs the pipeline for queued uploads, WORKER_CONCURRENCY at a time in this process. */
export async function startWorkers(
  services: OriginServices,
  queue: ProcessingQueue,
  store: SourceStore,
  options: Omit<ProcessingOptions, 'work'>,
): Promise<{ destroy(): void }> {
  const deps: PipelineDeps = {
    prisma: services.prisma,
    config: services.config,
    publishLadder: (ladder) => publishLadder(services, ladder),
    removeSource: async (uploadId) => {
      await store.remove(uploadId).catch(() => undefined);
      // The bytes and tus's info file beside them.
      await rm(sourceFileOf(services.config, uploadId), { force: true });
      await rm(`${sourceFileOf(services.config, uploadId)}.json`, { force: true });
    },
    // With STORAGE=s3 the upload is in the bucket: ffmpeg reads a copy in the job's work folder
    // (kept for a retry of the same job on this machine, removed with the folder).
    ...(services.config.s3 ? { sourceFile: (uploadId: string, workDir: string) => downloadSource(store, uploadId, workDir) } : {}),
    ...(options.transcode ? { transcode: options.transcode } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  const workerId = `${os.hostname()}/${process.pid}`;
  // With STORAGE=s3 the workers share no folder: the chunks go to the bucket, under their own prefix.
  const chunkStore: ChunkStore = services.config.s3
    ? new BucketChunkStore(new S3MediaObjects({ ...services.config.s3, prefix: 'processing-chunks/' }))
    : new LocalChunkStore(path.join(services.config.uploadsDir, '.chunks'));
  const chunkJobs: ChunkJobsDeps = {
    pipeline: deps,
    store: chunkStore,
    queue,
    workerId,
    ...(options.log ? { log: options.log } : {}),
    onChunk: (uploadId, index) => options.onChunk?.(uploadId, index, workerId),
  };
  const chunkSeconds = options.chunkSeconds ?? DEFAULT_CHUNK_SECONDS;
  if (chunkSeconds > 0) deps.chunking = { chunkSeconds, start: (request) => startChunkedTranscode(chunkJobs, request, chunkSeconds) };
  await queue.work(services.config.workerConcurrency, async (uploadId, job) => {
    options.onJob?.('start', uploadId, job.id);
    // 'skipped': another worker finished it (a redelivered job); 'chunked': its join will publish it.
    if ((await processUpload(deps, uploadId)) === 'processed') options.onJob?.('done', uploadId, job.id);
  });
  await queue.workChunks(services.config.workerConcurrency, (chunk, job) => runChunkJob(chunkJobs, chunk, job));
  await queue.workJoins(async (uploadId, job) => {
    if ((await runJoinJob(chunkJobs, uploadId)) === 'processed') options.onJob?.('done', uploadId, job.id);
  });
  return { destroy: () => chunkStore.destroy() };
}

/** Copies an upload from the bucket to `<workDir>/source` (once: a retry on this machine finds it there). */
async function downloadSource(store: SourceStore, uploadId: string, workDir: string): Promise<string> {
  const file = path.join(workDir, 'source');
  const present = await stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
  if (present) return file;
  await mkdir(workDir, { recursive: true });
  const temporary = `${file}.part-${randomUUID()}`;
  try {
    await pipeline(await store.read(uploadId), createWriteStream(temporary));
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
  return file;
}
