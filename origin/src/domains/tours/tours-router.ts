import {
  idInput,
  okSchema,
  tourCreateInput,
  tourDetailSchema,
  tourListInput,
  tourPageSchema,
  tourPublishInput,
  tourScenesSchema,
  tourUpdateInput,
  type TourDetail,
  type TourProblem,
  type TourScene,
  type TourSceneView,
  type TourSummary,
} from '@spherecast/shared';
import { TRPCError } from '@trpc/server';
import { canView } from '../../core/access.ts';
import { VIEWABLE_STATUSES } from '../../core/content-view.ts';
import { forbidden, InputValidationError, notFound } from '../../core/errors.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';
import { creatorProcedure, protectedProcedure, publicProcedure, type Context, type SessionUser } from '../../core/trpc.ts';
import { ownerSelect } from '../../core/user-select.ts';
import type { Prisma } from '../../db/database.ts';
import { canViewTour } from './tour-access.ts';
import { removeTourMedia } from './tour-media.ts';
import { tourEngagementProcedures } from './tour-engagement.ts';
import { tourPublishProblems } from './tour-publish-check.ts';

const tourSelect = {
  id: true,
  ownerId: true,
  title: true,
  description: true,
  mode: true,
  visibility: true,
  status: true,
  destinationId: true,
  scenes: true,
  createdAt: true,
  updatedAt: true,
  publishedAt: true,
  owner: { select: ownerSelect },
} as const satisfies Prisma.TourSelect;
type TourRow = Prisma.TourGetPayload<{ select: typeof tourSelect }>;

const sceneContentSelect = {
  id: true,
  ownerId: true,
  kind: true,
  title: true,
  status: true,
  visibility: true,
  mediaEpoch: true,
  publishedPath: true,
  posterFile: true,
  durationSeconds: true,
} as const satisfies Prisma.ContentSelect;

/** Scenes as stored: written only through tourScenesSchema, read back through it too. */
function scenesOf(row: { scenes: unknown }): TourScene[] {
  return tourScenesSchema.parse(row.scenes);
}

async function loadEditable(ctx: Context & { user: SessionUser }, id: string): Promise<TourRow> {
  const row = await ctx.prisma.tour.findUnique({ where: { id }, select: tourSelect });
  if (!row || !canViewTour(ctx.user, row)) throw notFound('That tour');
  if (row.ownerId !== ctx.user.id && ctx.user.role !== 'admin') throw forbidden('Only the creator of this tour (or an admin) can change it.');
  return row;
}

/** The publish refusal: a 400 whose message names the first problems and whose `data.issues` lists them all. */
function refusal(problems: TourProblem[]): TRPCError {
  const cause = new InputValidationError(
    problems.map((problem) => ({ code: 'custom' as const, path: problem.path, message: problem.message, input: undefined })),
  );
  const shown = problems.slice(0, 3).map((problem) => problem.message);
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more problems)` : '';
  return new TRPCError({ code: 'BAD_REQUEST', message: `The tour cannot be published: ${shown.join(' ')}${more}`, cause });
}

async function detailOf(ctx: Context, row: TourRow): Promise<TourDetail> {
  const scenes = scenesOf(row);
  const contents = await ctx.prisma.content.findMany({
    where: { id: { in: [...new Set(scenes.map((scene) => scene.contentId))] } },
    select: sceneContentSelect,
  });
  const byId = new Map(contents.map((content) => [content.id, content]));
  const views: TourSceneView[] = scenes.map((scene) => {
    const content = byId.get(scene.contentId);
    const visible = content && canView(ctx.user, content) ? content : null;
    return {
      ...scene,
      content: visible
        ? {
            id: visible.id,
            kind: visible.kind,
            title: visible.title,
            posterUrl: ctx.mediaLinks.url(visible.publishedPath, visible.posterFile, visible),
            durationSeconds: visible.durationSeconds,
          }
        : null,
    };
  });
  return { ...summaryOf(row, scenes.length, views[0]?.content?.posterUrl ?? null), scenes: views };
}

function summaryOf(row: TourRow, sceneCount: number, posterUrl: string | null): TourSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    mode: row.mode,
    visibility: row.visibility,
    status: row.status,
    destinationId: row.destinationId,
    sceneCount,
    posterUrl,
    owner: row.owner,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
  };
}

async function requireDestination(ctx: Context, destinationId: string | null | undefined): Promise<void> {
  if (!destinationId) return;
  const found = await ctx.prisma.destination.findUnique({ where: { id: destinationId }, select: { id: true } });
  if (!found)
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'destinationId: that destination does not exist; choose an existing one or leave it empty.' });
}

/** Tours (#15): create and edit drafts, publish (validated), read and list as their visibility allows. */
export const toursRouter = {
  ...tourEngagementProcedures,
  create: creatorProcedure
    .meta({ openapi: { method: 'POST', path: '/tours', tags: ['tours'], summary: 'Create a tour (a draft until published)', protect: true } })
    .input(tourCreateInput)
    .output(tourDetailSchema)
    .mutation(async ({ ctx, input }) => {
      await requireDestination(ctx, input.destinationId);
      const row = await ctx.prisma.tour.create({
        data: {
          ownerId: ctx.user.id,
          title: input.title,
          description: input.description,
          mode: input.mode,
          visibility: input.visibility,
          destinationId: input.destinationId,
          scenes: input.scenes,
        },
        select: tourSelect,
      });
      return detailOf(ctx, row);
    }),

  get: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/tours/{id}',
        tags: ['tours'],
        summary: 'One tour with its scenes, hotspots and what the caller may see of their content',
      },
    })
    .input(idInput)
    .output(tourDetailSchema)
    .query(async ({ ctx, input }) => {
      const row = await ctx.prisma.tour.findUnique({ where: { id: input.id }, select: tourSelect });
      if (!row || !canViewTour(ctx.user, row)) throw notFound('That tour');
      return detailOf(ctx, row);
    }),

  update: protectedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/tours/{id}',
        tags: ['tours'],
        summary: 'Change a tour you own (a published tour is validated again, as at publish)',
        protect: true,
      },
    })
    .input(tourUpdateInput)
    .output(tourDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const current = await loadEditable(ctx, input.id);
      const { id, scenes, ...fields } = input;
      if (fields.destinationId !== undefined) await requireDestination(ctx, fields.destinationId);
      if (current.status === 'published') {
        const problems = await tourPublishProblems(ctx.prisma, {
          ownerId: current.ownerId,
          mode: fields.mode ?? current.mode,
          visibility: fields.visibility ?? current.visibility,
          scenes: scenes ?? scenesOf(current),
        });
        if (problems.length > 0) throw refusal(problems);
      }
      const row = await ctx.prisma.tour.update({
        where: { id },
        data: { ...fields, ...(scenes !== undefined ? { scenes } : {}) },
        select: tourSelect,
      });
      return detailOf(ctx, row);
    }),

  publish: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/tours/{id}/publish',
        tags: ['tours'],
        summary: 'Validate a tour (targets exist and are visible to its audience, hotspots inside the sphere, no orphan scene) and publish it',
        protect: true,
      },
    })
    .input(tourPublishInput)
    .output(tourDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const current = await loadEditable(ctx, input.id);
      const problems = await tourPublishProblems(ctx.prisma, {
        ownerId: current.ownerId,
        mode: current.mode,
        visibility: current.visibility,
        scenes: scenesOf(current),
      });
      if (problems.length > 0) throw refusal(problems);
      const row = await ctx.prisma.tour.update({
        where: { id: current.id },
        data: { status: 'published', publishedAt: current.publishedAt ?? new Date() },
        select: tourSelect,
      });
      return detailOf(ctx, row);
    }),

  delete: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/tours/{id}', tags: ['tours'], summary: 'Delete a tour you own', protect: true } })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await loadEditable(ctx, input.id);
      await ctx.prisma.tour.delete({ where: { id: input.id } });
      await removeTourMedia(ctx, input.id);
      return { ok: true as const };
    }),

  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/tours',
        tags: ['tours'],
        summary: "Published public tours, newest first; with ownerId, that creator's (all of them for the creator)",
      },
    })
    .input(tourListInput)
    .output(tourPageSchema)
    .query(async ({ ctx, input }) => {
      const own = input.ownerId !== undefined && ctx.user?.id === input.ownerId;
      const cursor = decodeDateCursor(input.cursor);
      const rows = await ctx.prisma.tour.findMany({
        where: {
          ...(input.ownerId !== undefined ? { ownerId: input.ownerId } : {}),
          ...(own ? {} : { status: 'published', visibility: 'public' }),
          ...afterCursor(cursor, 'createdAt', 'id'),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        select: tourSelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
      const firstContentIds = page.map((row) => scenesOf(row)[0]?.contentId).filter((id): id is string => id !== undefined);
      const posters = await ctx.prisma.content.findMany({
        where: { id: { in: firstContentIds }, status: { in: [...VIEWABLE_STATUSES] } },
        select: sceneContentSelect,
      });
      const posterOf = new Map(
        posters.map((content) => [content.id, canView(ctx.user, content) ? ctx.mediaLinks.url(content.publishedPath, content.posterFile, content) : null]),
      );
      return {
        items: page.map((row) => {
          const scenes = scenesOf(row);
          return summaryOf(row, scenes.length, posterOf.get(scenes[0]?.contentId ?? '') ?? null);
        }),
        nextCursor,
      };
    }),
};
