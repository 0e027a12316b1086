import { recommendationsInput, recommendationsSchema, type Recommendation } from '@spherecast/shared';
import { publicProcedure, router } from '../../core/trpc.ts';
import { contentSummarySelect, toSummary } from '../../core/content-view.ts';
import type { PrismaClient } from '../../db/database.ts';
import { buildProfile, loadSignals, type PreferenceProfile, type Signal } from './preference-profile.ts';
import { bestReason, personalPicks, popularPicks, type RankedId } from './ranking.ts';
import type { MediaLinks } from '../../core/media-links.ts';

const POPULAR = 'Popular';

async function withSummaries(
  prisma: PrismaClient,
  links: MediaLinks,
  picks: Array<RankedId & { personal: boolean }>,
  signals: Signal[],
): Promise<Recommendation[]> {
  const rows = await prisma.content.findMany({ where: { id: { in: picks.map((pick) => pick.id) } }, select: contentSummarySelect });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return picks.flatMap((pick) => {
    const row = byId.get(pick.id);
    if (!row) return [];
    const reason = pick.personal ? bestReason(row, signals) : POPULAR;
    return [{ ...toSummary(row, links), reason, score: pick.score }];
  });
}

/**
 * For a signed-in user with history: content like what they watched and rated well (see ranking.ts),
 * then popular content that does not resemble what they rated down. Otherwise: popular content.
 */
export const recommendationsRouter = router({
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/recommendations', tags: ['recommendations'], summary: 'What to watch next, each with the reason' } })
    .input(recommendationsInput)
    .output(recommendationsSchema)
    .query(async ({ ctx, input }) => {
      const userId = ctx.user?.id ?? null;
      const { signals, seen } = userId ? await loadSignals(ctx.prisma, userId) : { signals: [], seen: new Set<string>() };
      const profile: PreferenceProfile | null = signals.length > 0 ? buildProfile(signals) : null;
      const excluded = [...seen];
      const personal = profile && userId ? await personalPicks(ctx.prisma, profile, userId, excluded, input.limit) : [];
      const popular =
        personal.length < input.limit
          ? await popularPicks(ctx.prisma, { excludeOwnerId: userId, excluded, profile, limit: input.limit - personal.length })
          : [];
      const picks = [...personal.map((pick) => ({ ...pick, personal: true })), ...popular.map((pick) => ({ ...pick, personal: false }))];
      return {
        basis: profile ? ('personal' as const) : ('popular' as const),
        items: await withSummaries(ctx.prisma, ctx.mediaLinks, picks, signals),
      };
    }),
});
