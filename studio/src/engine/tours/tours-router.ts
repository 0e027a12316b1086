import { z } from 'zod';
import { idSchema, TOUR_MEDIA_LIMITS } from '@spherecast/shared';
import { originProcedure, router } from '../trpc.ts';
import type { StudioContext } from '../trpc.ts';
import { StudioError } from '../errors.ts';
import { getTour, listSceneCandidates, listTours, publishTour, saveTour, scenePosterDataUrl, tourSaveInput, uploadTourAudio } from './tour-origin.ts';

function signedInUserId(ctx: StudioContext): string {
  const info = ctx.engine.origin.info();
  if (!info) throw new StudioError('NOT_SIGNED_IN', 'Sign in to an origin to edit tours.');
  return info.userId;
}

/** The tour editor (#15): scenes from the creator's published content, drafts and publishing on the signed-in origin. */
export const toursRouter = router({
  /** The creator's ready videos and photos on the origin, to use as scenes. */
  scenes: originProcedure.query(({ ctx }) => listSceneCandidates(ctx.origin, signedInUserId(ctx))),
  /** A scene's poster as a data: URL for the 360 preview; null when it has none. */
  poster: originProcedure
    .input(z.object({ contentId: idSchema }))
    .query(async ({ ctx, input }) => ({ dataUrl: await scenePosterDataUrl(ctx.origin, input.contentId) })),
  /** The creator's tours on the origin, drafts included. */
  list: originProcedure.query(({ ctx }) => listTours(ctx.origin, signedInUserId(ctx))),
  get: originProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => getTour(ctx.origin, input.id)),
  /** Saves a draft (creates the tour the first time). */
  save: originProcedure.input(tourSaveInput).mutation(({ ctx, input }) => saveTour(ctx.origin, input)),
  /** Uploads a narration audio file to a saved tour; answers the `/media/...` address for `audioUrl`. */
  uploadAudio: originProcedure
    .input(
      z.object({
        tourId: idSchema,
        fileName: z.string().trim().min(1).max(200),
        /** The file's bytes, base64 (the renderer holds a File; IPC and HTTP carry JSON). */
        dataBase64: z
          .string()
          .min(1)
          .max(Math.ceil(TOUR_MEDIA_LIMITS.audioMaxBytes / 3) * 4, `an audio file may be at most ${TOUR_MEDIA_LIMITS.audioMaxBytes / 1048576} MiB`),
      }),
    )
    .mutation(({ ctx, input }) => uploadTourAudio(ctx.origin, input.tourId, input.fileName, Buffer.from(input.dataBase64, 'base64'))),
  /** Saves and publishes; the origin's refusal comes back as `{ published: false, message, issues }`. */
  publish: originProcedure.input(tourSaveInput).mutation(({ ctx, input }) => publishTour(ctx.origin, input)),
});
