import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isMediaError,
  probeMedia,
  checkStitching,
  shouldChunk,
  transcodeLadder,
  LADDER_FILES,
  type ProbeResult,
  type StitchReport,
  type TranscodeOptions,
} from '@spherecast/shared/media';
import { projectionSchema, type Projection, type UploadStatus, type UploadStitchReport } from '@spherecast/shared';
import { z } from 'zod';
import type { OriginConfig } from '../../core/config.ts';
import type { PrismaClient } from '../../db/database.ts';
import { Prisma } from '../../db/database.ts';
import { faultPoint } from '../../core/fault-injection.ts';
import { sourceFileOf, workDirOf } from './paths.ts';

/** Attempts after which an upload that keeps failing for reasons other than its file is given up. */
export const MAX_ATTEMPTS = 3;
/** A running job touches its upload this often, so other workers can tell it is alive. */
export const HEARTBEAT_MS = 3000;
/** An upload in a processing status untouched for this long has no live worker. */
export const STALE_MS = 15_000;
const ACTIVE: readonly UploadStatus[] = ['probing', 'checking', 'transcoding', 'publishing'];

/** What the pipeline publishes: a finished ladder folder (see the composition root for how). */
export interface LadderToPublish {
  contentId: string;
  dir: string;
  master: string;
  poster: string | undefined;
  durationSeconds: number;
  projection: Projection;
}

export interface PipelineDeps {
  prisma: PrismaClient;
  config: Pick<OriginConfig, 'uploadsDir' | 'dataDir'>;
  /**
   * Makes the ladder the content's published media, atomically and repeatably (the media domain's
   * finalize, wired by the composition root: a domain does not reach into another).
   */
  publishLadder(ladder: LadderToPublish): Promise<void>;
  /** Removes what the tus store keeps of an upload (its bytes and its info file). */
  removeSource(uploadId: string): Promise<void>;
  /**
   * A local file with the upload's bytes for ffprobe and ffmpeg: the tus file in UPLOADS_DIR, or with
   * STORAGE=s3 a copy downloaded from the bucket into `workDir` (default: the file in UPLOADS_DIR).
   */
  sourceFile?(uploadId: string, workDir: string): Promise<string>;
  /** Transcode settings; default: the studio's planned ladder at its default preset. */
  transcode?: { preset?: string; eyeWidths?: readonly number[]; segmentSeconds?: number };
  /**
   * Chunked transcoding of long sources (chunk-jobs.ts): a source longer than two chunks is cut at
   * keyframes and its chunks queued for any worker instead of being transcoded by this job.
   */
  chunking?: { chunkSeconds: number; start(request: ChunkedTranscodeRequest): Promise<void> };
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What the pipeline hands to chunked transcoding: the source, its probe and the ladder's settings. */
export interface ChunkedTranscodeRequest {
  uploadId: string;
  source: string;
  probe: ProbeResult;
  ladder: LadderSettings;
}

/** The transcode settings of one upload (everything of transcodeLadder's options but input and output). */
export type LadderSettings = Pick<TranscodeOptions, 'preset' | 'eyeWidths' | 'segmentSeconds' | 'rungs' | 'projection'>;

/** A failure caused by the file itself: retrying cannot help; the creator gets `message`. */
export class UploadRejectedError extends Error {
  override name = 'UploadRejectedError';
}

const ladderManifestSchema = z.object({
  master: z.string(),
  poster: z.string(),
  durationSeconds: z.number(),
  projection: projectionSchema,
});

/**
 * Processes one upload: probe, stitch check, transcode to the HLS ladder, publish. Each step records
 * its status. The job may be killed at any point and run again (by this or another worker): a step
 * that finished leaves its result where the next attempt finds it (the transcoded ladder is committed
 * by one rename, publish is the media domain's recoverable finalize), and a step that did not is
 * simply done again.
 */
export async function processUpload(deps: PipelineDeps, uploadId: string, options: { afterJoin?: boolean } = {}): Promise<'processed' | 'skipped' | 'chunked'> {
  const { prisma } = deps;
  const select = {
    id: true,
    contentId: true,
    ownerId: true,
    fileName: true,
    status: true,
    sha256: true,
    attempts: true,
    createdAt: true,
    updatedAt: true,
  } as const;
  let row = await prisma.sourceUpload.findUnique({ where: { id: uploadId }, select });
  // pg-boss 10 has no heartbeat: a job that outlives JOB_TIMEOUT_SECONDS is handed to another worker
  // while the first may still be running it. The upload row is the lease: while another worker keeps
  // touching it, wait for that worker to finish (or to die, when the row goes stale).
  // The join of a chunked transcode holds the lease itself (its chunk jobs kept the row fresh).
  while (!options.afterJoin && row && ACTIVE.includes(row.status) && Date.now() - row.updatedAt.getTime() < STALE_MS) {
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS));
    row = await prisma.sourceUpload.findUnique({ where: { id: uploadId }, select });
  }
  // Deleted with its content, or already finished (a duplicate delivery of the job).
  if (!row || row.status === 'ready' || row.status === 'failed' || row.status === 'uploading') return 'skipped';
  const attempts = row.attempts + 1;
  await prisma.sourceUpload.update({ where: { id: uploadId }, data: { attempts } });
  const heartbeat = setInterval(() => {
    void prisma.sourceUpload.updateMany({ where: { id: uploadId, status: { in: [...ACTIVE] } }, data: { attempts } }).catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    return await runSteps(deps, { ...row, attempts });
  } finally {
    clearInterval(heartbeat);
  }
}

async function runSteps(
  deps: PipelineDeps,
  row: { id: string; contentId: string; ownerId: string; fileName: string; sha256: string | null; createdAt: Date; attempts: number },
): Promise<'processed' | 'chunked'> {
  const { prisma } = deps;
  const uploadId = row.id;
  const { attempts } = row;

  // Duplicates never get here: the uploads domain decides them when the bytes are in, one completion
  // per creator at a time.
  const work = workDirOf(deps.config, uploadId);
  const ladderDir = path.join(work, 'ladder');
  const setStatus = (status: UploadStatus, extra: Prisma.SourceUploadUpdateInput = {}) =>
    prisma.sourceUpload.update({ where: { id: uploadId }, data: { status, progress: 0, ...extra } });

  try {
    let ladder = await readLadder(ladderDir, row.contentId);
    if (!ladder) {
      // An ad's flat creative (#14) is a plain video: no 360 layout to require or stitch-check.
      const adForm = (await prisma.adCampaign.findFirst({ where: { creativeContentId: row.contentId }, select: { creativeForm: true } }))?.creativeForm;
      const flat = adForm === 'flat';
      await setStatus('probing');
      const source = deps.sourceFile ? await deps.sourceFile(uploadId, work) : sourceFileOf(deps.config, uploadId);
      const probe = await probeSource(source, row.fileName, flat);
      await setStatus('checking', { projection: probe.projection.projection });
      const report = flat
        ? null
        : await checkStitching(source, { probe, samples: 4 }).catch((error: unknown) => {
            throw rejectedFromMedia(error, row.fileName, 'checked');
          });
      await setStatus('transcoding', report ? { stitchReport: summariseReport(report) as unknown as Prisma.InputJsonValue } : {});
      const settings: LadderSettings = {
        ...(deps.transcode?.preset ? { preset: deps.transcode.preset } : {}),
        // A 360 ad is short and shown between content: a small ladder of its own (1920 and 1280 per eye).
        ...(deps.transcode?.eyeWidths ? { eyeWidths: deps.transcode.eyeWidths } : adForm === '360' ? { eyeWidths: AD_360_EYE_WIDTHS } : {}),
        ...(deps.transcode?.segmentSeconds ? { segmentSeconds: deps.transcode.segmentSeconds } : {}),
        ...(flat ? flatAdLadder(probe) : {}),
      };
      if (deps.chunking && probe.durationSeconds !== null && shouldChunk(probe.durationSeconds, deps.chunking.chunkSeconds)) {
        // The chunk jobs and their join take it from here; the join publishes through processUpload.
        await deps.chunking.start({ uploadId, source, probe, ladder: settings });
        return 'chunked';
      }
      let lastWrite = 0;
      const result = await transcodeLadder({
        input: source,
        out: ladderDir,
        probe,
        overwrite: true,
        ...settings,
        onProgress: (progress) => {
          if (progress.phase === 'encode') faultPoint('processing-during-transcode');
          const now = Date.now();
          if (now - lastWrite < 1000) return;
          lastWrite = now;
          void prisma.sourceUpload
            .updateMany({ where: { id: uploadId, status: 'transcoding' }, data: { progress: Math.min(0.99, progress.percent / 100) } })
            .catch(() => undefined);
        },
      }).catch((error: unknown) => {
        throw rejectedFromMedia(error, row.fileName, 'transcoded');
      });
      ladder = {
        contentId: row.contentId,
        dir: result.outDir,
        master: result.master,
        poster: result.poster,
        durationSeconds: result.durationSeconds,
        projection: result.projection,
      };
    }
    faultPoint('processing-before-publish');
    await setStatus('publishing');
    await deps.publishLadder(ladder);
    // The source goes before the upload shows `ready` (a retry after a crash here republishes the
    // committed ladder, which stays until the end), so `ready` never leaves the raw upload behind.
    await deps.removeSource(uploadId).catch(() => undefined);
    await prisma.sourceUpload.update({ where: { id: uploadId }, data: { status: 'ready', progress: 1, error: null } });
    await rm(work, { recursive: true, force: true });
  } catch (error) {
    if (error instanceof UploadRejectedError) {
      // Nothing is left behind by the time the upload shows `failed`.
      await cleanUp(deps, uploadId, work);
      await fail(deps, uploadId, row.contentId, error.message);
      return 'processed';
    }
    deps.log?.('processing an upload failed', { uploadId, attempts, err: error });
    if (attempts >= MAX_ATTEMPTS) {
      await cleanUp(deps, uploadId, work);
      await fail(
        deps,
        uploadId,
        row.contentId,
        `Processing failed ${attempts} times for a reason on the server's side, not in your file. Upload it again later; if it keeps failing, tell the operator (upload ${uploadId}).`,
      );
      return 'processed';
    }
    // Back to the queue: the next attempt starts from what this one finished.
    await prisma.sourceUpload.updateMany({ where: { id: uploadId, status: { notIn: ['ready', 'failed'] } }, data: { status: 'queued', progress: 0 } });
    throw error;
  }
  return 'processed';
}

/**
 * Gives an upload up (a chunk of it cannot be transcoded, or its chunks keep failing): its source and
 * this machine's work folder go, then the upload shows `failed` with `message`.
 */
export async function failUpload(deps: PipelineDeps, uploadId: string, message: string): Promise<void> {
  const row = await deps.prisma.sourceUpload.findUnique({ where: { id: uploadId }, select: { contentId: true, status: true } });
  if (!row || row.status === 'ready' || row.status === 'failed') return;
  await cleanUp(deps, uploadId, workDirOf(deps.config, uploadId));
  await fail(deps, uploadId, row.contentId, message);
}

async function fail(deps: PipelineDeps, uploadId: string, contentId: string, message: string): Promise<void> {
  await deps.prisma.$transaction([
    deps.prisma.sourceUpload.update({ where: { id: uploadId }, data: { status: 'failed', error: message, progress: 0 } }),
    // A content with nothing published yet shows the failure; one already playing keeps playing.
    deps.prisma.content.updateMany({ where: { id: contentId, publishedPath: null }, data: { status: 'failed' } }),
  ]);
}

async function cleanUp(deps: PipelineDeps, uploadId: string, work: string): Promise<void> {
  await deps.removeSource(uploadId).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

/** The ladder a previous attempt transcoded and committed (StagedOutput renames it into place whole), if any. */
async function readLadder(dir: string, contentId: string): Promise<LadderToPublish | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, LADDER_FILES.manifest), 'utf8');
  } catch {
    return null;
  }
  const parsed = ladderManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  const posterExists = await stat(path.join(dir, parsed.data.poster)).then(
    () => true,
    () => false,
  );
  return { contentId, dir, ...parsed.data, poster: posterExists ? parsed.data.poster : undefined };
}

/** Checks the container and streams from the file's own bytes (ffprobe), whatever its name says. */
async function probeSource(source: string, fileName: string, flat = false): Promise<ProbeResult> {
  let probe: ProbeResult;
  try {
    probe = await probeMedia(source);
  } catch (error) {
    throw rejectedFromMedia(error, fileName, 'read');
  }
  const name = `“${fileName}”`;
  if (probe.isStill) {
    throw new UploadRejectedError(`${name} is a still picture, not a video. Upload a 360° video (MP4 or MOV with H.264 or H.265).`);
  }
  if (probe.durationSeconds === null || probe.durationSeconds < 0.5) {
    throw new UploadRejectedError(`${name} is shorter than half a second or has no duration ffprobe can read. Export the whole recording again and upload it.`);
  }
  if (!probe.projection.projection && !flat) {
    throw new UploadRejectedError(
      `${name} is ${probe.video.width}x${probe.video.height} without 360° metadata, which is not a 360° layout Spherecast plays (2:1 equirectangular, or 1:1 top-bottom stereo). Export it as equirectangular from your stitcher or capture tool, then upload it again.`,
    );
  }
  return probe;
}

const AD_360_EYE_WIDTHS = [1920, 1280] as const;

/**
 * The small ladder of a flat ad creative (#14): its own aspect ratio at 720p and 360p (never above
 * the source). The media engine knows only 360 layouts, so the rungs are given explicitly and the
 * ladder is labelled equirectangular; players draw ads by the asset list's form, not by that label.
 */
function flatAdLadder(probe: ProbeResult): {
  projection: 'equirectangular-mono';
  rungs: Array<{ name: string; width: number; height: number; videoBitrateKbps: number }>;
} {
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  const aspect = probe.video.width / Math.max(1, probe.video.height);
  const fps = probe.video.frameRate > 0 ? probe.video.frameRate : 30;
  const heights = [720, 360].filter((h) => h <= probe.video.height);
  const rungs = (heights.length > 0 ? heights : [even(probe.video.height)]).map((h) => {
    const height = Math.max(32, even(h));
    const width = Math.max(64, even(height * aspect));
    return { name: `${width}x${height}`, width, height, videoBitrateKbps: Math.max(100, Math.round((width * height * fps * 0.1) / 1000)) };
  });
  return { projection: 'equirectangular-mono', rungs };
}

/** The media engine's messages name server paths; the creator gets the same advice about their file. */
export function rejectedFromMedia(error: unknown, fileName: string, step: 'read' | 'checked' | 'transcoded'): Error {
  if (!isMediaError(error)) return error instanceof Error ? error : new Error(String(error));
  const name = `“${fileName}”`;
  switch (error.code) {
    case 'INPUT_UNREADABLE':
    case 'INPUT_NOT_FOUND':
      return new UploadRejectedError(
        `${name} is not a video file ffmpeg can read: it may be damaged, only partly copied, or another kind of file. Check that it plays on your computer, export it again as MP4 (H.264 or H.265), and upload it again.`,
      );
    case 'NO_VIDEO_STREAM':
      return new UploadRejectedError(`${name} has no video stream (only audio or data). Upload the video file of your recording.`);
    case 'NOT_SPHERICAL':
      return new UploadRejectedError(
        `${name} is not an equirectangular 360° video (it may be a cubemap or a flat video). Convert it to equirectangular (2:1) in your stitcher, then upload it again.`,
      );
    case 'FFMPEG_FAILED':
    case 'MP4_MALFORMED':
      return new UploadRejectedError(
        `${name} could not be ${step}: ffmpeg stopped while decoding it, so part of the file is probably damaged. Export it again from your editor or camera app and upload it again.`,
      );
    default:
      // Missing ffmpeg, a full disk, a cancelled job: the server's problem, retried.
      return error;
  }
}

/** What the creator sees of the stitch check: the verdicts and their advice, without server paths or pictures. */
function summariseReport(report: StitchReport): UploadStitchReport {
  return {
    status: report.status,
    checks: report.checks.map(({ id, status, value, threshold, message }) => ({
      id,
      status,
      value,
      threshold,
      message: message.split(report.file).join('the video'),
    })),
  };
}
