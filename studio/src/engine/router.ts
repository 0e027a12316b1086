import { z } from 'zod';
import { projectionSchema } from '@spherecast/shared';
import { StudioError } from './errors.ts';
import { projectIdSchema } from './library/project-store.ts';
import type { StoredProject } from './library/project-store.ts';
import { sourcePathSchema } from './library/source-file.ts';
import { ladderInputSchema } from './ladder/ladder.ts';
import { publishMetadataSchema } from './publish/publish-metadata.ts';
import { signInInputSchema } from './publish/origin-session.ts';
import { watchOriginAlerts } from './publish/origin-alerts.ts';
import { liveStartInputSchema } from './live/live-controller.ts';
import { toursRouter } from './tours/tours-router.ts';
import { originProcedure, publicProcedure, router } from './trpc.ts';
import type { StudioContext } from './trpc.ts';

const projectInput = z.object({ id: projectIdSchema });

/** The library row of a project. */
function summaryOf(project: StoredProject) {
  return {
    id: project.id,
    name: project.name,
    sourcePath: project.sourcePath,
    isStill: project.probe.isStill,
    durationSeconds: project.probe.durationSeconds,
    width: project.probe.video.width,
    height: project.probe.video.height,
    sizeBytes: project.probe.sizeBytes,
    projection: project.projection,
    updatedAt: project.updatedAt,
  };
}

/** A project as the project screen shows it; its media is reached through `sourceUrl`, by id. */
function detailOf(project: StoredProject, ctx: StudioContext) {
  return {
    ...summaryOf(project),
    uploaded: project.uploaded,
    createdAt: project.createdAt,
    probe: project.probe,
    checkReport: ctx.engine.checkReportOf(project),
    sourceUrl: ctx.mediaUrl(project.id),
  };
}

const projectsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.engine.store.list().map(summaryOf)),
  get: publicProcedure.input(projectInput).query(({ ctx, input }) => detailOf(ctx.engine.store.get(input.id), ctx)),
  /** Adds a local file (desktop: any path; browser: a path or the path an upload returned). */
  add: publicProcedure.input(z.object({ path: sourcePathSchema })).mutation(async ({ ctx, input }) => {
    const uploaded = ctx.engine.isUpload(input.path);
    return detailOf(await ctx.engine.addProject(input.path, { uploaded }), ctx);
  }),
  remove: publicProcedure.input(projectInput).mutation(async ({ ctx, input }) => {
    await ctx.engine.removeProject(input.id);
    return { ok: true as const };
  }),
  setProjection: publicProcedure
    .input(z.object({ id: projectIdSchema, projection: projectionSchema }))
    .mutation(async ({ ctx, input }) => detailOf(await ctx.engine.setProjection(input.id, input.projection), ctx)),
});

const checkRouter = router({
  /** Runs the stitch check on the project's source and saves the report. Aborts when the caller goes away. */
  run: publicProcedure.input(projectInput).mutation(({ ctx, input, signal }) => ctx.engine.runCheck(input.id, signal)),
});

const ladderRouter = router({
  /** The ladder the media engine plans for this source. */
  plan: publicProcedure.input(projectInput).query(({ ctx, input }) => ctx.engine.planLadder(input.id)),
  /** Validates and saves an edited ladder; throws LADDER_INVALID with the reason. */
  save: publicProcedure
    .input(z.object({ id: projectIdSchema, rungs: ladderInputSchema }))
    .mutation(({ ctx, input }) => ctx.engine.saveLadder(input.id, input.rungs)),
  /** Forgets the edits: the project goes back to the planned ladder. */
  reset: publicProcedure.input(projectInput).mutation(({ ctx, input }) => ctx.engine.resetLadder(input.id)),
});

const jobsRouter = router({
  list: publicProcedure.input(z.object({ projectId: projectIdSchema.optional() }).optional()).query(({ ctx, input }) => ctx.engine.jobs.list(input?.projectId)),
  /** Every job now, then each change (state and progress) as it happens. */
  watch: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const abort = signal ?? new AbortController().signal;
    // Subscribe before listing so no change falls between the two.
    const changes = ctx.engine.jobs.watch(abort);
    for (const job of ctx.engine.jobs.list()) yield job;
    yield* changes;
  }),
  /** Transcodes the project's ladder (video) or renders its photo rungs (photo). */
  start: publicProcedure.input(projectInput).mutation(({ ctx, input }) => ctx.engine.startTranscode(input.id)),
  cancel: publicProcedure.input(z.object({ jobId: z.string().min(1).max(100) })).mutation(({ ctx, input }) => {
    const job = ctx.engine.jobs.get(input.jobId);
    if (!job) throw new StudioError('JOB_NOT_FOUND', 'That job is no longer in the queue.');
    if (!ctx.engine.jobs.cancel(input.jobId)) {
      throw new StudioError('JOB_NOT_CANCELLABLE', `That job has already ${job.state === 'done' ? 'finished' : job.state}.`);
    }
    return ctx.engine.jobs.get(input.jobId);
  }),
});

const originRouter = router({
  /** The signed-in origin and user, or null. Never the token. */
  session: publicProcedure.query(({ ctx }) => ctx.engine.origin.info()),
  signIn: publicProcedure.input(signInInputSchema).mutation(({ ctx, input, signal }) => ctx.engine.origin.signIn(input, signal)),
  signOut: publicProcedure.mutation(({ ctx }) => {
    ctx.engine.origin.signOut();
    return { ok: true as const };
  }),
  /** Emergency alerts in force on the signed-in origin, after every change ([] while signed out). */
  alerts: publicProcedure.subscription(async function* ({ ctx, signal }) {
    yield* watchOriginAlerts(() => ctx.engine.origin.info()?.originUrl ?? null, signal ?? new AbortController().signal);
  }),
});

const publishRouter = router({
  /** Uploads a finished transcode/photo job's output to the signed-in origin, as a job. */
  start: originProcedure
    .input(z.object({ projectId: projectIdSchema, jobId: z.string().min(1).max(100), metadata: publishMetadataSchema }))
    .mutation(({ ctx, input }) => ctx.engine.startPublish(input.projectId, input.jobId, input.metadata, ctx.origin)),
});

const liveRouter = router({
  /** Capture devices of this machine (an empty list where there are none). */
  sources: publicProcedure.query(({ ctx }) => ctx.engine.live.sources()),
  /** The broadcast now (or the last one), or null. */
  status: publicProcedure.query(({ ctx }) => ctx.engine.live.status()),
  /** Goes live: on a channel the signed-in origin opens, or on a given channel with its stream key. */
  start: publicProcedure.input(liveStartInputSchema).mutation(({ ctx, input }) => {
    const signedIn = ctx.engine.origin.info() ? ctx.engine.origin.credentials() : null;
    return ctx.engine.live.start(input, signedIn);
  }),
  end: publicProcedure.mutation(({ ctx }) => ctx.engine.live.end()),
  /** The status now, then every change (health each second). */
  watch: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const abort = signal ?? new AbortController().signal;
    const changes = ctx.engine.live.watch(abort);
    const now = ctx.engine.live.status();
    if (now) yield now;
    yield* changes;
  }),
});

/** The studio engine's whole API. */
export const studioRouter = router({
  app: router({
    info: publicProcedure.query(({ ctx }) => ({ dataDir: ctx.engine.dataDir, ffmpeg: ctx.engine.ffmpegInfo() })),
  }),
  projects: projectsRouter,
  check: checkRouter,
  ladder: ladderRouter,
  jobs: jobsRouter,
  origin: originRouter,
  publish: publishRouter,
  live: liveRouter,
  tours: toursRouter,
});

export type StudioRouter = typeof studioRouter;
