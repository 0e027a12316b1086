import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Projection } from '@spherecast/shared';
import { checkStitching, isMediaError, probeMedia, resolveFfmpeg } from '@spherecast/shared/media';
import { reportForRenderer } from './check/check-report.ts';
import type { SavedCheckReport } from './check/check-report.ts';
import { checkAgainstSource, ladderInputSchema, planRungs } from './ladder/ladder.ts';
import type { LadderRung, LadderView } from './ladder/ladder.ts';
import type { PublishMetadata } from './publish/publish-metadata.ts';
import { runPublish } from './publish/publish-job.ts';
import { runTranscode } from './ladder/transcode-job.ts';
import { errorMessage, StudioError } from './errors.ts';
import { JobQueue } from './jobs/job-queue.ts';
import type { JobSnapshot } from './jobs/job-queue.ts';
import { ProjectStore } from './library/project-store.ts';
import type { StoredProject } from './library/project-store.ts';
import { resolveSourceFile } from './library/source-file.ts';
import { OriginSession } from './publish/origin-session.ts';
import { LiveController } from './live/live-controller.ts';

export interface StudioEngineOptions {
  /** Folder for projects, uploads and outputs. Created when missing. */
  dataDir: string;
  /** Jobs running at once. @default 1 */
  jobConcurrency?: number;
  /** Where the engine reports what it skipped or failed to save. @default console.warn */
  warn?: (message: string) => void;
}

/** How a job failure reads in the UI: the media engine's own code and sentence when it has one. */
export function describeJobError(cause: unknown): { code: string; message: string; retryable: boolean } {
  if (isMediaError(cause)) return { code: cause.code, message: cause.message, retryable: cause.retryable };
  if (cause instanceof StudioError) return { code: cause.studioCode, message: cause.message, retryable: cause.retryable };
  return { code: 'JOB_FAILED', message: errorMessage(cause), retryable: true };
}

/** Largest upload the browser mode accepts (browser-mode only; the desktop app opens files in place). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

/**
 * The studio's state and work, free of Electron and HTTP: the project library, the job queue and the origin
 * session. The tRPC router calls it; the desktop app and the browser-mode server host it.
 */
export class StudioEngine {
  readonly dataDir: string;
  readonly store: ProjectStore;
  readonly jobs: JobQueue;
  readonly origin = new OriginSession();
  /** The live broadcast (one at a time). */
  readonly live: LiveController;
  readonly #warn: (message: string) => void;
  readonly #persistJob = (job: JobSnapshot) => this.#onJobChanged(job);
  readonly #lastSavedState = new Map<string, JobSnapshot['state']>();
  #started = false;

  constructor(options: StudioEngineOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.store = new ProjectStore(this.dataDir);
    this.jobs = new JobQueue({ concurrency: options.jobConcurrency ?? 1, describeError: describeJobError });
    this.live = new LiveController(this.dataDir);
    this.#warn = options.warn ?? ((message) => console.warn(message));
  }

  get uploadsDir(): string {
    return path.join(this.dataDir, 'uploads');
  }

  get outputsDir(): string {
    return path.join(this.dataDir, 'outputs');
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await mkdir(this.dataDir, { recursive: true });
    await this.store.load((file, reason) => this.#warn(`Skipped ${file}: it is not a valid project file (${reason}).`));
    for (const project of this.store.list()) this.jobs.restore(project.jobs);
    this.jobs.on('changed', this.#persistJob);
    this.#started = true;
  }

  async destroy(): Promise<void> {
    await this.live.destroy();
    await this.jobs.destroy();
    this.jobs.off('changed', this.#persistJob);
    await this.store.flush();
  }

  /** Probes a file and adds it to the library. The path is validated: resolved, existing, a regular file. */
  async addProject(sourcePath: string, options: { uploaded?: boolean } = {}): Promise<StoredProject> {
    const source = await resolveSourceFile(sourcePath);
    let probe;
    try {
      probe = await probeMedia(source.path);
    } catch (error) {
      throw new StudioError('PROBE_FAILED', isMediaError(error) ? error.message : `ffprobe could not read ${source.path}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    return this.store.create({
      name: path.basename(source.path).replace(/\.[^.]+$/, '') || path.basename(source.path),
      sourcePath: source.path,
      uploaded: options.uploaded === true,
      probe,
      projection: probe.projection.projection ?? 'equirectangular-mono',
    });
  }

  /** Stores an uploaded file in `<data>/uploads/<uuid>/<name>` and returns its path (browser mode). */
  async saveUpload(body: Readable, fileName: string): Promise<string> {
    const folder = path.join(this.uploadsDir, randomUUID());
    await mkdir(folder, { recursive: true });
    const target = path.join(folder, safeFileName(fileName));
    try {
      await pipeline(body, createWriteStream(target, { flags: 'wx' }));
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    return target;
  }

  /** Removes a project from the library: its jobs are cancelled and outputs deleted; an uploaded source copy too. */
  async removeProject(id: string): Promise<void> {
    const project = this.store.get(id);
    const running = this.jobs.list(id).filter((job) => job.state === 'queued' || job.state === 'running');
    for (const job of running) this.jobs.cancel(job.id);
    await Promise.all(running.map((job) => this.jobs.settled(job.id)));
    await this.store.remove(id);
    this.jobs.forget(id);
    await rm(path.join(this.outputsDir, project.id), { recursive: true, force: true });
    if (project.uploaded && isInside(this.uploadsDir, project.sourcePath)) {
      await rm(path.dirname(project.sourcePath), { recursive: true, force: true });
    }
  }

  async setProjection(id: string, projection: Projection): Promise<StoredProject> {
    return this.store.update(id, () => ({ projection }));
  }

  /** True for a path inside the uploads folder (a browser-mode upload the studio owns). */
  isUpload(sourcePath: string): boolean {
    return isInside(this.uploadsDir, path.resolve(sourcePath));
  }

  /** Which ffmpeg the engine uses, or why it has none (shown in the UI). */
  ffmpegInfo(): { path: string; source: string } | { error: string } {
    try {
      const binary = resolveFfmpeg();
      return { path: binary.path, source: binary.source };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  checkReportOf(project: StoredProject) {
    return project.checkReport ? reportForRenderer(project.checkReport) : null;
  }

  /** The probe as the project uses it: with the user's projection choice in place of the detected one. */
  #probeOf(project: StoredProject) {
    return { ...project.probe, projection: { ...project.probe.projection, projection: project.projection } };
  }

  /** Runs the stitch check on the project's source and saves the report. */
  async runCheck(id: string, signal?: AbortSignal) {
    const project = this.store.get(id);
    const source = await resolveSourceFile(project.sourcePath);
    const report = await checkStitching(source.path, {
      probe: this.#probeOf(project),
      samples: project.probe.isStill ? 1 : 6,
      ...(signal ? { signal } : {}),
    });
    const saved: SavedCheckReport = { ...report, checkedAt: new Date().toISOString() };
    await this.store.update(id, () => ({ checkReport: saved }));
    return reportForRenderer(saved);
  }

  /** The planned ladder, the edited one when there is one, and whether it is edited. Photos have no ladder. */
  ladderOf(project: StoredProject): LadderView | null {
    if (project.probe.isStill) return null;
    const probe = this.#probeOf(project);
    const planned = planRungs(probe, project.projection);
    const current = project.ladder ? planRungs(probe, project.projection, project.ladder) : planned;
    return {
      rungs: current.rungs,
      planned: planned.rungs,
      edited: project.ladder !== null,
      segmentSeconds: current.segmentSeconds,
      frameRate: current.frameRate,
      audio: current.audio,
    };
  }

  planLadder(id: string): LadderView | null {
    return this.ladderOf(this.store.get(id));
  }

  /** Validates an edited ladder with the media engine's planner and saves it. */
  async saveLadder(id: string, rungs: LadderRung[]): Promise<LadderView | null> {
    const project = this.store.get(id);
    if (project.probe.isStill) throw new StudioError('LADDER_INVALID', 'Photos have no bitrate ladder; render their rungs instead.');
    const checked = ladderInputSchema.parse(rungs);
    checkAgainstSource(project.probe, checked);
    planRungs(this.#probeOf(project), project.projection, checked);
    return this.ladderOf(await this.store.update(id, () => ({ ladder: checked })));
  }

  async resetLadder(id: string): Promise<LadderView | null> {
    return this.ladderOf(await this.store.update(id, () => ({ ladder: null })));
  }

  /** Queues the transcode of the project's ladder (video) or its photo rungs (photo). */
  startTranscode(id: string): JobSnapshot {
    const project = this.store.get(id);
    const probe = this.#probeOf(project);
    // Planned now, so a bad ladder is refused before it is queued.
    const ladder = this.ladderOf(project);
    const kind = project.probe.isStill ? 'photo' : 'transcode';
    const label = ladder ? `Transcode ${ladder.rungs.map((rung) => rung.name).join(', ')}` : 'Photo rungs';
    return this.jobs.enqueue({ projectId: id, kind, label }, async ({ jobId, signal, report }) => {
      const source = await resolveSourceFile(project.sourcePath);
      const outputDir = this.outputDirFor(id, jobId);
      await rm(outputDir, { recursive: true, force: true });
      await mkdir(path.dirname(outputDir), { recursive: true });
      await runTranscode({ source: source.path, probe, projection: project.projection, rungs: project.ladder, outputDir, signal, report });
      return { outputDir };
    });
  }

  /** Queues the upload of a finished transcode/photo job's output to the signed-in origin. */
  startPublish(projectId: string, jobId: string, metadata: PublishMetadata, origin: { originUrl: string; token: string }): JobSnapshot {
    const project = this.store.get(projectId);
    const ladderJob = this.jobs.get(jobId);
    if (!ladderJob || ladderJob.projectId !== projectId || (ladderJob.kind !== 'transcode' && ladderJob.kind !== 'photo')) {
      throw new StudioError('NOTHING_TO_PUBLISH', 'Pick a finished transcode of this project to publish.');
    }
    const outputDir = ladderJob.output?.outputDir;
    if (ladderJob.state !== 'done' || !outputDir) {
      throw new StudioError('NOTHING_TO_PUBLISH', 'That transcode has not finished. Wait for it in Jobs, then publish.');
    }
    return this.jobs.enqueue({ projectId, kind: 'publish', label: `Publish “${metadata.title}”`, sourceJobId: jobId }, async ({ signal, report }) =>
      runPublish({
        ...origin,
        ladderDir: outputDir,
        kind: project.probe.isStill ? 'photo' : 'video',
        projection: project.projection,
        metadata,
        signal,
        report,
      }),
    );
  }

  /** A project's output folder for one job, inside the data folder. */
  outputDirFor(projectId: string, jobId: string): string {
    return path.join(this.outputsDir, projectId, jobId);
  }

  /** The source file of a project, checked again (it may have moved since it was added). */
  async sourceOf(projectId: string): Promise<{ path: string; sizeBytes: number }> {
    const project = this.store.get(projectId);
    return resolveSourceFile(project.sourcePath);
  }

  #onJobChanged(job: JobSnapshot): void {
    // Progress ticks are not saved; state changes are.
    if (this.#lastSavedState.get(job.id) === job.state) return;
    this.#lastSavedState.set(job.id, job.state);
    if (!this.store.find(job.projectId)) return;
    this.store
      .update(job.projectId, (project) => ({ jobs: [...project.jobs.filter((saved) => saved.id !== job.id), job] }))
      .catch((error: unknown) => this.#warn(`Could not save job ${job.id}: ${errorMessage(error)}`));
  }
}

/** A file name safe to create anywhere: no folders, no control or reserved characters, at most 120 characters. */
export function safeFileName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/'));
  const cleaned = base
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/^\.+/, '')
    .trim();
  const limited = cleaned.length > 120 ? `${cleaned.slice(0, 100)}${cleaned.slice(cleaned.lastIndexOf('.')).slice(0, 20)}` : cleaned;
  return limited || 'upload';
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
