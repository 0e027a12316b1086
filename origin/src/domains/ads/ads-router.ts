import { TRPCError } from '@trpc/server';
import {
  adCampaignCreateInput,
  adCampaignListSchema,
  adCampaignSchema,
  adCampaignUpdateInput,
  adContentInput,
  adPlacementInput,
  adPlacementSchema,
  adReportInput,
  adReportSchema,
  advertiserGrantInput,
  idInput,
  okSchema,
  publicUserSchema,
  type AdCampaign,
  type AdReportDay,
} from '@spherecast/shared';
import { z } from 'zod';
import { requireEditableContent } from '../../core/access.ts';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import { adminProcedure, protectedProcedure, router, type SessionUser } from '../../core/trpc.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';

/** Campaigns are run by advertisers (an admin grants the role) and seen by admins. */
const advertiserProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'advertiser' && ctx.user.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only advertiser accounts run ad campaigns. Ask an admin to make your account an advertiser.' });
  }
  return next();
});

const campaignSelect = {
  id: true,
  name: true,
  advertiserId: true,
  advertiser: { select: { id: true, username: true, displayName: true } },
  creativeForm: true,
  creative: { select: { id: true, status: true, durationSeconds: true, projection: true } },
  vastTagUrl: true,
  clickThroughUrl: true,
  skipOffsetSeconds: true,
  startsAt: true,
  endsAt: true,
  targetGenres: true,
  targetTags: true,
  targetPlaceName: true,
  targetLatitude: true,
  targetLongitude: true,
  targetRadiusKm: true,
  targetDelivery: true,
  budgetImpressions: true,
  frequencyCapPerDay: true,
  impressions: true,
  paused: true,
  createdAt: true,
} as const satisfies Prisma.AdCampaignSelect;

type CampaignRow = Prisma.AdCampaignGetPayload<{ select: typeof campaignSelect }>;

function campaignOf(row: CampaignRow): AdCampaign {
  return {
    id: row.id,
    name: row.name,
    advertiser: row.advertiser,
    creativeForm: row.creativeForm === '360' ? '360' : 'flat',
    creative: row.creative
      ? { contentId: row.creative.id, status: row.creative.status, durationSeconds: row.creative.durationSeconds, projection: row.creative.projection }
      : null,
    vastTagUrl: row.vastTagUrl,
    clickThroughUrl: row.clickThroughUrl,
    skipOffsetSeconds: row.skipOffsetSeconds,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    targeting: {
      genres: row.targetGenres,
      tags: row.targetTags,
      place:
        row.targetLatitude !== null && row.targetLongitude !== null && row.targetRadiusKm !== null
          ? { placeName: row.targetPlaceName ?? '', latitude: row.targetLatitude, longitude: row.targetLongitude, radiusKm: row.targetRadiusKm }
          : null,
      delivery: row.targetDelivery === 'live' || row.targetDelivery === 'vod' ? row.targetDelivery : 'any',
    },
    budgetImpressions: row.budgetImpressions,
    frequencyCapPerDay: row.frequencyCapPerDay,
    impressions: row.impressions,
    paused: row.paused,
    createdAt: row.createdAt,
  };
}

function targetingData(targeting: z.output<typeof adCampaignCreateInput>['targeting']) {
  return {
    targetGenres: targeting.genres,
    targetTags: targeting.tags,
    targetPlaceName: targeting.place?.placeName ?? null,
    targetLatitude: targeting.place?.latitude ?? null,
    targetLongitude: targeting.place?.longitude ?? null,
    targetRadiusKm: targeting.place?.radiusKm ?? null,
    targetDelivery: targeting.delivery,
  };
}

/** The campaign when the caller is its advertiser or an admin; 404 otherwise (someone else's campaigns do not leak). */
async function ownCampaign(prisma: PrismaClient, user: SessionUser, id: string): Promise<CampaignRow> {
  const row = await prisma.adCampaign.findUnique({ where: { id }, select: campaignSelect });
  if (!row || (row.advertiserId !== user.id && user.role !== 'admin')) throw notFound('That campaign');
  return row;
}

const placementSelect = { contentId: true, enabled: true, preroll: true, midrollSeconds: true, liveMidrollEveryMinutes: true, postroll: true } as const;

const campaignPath = '/ads/campaigns';

export const adsRouter = router({
  campaigns: router({
    list: advertiserProcedure
      .meta({ openapi: { method: 'GET', path: campaignPath, tags: ['ads'], summary: 'Your campaigns, newest first (admins: every campaign)', protect: true } })
      .input(z.object({}).optional())
      .output(adCampaignListSchema)
      .query(async ({ ctx }) => {
        const rows = await ctx.prisma.adCampaign.findMany({
          where: ctx.user.role === 'admin' ? {} : { advertiserId: ctx.user.id },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: 200,
          select: campaignSelect,
        });
        return { items: rows.map(campaignOf) };
      }),

    get: advertiserProcedure
      .meta({ openapi: { method: 'GET', path: `${campaignPath}/{id}`, tags: ['ads'], summary: 'One campaign (its advertiser or an admin)', protect: true } })
      .input(idInput)
      .output(adCampaignSchema)
      .query(async ({ ctx, input }) => campaignOf(await ownCampaign(ctx.prisma, ctx.user, input.id))),

    create: advertiserProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: campaignPath,
          tags: ['ads'],
          summary:
            'Create a campaign. Without vastTagUrl it gets a creative (an unlisted video content): upload its video with POST /api/uploads { contentId }',
          protect: true,
        },
      })
      .input(adCampaignCreateInput)
      .output(adCampaignSchema)
      .mutation(async ({ ctx, input }) => {
        const now = ctx.now();
        const row = await ctx.prisma.$transaction(async (tx) => {
          // Unlisted: the creative plays through signed links, never in search, home or the advertiser's public profile.
          const creative = input.vastTagUrl
            ? null
            : await tx.content.create({
                data: {
                  ownerId: ctx.user.id,
                  kind: 'video',
                  title: `Ad: ${input.name}`.slice(0, 200),
                  visibility: 'unlisted',
                  status: 'draft',
                  createdAt: now,
                },
                select: { id: true },
              });
          return tx.adCampaign.create({
            data: {
              advertiserId: ctx.user.id,
              name: input.name,
              creativeContentId: creative?.id ?? null,
              creativeForm: input.creativeForm,
              vastTagUrl: input.vastTagUrl,
              clickThroughUrl: input.clickThroughUrl,
              skipOffsetSeconds: input.skipOffsetSeconds,
              startsAt: input.startsAt,
              endsAt: input.endsAt,
              ...targetingData(input.targeting),
              budgetImpressions: input.budgetImpressions,
              frequencyCapPerDay: input.frequencyCapPerDay,
              paused: input.paused,
              createdAt: now,
            },
            select: campaignSelect,
          });
        });
        return campaignOf(row);
      }),

    update: advertiserProcedure
      .meta({
        openapi: { method: 'PATCH', path: `${campaignPath}/{id}`, tags: ['ads'], summary: 'Change a campaign (its advertiser or an admin)', protect: true },
      })
      .input(adCampaignUpdateInput)
      .output(adCampaignSchema)
      .mutation(async ({ ctx, input }) => {
        const existing = await ownCampaign(ctx.prisma, ctx.user, input.id);
        const { id, targeting, ...changes } = input;
        const startsAt = changes.startsAt ?? existing.startsAt;
        const endsAt = changes.endsAt ?? existing.endsAt;
        if (endsAt <= startsAt) throw badRequest(`endsAt: must be after startsAt (${startsAt.toISOString()}).`);
        if (changes.vastTagUrl === null && !existing.creative)
          throw badRequest('vastTagUrl: this campaign has no uploaded creative; keep its tag or create a new campaign.');
        const row = await ctx.prisma.adCampaign.update({
          where: { id },
          data: { ...changes, ...(targeting ? targetingData(targeting) : {}) },
          select: campaignSelect,
        });
        return campaignOf(row);
      }),

    delete: advertiserProcedure
      .meta({
        openapi: {
          method: 'DELETE',
          path: `${campaignPath}/{id}`,
          tags: ['ads'],
          summary: 'Remove a campaign and its report (its advertiser or an admin)',
          protect: true,
        },
      })
      .input(idInput)
      .output(okSchema)
      .mutation(async ({ ctx, input }) => {
        await ownCampaign(ctx.prisma, ctx.user, input.id);
        await ctx.prisma.adCampaign.delete({ where: { id: input.id } });
        return { ok: true as const };
      }),

    report: advertiserProcedure
      .meta({
        openapi: {
          method: 'GET',
          path: `${campaignPath}/{id}/report`,
          tags: ['ads'],
          summary: 'Per UTC day: impressions, completion rate, clicks and skips (its advertiser or an admin)',
          protect: true,
        },
      })
      .input(adReportInput)
      .output(adReportSchema)
      .query(async ({ ctx, input }) => {
        await ownCampaign(ctx.prisma, ctx.user, input.id);
        const today = ctx.now();
        const since = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (input.days - 1)));
        const rows = await ctx.prisma.$queryRaw<Array<{ day: string; event: string; count: bigint }>>`
          SELECT to_char("createdAt", 'YYYY-MM-DD') AS day, "event", count(*) AS count
          FROM "AdEvent" WHERE "campaignId" = ${input.id}::uuid AND "createdAt" >= ${since}
          GROUP BY 1, 2 ORDER BY 1`;
        const days = new Map<string, AdReportDay>();
        for (const row of rows) {
          const entry = days.get(row.day) ?? { day: row.day, impressions: 0, completes: 0, completionRate: 0, clicks: 0, skips: 0 };
          const count = Number(row.count);
          if (row.event === 'impression') entry.impressions += count;
          else if (row.event === 'complete') entry.completes += count;
          else if (row.event === 'clickTracking') entry.clicks += count;
          else if (row.event === 'skip') entry.skips += count;
          days.set(row.day, entry);
        }
        const rate = (completes: number, impressions: number) => (impressions > 0 ? Math.min(1, completes / impressions) : 0);
        const list = [...days.values()].map((day) => ({ ...day, completionRate: rate(day.completes, day.impressions) }));
        const sum = (key: 'impressions' | 'completes' | 'clicks' | 'skips') => list.reduce((total, day) => total + day[key], 0);
        return {
          campaignId: input.id,
          days: list,
          totals: {
            impressions: sum('impressions'),
            completes: sum('completes'),
            completionRate: rate(sum('completes'), sum('impressions')),
            clicks: sum('clicks'),
            skips: sum('skips'),
          },
        };
      }),
  }),

  placements: router({
    get: protectedProcedure
      .meta({
        openapi: {
          method: 'GET',
          path: '/ads/placements/{contentId}',
          tags: ['ads'],
          summary: "A content's ad breaks (its creator or an admin)",
          protect: true,
        },
      })
      .input(adContentInput)
      .output(adPlacementSchema)
      .query(async ({ ctx, input }) => {
        await requireEditableContent(ctx.prisma, ctx.user, input.contentId);
        const row = await ctx.prisma.adPlacement.findUnique({ where: { contentId: input.contentId }, select: placementSelect });
        return row ?? { contentId: input.contentId, enabled: false, preroll: false, midrollSeconds: [], liveMidrollEveryMinutes: null, postroll: false };
      }),

    set: protectedProcedure
      .meta({
        openapi: {
          method: 'PUT',
          path: '/ads/placements/{contentId}',
          tags: ['ads'],
          summary: 'Choose whether ads run in a content (or live channel content) and where: pre-roll, mid-rolls, every N minutes of live, post-roll',
          protect: true,
        },
      })
      .input(adPlacementInput)
      .output(adPlacementSchema)
      .mutation(async ({ ctx, input }) => {
        const content = await requireEditableContent(ctx.prisma, ctx.user, input.contentId);
        if (content.kind === 'photo') throw badRequest('contentId: a photo has no ad breaks; choose a video or a live channel.');
        const creativeOf = await ctx.prisma.adCampaign.count({ where: { creativeContentId: input.contentId } });
        if (creativeOf > 0) throw forbidden('This content is an ad creative: it cannot carry ads itself.');
        const { contentId, ...fields } = input;
        return ctx.prisma.adPlacement.upsert({ where: { contentId }, create: { contentId, ...fields }, update: fields, select: placementSelect });
      }),
  }),

  advertisers: router({
    grant: adminProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: '/ads/advertisers',
          tags: ['ads'],
          summary: 'Make an account an advertiser (grant: false makes it a viewer again) (admins)',
          protect: true,
        },
      })
      .input(advertiserGrantInput)
      .output(publicUserSchema)
      .mutation(async ({ ctx, input }) => {
        const user = await ctx.prisma.user.findUnique({ where: { username: input.username }, select: { id: true, role: true } });
        if (!user) throw notFound('That account');
        if (user.role === 'admin') throw badRequest('username: this account is an admin, who can already run campaigns; revoke the admin role first.');
        return ctx.prisma.user.update({
          where: { id: user.id },
          data: { role: input.grant ? 'advertiser' : user.role === 'advertiser' ? 'viewer' : user.role },
          select: { id: true, username: true, displayName: true, bio: true, avatarUrl: true, role: true, createdAt: true },
        });
      }),
  }),
});
