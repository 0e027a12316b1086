import {
  DESTINATION_LIMITS,
  destinationCreateInput,
  destinationDetailSchema,
  destinationLinkInput,
  destinationSearchInput,
  destinationSearchSchema,
  destinationSummarySchema,
  destinationUpdateInput,
  idInput,
  interestsInput,
  interestsStateSchema,
  okSchema,
  type DestinationContent,
  type DestinationDetail,
} from '@spherecast/shared';
import { z } from 'zod';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import { creatorProcedure, protectedProcedure, publicProcedure, type Context, type SessionUser } from '../../core/trpc.ts';
import { contentSummarySelect, toSummary, VIEWABLE_STATUSES } from '../../core/content-view.ts';
import { canEdit, requireEditableContent, requireViewableContent } from '../../core/access.ts';
import { Prisma, type PrismaClient } from '../../db/database.ts';
import {
  averageOf,
  coverUrlOf,
  destinationDetailSelect,
  destinationSummarySelect,
  toDestinationSummary,
  type DestinationDetailRow,
} from './destination-view.ts';
import { boxSql, distanceKmSql } from './geo.ts';

/** A cover must be a public, published content with a poster: the origin already serves and checked it. */
async function checkCover(prisma: PrismaClient, contentId: string): Promise<void> {
  const content = await prisma.content.findUnique({ where: { id: contentId }, select: { visibility: true, status: true, posterFile: true } });
  if (!content || content.visibility !== 'public' || !(VIEWABLE_STATUSES as readonly string[]).includes(content.status)) {
    throw badRequest('coverContentId: no public, published content has that id. Choose a public video or photo for the cover.');
  }
  if (!content.posterFile) throw badRequest('coverContentId: that content has no poster yet. Choose one whose processing is finished.');
}

async function requireEditableDestination(prisma: PrismaClient, user: SessionUser, id: string) {
  const destination = await prisma.destination.findUnique({ where: { id }, select: { id: true, createdById: true } });
  if (!destination) throw notFound('That destination');
  if (!canEdit(user, { ownerId: destination.createdById })) throw forbidden('Only the creator of this destination (or an admin) can change it.');
  return destination;
}

/**
 * The public content at a destination: what creators linked (newest link first), then what lies
 * within its radius (nearest first), at most DESTINATION_LIMITS.contentMax. Only what search may
 * show (`searchable`: public and ready, live or ended), so a private video never appears here.
 */
export async function destinationContent(
  ctx: Pick<Context, 'prisma' | 'mediaLinks'>,
  destination: { id: string; latitude: number; longitude: number; radiusKm: number },
): Promise<DestinationContent[]> {
  const distance = distanceKmSql(Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`, destination);
  const rows = await ctx.prisma.$queryRaw<Array<{ id: string; linked: boolean; distance_km: number | null }>>`
    SELECT c."id", (dc."contentId" IS NOT NULL) AS linked, ${distance} AS distance_km
    FROM "Content" c
    LEFT JOIN "DestinationContent" dc ON dc."contentId" = c."id" AND dc."destinationId" = ${destination.id}::uuid
    WHERE c."searchable" AND (
      dc."contentId" IS NOT NULL
      OR (c."latitude" IS NOT NULL AND c."longitude" IS NOT NULL
          AND ${boxSql(Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`, destination, destination.radiusKm)}
          AND ${distance} <= ${destination.radiusKm}::float8))
    ORDER BY linked DESC, dc."createdAt" DESC NULLS LAST, distance_km ASC NULLS LAST, c."id" ASC
    LIMIT ${DESTINATION_LIMITS.contentMax}`;
  const summaries = await ctx.prisma.content.findMany({ where: { id: { in: rows.map((row) => row.id) } }, select: contentSummarySelect });
  const byId = new Map(summaries.map((row) => [row.id, row]));
  return rows.flatMap((row) => {
    const summary = byId.get(row.id);
    if (!summary) return [];
    const distanceKm = row.distance_km === null ? null : Math.round(Number(row.distance_km) * 100) / 100;
    return [{ ...toSummary(summary, ctx.mediaLinks), linked: row.linked, distanceKm }];
  });
}

async function detailOf(ctx: Context, row: DestinationDetailRow): Promise<DestinationDetail> {
  const [rating, content, tours] = await Promise.all([
    ctx.user
      ? ctx.prisma.destinationRating.findUnique({ where: { userId_destinationId: { userId: ctx.user.id, destinationId: row.id } }, select: { score: true } })
      : null,
    destinationContent(ctx, row),
    // Tours name their destination (Tour.destinationId); what anyone may take is listed here.
    ctx.prisma.tour.findMany({
      where: { destinationId: row.id, status: 'published', visibility: 'public' },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: DESTINATION_LIMITS.contentMax,
      select: { id: true, title: true, description: true, mode: true, publishedAt: true },
    }),
  ]);
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    latitude: row.latitude,
    longitude: row.longitude,
    tags: row.tags,
    coverUrl: coverUrlOf(row.coverContent, ctx.mediaLinks),
    ratingCount: row.ratingCount,
    ratingAverage: averageOf(row.ratingCount, row.ratingSum),
    description: row.description,
    radiusKm: row.radiusKm,
    coverContentId: row.coverContentId,
    createdBy: row.createdBy,
    commentCount: row.commentCount,
    myRating: rating?.score ?? null,
    editable: ctx.user !== null && canEdit(ctx.user, { ownerId: row.createdById }),
    content,
    tours,
    createdAt: row.createdAt,
  };
}

export async function loadDestinationDetail(ctx: Context, id: string): Promise<DestinationDetail> {
  const row = await ctx.prisma.destination.findUnique({ where: { id }, select: destinationDetailSelect });
  if (!row) throw notFound('That destination');
  return detailOf(ctx, row);
}

/** Destinations whose text matches `q` (name, country, tags, description) and/or within a radius, best first. */
export async function searchDestinations(ctx: Pick<Context, 'prisma' | 'mediaLinks'>, input: z.output<typeof destinationSearchInput>) {
  const filters: Prisma.Sql[] = [Prisma.sql`true`];
  const text = input.q && input.q.length > 0 ? input.q : null;
  const document = Prisma.sql`to_tsvector('english', d."name" || ' ' || d."country" || ' ' || array_to_string(d."tags", ' ') || ' ' || d."description")`;
  let rank: Prisma.Sql = Prisma.sql`0::float8`;
  if (text) {
    // Full text for words ("rooftops of lisbon"), and a plain substring on name and country so that
    // a prefix typed in the search box ("lisb") finds the place too.
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const tsQuery = Prisma.sql`websearch_to_tsquery('english', ${text})`;
    filters.push(Prisma.sql`(${document} @@ ${tsQuery} OR d."name" ILIKE ${like} OR d."country" ILIKE ${like})`);
    rank = Prisma.sql`(ts_rank_cd(${document}, ${tsQuery})::float8 + CASE WHEN d."name" ILIKE ${like} THEN 1 ELSE 0 END)`;
  }
  let distance: Prisma.Sql = Prisma.sql`NULL::float8`;
  if (input.near) {
    distance = distanceKmSql(Prisma.sql`d."latitude"`, Prisma.sql`d."longitude"`, input.near);
    if (input.radiusKm !== undefined) {
      filters.push(boxSql(Prisma.sql`d."latitude"`, Prisma.sql`d."longitude"`, input.near, input.radiusKm));
      filters.push(Prisma.sql`${distance} <= ${input.radiusKm}::float8`);
    }
  }
  const order = input.near ? Prisma.sql`distance_km ASC, d."id" ASC` : Prisma.sql`rank DESC, d."ratingCount" DESC, d."name" ASC, d."id" ASC`;
  const rows = await ctx.prisma.$queryRaw<Array<{ id: string; distance_km: number | null }>>`
    SELECT d."id", ${rank} AS rank, ${distance} AS distance_km FROM "Destination" d
    WHERE ${Prisma.join(filters, ' AND ')}
    ORDER BY ${order}
    LIMIT ${input.limit}`;
  const summaries = await ctx.prisma.destination.findMany({ where: { id: { in: rows.map((row) => row.id) } }, select: destinationSummarySelect });
  const byId = new Map(summaries.map((row) => [row.id, row]));
  return {
    items: rows.flatMap((row) => {
      const summary = byId.get(row.id);
      if (!summary) return [];
      return [
        { ...toDestinationSummary(summary, ctx.mediaLinks), distanceKm: row.distance_km === null ? null : Math.round(Number(row.distance_km) * 100) / 100 },
      ];
    }),
  };
}

const MAX_DESTINATIONS_OF_CONTENT = 20;

export const destinationProcedures = {
  create: creatorProcedure
    .meta({ openapi: { method: 'POST', path: '/destinations', tags: ['destinations'], summary: 'Create a destination (creators and admins)', protect: true } })
    .input(destinationCreateInput)
    .output(destinationDetailSchema)
    .mutation(async ({ ctx, input }) => {
      if (input.coverContentId) await checkCover(ctx.prisma, input.coverContentId);
      const row = await ctx.prisma.destination.create({
        data: { ...input, createdById: ctx.user.id, createdAt: ctx.now() },
        select: destinationDetailSelect,
      });
      return detailOf(ctx, row);
    }),

  update: protectedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/destinations/{id}',
        tags: ['destinations'],
        summary: 'Change a destination (its creator or an admin)',
        protect: true,
      },
    })
    .input(destinationUpdateInput)
    .output(destinationDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, ...changes } = input;
      await requireEditableDestination(ctx.prisma, ctx.user, id);
      if (changes.coverContentId) await checkCover(ctx.prisma, changes.coverContentId);
      const row = await ctx.prisma.destination.update({ where: { id }, data: changes, select: destinationDetailSelect });
      return detailOf(ctx, row);
    }),

  delete: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/destinations/{id}',
        tags: ['destinations'],
        summary: 'Delete a destination (its creator or an admin)',
        protect: true,
      },
    })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableDestination(ctx.prisma, ctx.user, input.id);
      await ctx.prisma.destination.delete({ where: { id: input.id } });
      return { ok: true as const };
    }),

  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/destinations/{id}', tags: ['destinations'], summary: 'A destination with the content located there' } })
    .input(idInput)
    .output(destinationDetailSchema)
    .query(({ ctx, input }) => loadDestinationDetail(ctx, input.id)),

  search: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/destinations',
        tags: ['destinations'],
        summary: 'Find destinations by text (name, country, tags, description) and/or distance',
      },
    })
    .input(destinationSearchInput)
    .output(destinationSearchSchema)
    .query(({ ctx, input }) => searchDestinations(ctx, input)),

  link: protectedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/destinations/{id}/content/{contentId}',
        tags: ['destinations'],
        summary: 'Place your content at a destination (idempotent)',
        protect: true,
      },
    })
    .input(destinationLinkInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const destination = await ctx.prisma.destination.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!destination) throw notFound('That destination');
      await requireEditableContent(ctx.prisma, ctx.user, input.contentId);
      await ctx.prisma.destinationContent.upsert({
        where: { destinationId_contentId: { destinationId: input.id, contentId: input.contentId } },
        create: { destinationId: input.id, contentId: input.contentId, addedById: ctx.user.id, createdAt: ctx.now() },
        update: {},
        select: { contentId: true },
      });
      return { ok: true as const };
    }),

  unlink: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/destinations/{id}/content/{contentId}',
        tags: ['destinations'],
        summary: 'Take your content off a destination (idempotent)',
        protect: true,
      },
    })
    .input(destinationLinkInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const destination = await ctx.prisma.destination.findUnique({ where: { id: input.id }, select: { createdById: true } });
      if (!destination) throw notFound('That destination');
      // The content's creator, or the destination's creator curating their page (or an admin).
      if (!canEdit(ctx.user, { ownerId: destination.createdById })) await requireEditableContent(ctx.prisma, ctx.user, input.contentId);
      await ctx.prisma.destinationContent.deleteMany({ where: { destinationId: input.id, contentId: input.contentId } });
      return { ok: true as const };
    }),

  ofContent: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/content/{id}/destinations', tags: ['destinations'], summary: 'The destinations a content is linked to or lies within' },
    })
    .input(idInput)
    .output(z.object({ items: z.array(destinationSummarySchema) }))
    .query(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const content = await ctx.prisma.content.findUnique({ where: { id: input.id }, select: { latitude: true, longitude: true } });
      const near =
        content?.latitude != null && content.longitude != null
          ? Prisma.sql`OR (${boxSql(Prisma.sql`d."latitude"`, Prisma.sql`d."longitude"`, { latitude: content.latitude, longitude: content.longitude }, DESTINATION_LIMITS.radiusKmMax)}
              AND ${distanceKmSql(Prisma.sql`d."latitude"`, Prisma.sql`d."longitude"`, { latitude: content.latitude, longitude: content.longitude })} <= d."radiusKm")`
          : Prisma.empty;
      const rows = await ctx.prisma.$queryRaw<Array<{ id: string }>>`
        SELECT d."id" FROM "Destination" d
        WHERE EXISTS (SELECT 1 FROM "DestinationContent" dc WHERE dc."destinationId" = d."id" AND dc."contentId" = ${input.id}::uuid) ${near}
        ORDER BY d."ratingCount" DESC, d."id" ASC
        LIMIT ${MAX_DESTINATIONS_OF_CONTENT}`;
      const summaries = await ctx.prisma.destination.findMany({ where: { id: { in: rows.map((row) => row.id) } }, select: destinationSummarySelect });
      const byId = new Map(summaries.map((row) => [row.id, row]));
      return { items: rows.flatMap((row) => (byId.has(row.id) ? [toDestinationSummary(byId.get(row.id)!, ctx.mediaLinks)] : [])) };
    }),

  interests: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/me/interests', tags: ['destinations'], summary: 'The interests you stated on your profile', protect: true } })
    .input(z.object({}).optional())
    .output(interestsStateSchema)
    .query(async ({ ctx }) => {
      const user = await ctx.prisma.user.findUnique({ where: { id: ctx.user.id }, select: { interests: true } });
      return { interests: user?.interests ?? [] };
    }),

  setInterests: protectedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/me/interests',
        tags: ['destinations'],
        summary: 'State your interests (replaces the list; empty clears it)',
        protect: true,
      },
    })
    .input(interestsInput)
    .output(interestsStateSchema)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.prisma.user.update({ where: { id: ctx.user.id }, data: { interests: input.interests }, select: { interests: true } });
      return { interests: user.interests };
    }),
};
