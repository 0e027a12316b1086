import { DESTINATION_LIMITS, destinationRecommendationsInput, destinationRecommendationsSchema, type DestinationRecommendation } from '@spherecast/shared';
import { publicProcedure } from '../../core/trpc.ts';
import { Prisma, type PrismaClient } from '../../db/database.ts';
import type { MediaLinks } from '../../core/media-links.ts';
import { destinationSummarySelect, toDestinationSummary } from './destination-view.ts';
import { distanceKmSql } from './geo.ts';

/**
 * "Places like the ones you watched": destinations ranked from what the viewer watched, liked and
 * rated there, the destinations they rated, and the interests they stated.
 *
 * 1. Every content the viewer engaged with is a signal of weight
 *      watched fraction (0..1) + 1 if liked + (score − 3) if rated
 *    (as content recommendations count it, plus likes); a rated destination is a signal of score − 3;
 *    a stated interest is a signal of weight 1 on that one tag.
 * 2. A content signal counts for each destination the content is at (linked by its creator, or
 *    located within the destination's radius). Tag weights add up over those destinations' tags.
 * 3. Each destination the viewer has not been to yet (no signal there) scores
 *      Σ tag weight over its tags / √(number of its tags)
 *    (the square root keeps a long tag list from buying a match); positive scores are kept, rounded to
 *    6 decimals, ties by rating count then id.
 * 4. The reason names the signal that explains it best: weight × tags shared with the pick.
 * Then popular destinations (rating count, rating sum, id) the viewer has not been to and that do not
 * resemble what they rated down fill the list, with the reason "Popular".
 */

const HISTORY_WINDOW = 500;
/** How many destinations sharing a tag with the profile are scored. */
const CANDIDATES = 1_000;

export interface PlaceSignal {
  /** Where the signal counts: the destinations it is at. */
  destinationIds: string[];
  weight: number;
  /** The sentence that names it, when it explains a pick. */
  reason: string;
  /** For an interest: the tag itself (it counts on that tag only, not on its destinations' tags). */
  tag?: string;
}

export function contentReason(signal: { title: string; score: number | null; liked: boolean }): string {
  if (signal.score !== null && signal.score >= 4) return `Because you rated ${signal.title} ${signal.score} stars`;
  if (signal.liked) return `Because you liked ${signal.title}`;
  return `Because you watched ${signal.title}`;
}

interface Place {
  id: string;
  tags: string[];
  ratingCount: number;
}

/** Pure ranking (steps 2-4), unit-testable; `places` has the tags of every destination a signal names. */
export function rankPlaces(signals: PlaceSignal[], tagsOf: Map<string, string[]>, candidates: Place[], limit: number) {
  const tagWeights = new Map<string, number>();
  const visited = new Set<string>();
  for (const signal of signals) {
    if (signal.tag !== undefined) {
      tagWeights.set(signal.tag, (tagWeights.get(signal.tag) ?? 0) + signal.weight);
      continue;
    }
    const tags = new Set<string>();
    for (const id of signal.destinationIds) {
      visited.add(id);
      for (const tag of tagsOf.get(id) ?? []) tags.add(tag);
    }
    for (const tag of tags) tagWeights.set(tag, (tagWeights.get(tag) ?? 0) + signal.weight);
  }
  const scored: Array<{ place: Place; score: number }> = [];
  const pushedAway = new Set<string>();
  for (const place of candidates) {
    if (visited.has(place.id) || place.tags.length === 0) continue;
    const sum = [...new Set(place.tags)].reduce((total, tag) => total + (tagWeights.get(tag) ?? 0), 0);
    const score = Math.round((sum / Math.sqrt(place.tags.length)) * 1e6) / 1e6;
    if (score > 0) scored.push({ place, score });
    else if (score < 0) pushedAway.add(place.id);
  }
  scored.sort((a, b) => b.score - a.score || b.place.ratingCount - a.place.ratingCount || (a.place.id < b.place.id ? -1 : 1));
  const picks = scored.slice(0, limit).map(({ place, score }) => ({ id: place.id, score, reason: bestReason(place, signals, tagsOf) }));
  return { picks, visited, pushedAway, personal: tagWeights.size > 0 };
}

function bestReason(place: Place, signals: PlaceSignal[], tagsOf: Map<string, string[]>): string {
  const tags = new Set(place.tags);
  let best: { reason: string; strength: number } | null = null;
  for (const signal of signals) {
    if (signal.weight <= 0) continue;
    let overlap: number;
    if (signal.tag !== undefined) overlap = tags.has(signal.tag) ? 1 : 0;
    else {
      const shared = new Set<string>();
      for (const id of signal.destinationIds) for (const tag of tagsOf.get(id) ?? []) if (tags.has(tag)) shared.add(tag);
      overlap = shared.size;
    }
    const strength = signal.weight * overlap;
    if (strength > 0 && (!best || strength > best.strength)) best = { reason: signal.reason, strength };
  }
  return best?.reason ?? 'Picked for your interests';
}

/** Step 1: the viewer's signals, and the tags of every destination they touch. */
export async function loadPlaceSignals(prisma: PrismaClient, userId: string): Promise<{ signals: PlaceSignal[]; tagsOf: Map<string, string[]> }> {
  const notOwn = { content: { ownerId: { not: userId } } };
  const [user, sessions, likes, ratings, destinationRatings] = await Promise.all([
    prisma.user.findUnique({ where: { id: userId }, select: { interests: true } }),
    prisma.viewingSession.findMany({
      where: { userId, ...notOwn },
      orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'desc' }],
      take: HISTORY_WINDOW,
      select: { contentId: true, lastPositionSeconds: true, completed: true, content: { select: { title: true, durationSeconds: true } } },
    }),
    prisma.like.findMany({
      where: { userId, ...notOwn },
      orderBy: [{ createdAt: 'desc' }, { contentId: 'asc' }],
      take: HISTORY_WINDOW,
      select: { contentId: true, content: { select: { title: true } } },
    }),
    prisma.rating.findMany({
      where: { userId, ...notOwn },
      orderBy: [{ updatedAt: 'desc' }, { contentId: 'asc' }],
      take: HISTORY_WINDOW,
      select: { contentId: true, score: true, content: { select: { title: true } } },
    }),
    prisma.destinationRating.findMany({
      where: { userId },
      orderBy: [{ updatedAt: 'desc' }, { destinationId: 'asc' }],
      take: HISTORY_WINDOW,
      select: { destinationId: true, score: true, destination: { select: { name: true, tags: true } } },
    }),
  ]);

  const byContent = new Map<string, { title: string; watched: number | null; liked: boolean; score: number | null }>();
  const entry = (contentId: string, title: string) => {
    let found = byContent.get(contentId);
    if (!found) byContent.set(contentId, (found = { title, watched: null, liked: false, score: null }));
    return found;
  };
  for (const session of sessions) {
    const duration = session.content.durationSeconds;
    const fraction = session.completed || !duration ? 1 : Math.min(1, Math.max(0, session.lastPositionSeconds / duration));
    const signal = entry(session.contentId, session.content.title);
    signal.watched = Math.max(signal.watched ?? 0, fraction);
  }
  for (const like of likes) entry(like.contentId, like.content.title).liked = true;
  for (const rating of ratings) entry(rating.contentId, rating.content.title).score = rating.score;

  const contentIds = [...byContent.keys()];
  const placesOf = new Map<string, string[]>();
  const tagsOf = new Map<string, string[]>();
  if (contentIds.length > 0) {
    // Linked by a creator, or located within the destination's radius (the box: at most radiusKmMax).
    const boxDegrees = DESTINATION_LIMITS.radiusKmMax / 111.045 + 0.01;
    const distance = distanceKmSql(Prisma.sql`d."latitude"`, Prisma.sql`d."longitude"`, {
      latitude: Prisma.sql`c."latitude"`,
      longitude: Prisma.sql`c."longitude"`,
    });
    const rows = await prisma.$queryRaw<Array<{ content_id: string; destination_id: string; tags: string[] }>>`
      SELECT c."id" AS content_id, d."id" AS destination_id, d."tags"
      FROM "Content" c JOIN "Destination" d ON
        EXISTS (SELECT 1 FROM "DestinationContent" dc WHERE dc."destinationId" = d."id" AND dc."contentId" = c."id")
        OR (c."latitude" IS NOT NULL AND c."longitude" IS NOT NULL
            AND d."latitude" BETWEEN c."latitude" - ${boxDegrees}::float8 AND c."latitude" + ${boxDegrees}::float8
            AND ${distance} <= d."radiusKm")
      WHERE c."id" = ANY(${contentIds}::uuid[])`;
    for (const row of rows) {
      placesOf.set(row.content_id, [...(placesOf.get(row.content_id) ?? []), row.destination_id]);
      tagsOf.set(row.destination_id, row.tags);
    }
  }

  const signals: PlaceSignal[] = [];
  for (const [contentId, signal] of byContent) {
    const destinationIds = placesOf.get(contentId);
    if (!destinationIds) continue;
    const weight = (signal.watched ?? 0) + (signal.liked ? 1 : 0) + (signal.score === null ? 0 : signal.score - 3);
    signals.push({ destinationIds, weight, reason: contentReason(signal) });
  }
  for (const rating of destinationRatings) {
    tagsOf.set(rating.destinationId, rating.destination.tags);
    signals.push({
      destinationIds: [rating.destinationId],
      weight: rating.score - 3,
      reason: `Because you rated ${rating.destination.name} ${rating.score} stars`,
    });
  }
  for (const interest of user?.interests ?? []) {
    signals.push({ destinationIds: [], weight: 1, reason: `Because you're interested in ${interest}`, tag: interest });
  }
  return { signals, tagsOf };
}

export async function recommendDestinations(prisma: PrismaClient, links: MediaLinks, userId: string | null, limit: number) {
  const { signals, tagsOf } = userId ? await loadPlaceSignals(prisma, userId) : { signals: [], tagsOf: new Map<string, string[]>() };
  const profileTags = new Set<string>();
  for (const signal of signals) {
    if (signal.tag !== undefined) profileTags.add(signal.tag);
    for (const id of signal.destinationIds) for (const tag of tagsOf.get(id) ?? []) profileTags.add(tag);
  }
  const candidates =
    profileTags.size > 0
      ? await prisma.destination.findMany({
          where: { tags: { hasSome: [...profileTags] } },
          orderBy: [{ ratingCount: 'desc' }, { id: 'asc' }],
          take: CANDIDATES,
          select: { id: true, tags: true, ratingCount: true },
        })
      : [];
  const { picks, visited, pushedAway, personal } = rankPlaces(signals, tagsOf, candidates, limit);
  const skip = [...visited, ...pushedAway, ...picks.map((pick) => pick.id)];
  const popular =
    picks.length < limit
      ? await prisma.destination.findMany({
          where: { id: { notIn: skip } },
          orderBy: [{ ratingCount: 'desc' }, { ratingSum: 'desc' }, { id: 'asc' }],
          take: limit - picks.length,
          select: { id: true, ratingCount: true },
        })
      : [];
  const all = [...picks, ...popular.map((row) => ({ id: row.id, score: row.ratingCount, reason: 'Popular' }))];
  const rows = await prisma.destination.findMany({ where: { id: { in: all.map((pick) => pick.id) } }, select: destinationSummarySelect });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const items: DestinationRecommendation[] = all.flatMap((pick) => {
    const row = byId.get(pick.id);
    return row ? [{ ...toDestinationSummary(row, links), reason: pick.reason, score: pick.score }] : [];
  });
  return { basis: personal ? ('personal' as const) : ('popular' as const), items };
}

export const destinationRecommendationProcedures = {
  recommended: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/recommendations/destinations',
        tags: ['destinations'],
        summary: 'Places like the ones you watched, each with the reason',
      },
    })
    .input(destinationRecommendationsInput)
    .output(destinationRecommendationsSchema)
    .query(({ ctx, input }) => recommendDestinations(ctx.prisma, ctx.mediaLinks, ctx.user?.id ?? null, input.limit)),
};
