import { Prisma, type PrismaClient } from '../../db/database.ts';
import type { PreferenceProfile, Signal } from './preference-profile.ts';

/** A genre match counts like one fully matching tag. */
export const GENRE_WEIGHT = 1;
/** Popularity multiplies similarity by 1 + ln(1 + popularity) / 10: a nudge, never the whole story. */
export const POPULARITY_DAMPING = 10;

export interface RankedId {
  id: string;
  score: number;
}

const eligible = (excludeOwnerId: string | null, excluded: string[]) => Prisma.sql`
  c."visibility" = 'public' AND c."status" = 'ready'
  ${excludeOwnerId ? Prisma.sql`AND c."ownerId" <> ${excludeOwnerId}::uuid` : Prisma.empty}
  ${excluded.length > 0 ? Prisma.sql`AND c."id" <> ALL(${excluded}::uuid[])` : Prisma.empty}`;

/**
 * Candidates that share a tag or the genre with the profile, scored in SQL:
 *
 *   similarity = Σ weight(tag) over the candidate's tags / √(number of its tags) + GENRE_WEIGHT · weight(genre)
 *   score      = similarity · (1 + ln(1 + popularity) / POPULARITY_DAMPING)
 *
 * The square root keeps a long tag list from buying a match. Only positive scores are kept: what
 * looks more like what the user rated down than like what they enjoyed is not recommended.
 * Scores are rounded so that equal ones are equal, then ties go by popularity and id.
 */
export async function personalPicks(prisma: PrismaClient, profile: PreferenceProfile, userId: string, excluded: string[], limit: number): Promise<RankedId[]> {
  const tagNames = [...profile.tags.keys()];
  const tagWeights = [...profile.tags.values()];
  const genreNames = [...profile.genres.keys()];
  const genreWeights = [...profile.genres.values()];
  if (tagNames.length === 0 && genreNames.length === 0) return [];
  const rows = await prisma.$queryRaw<Array<{ id: string; score: number }>>`
    WITH tag_pref AS (SELECT * FROM unnest(${tagNames}::text[], ${tagWeights}::float8[]) AS p(tag, weight)),
    genre_pref AS (SELECT * FROM unnest(${genreNames}::text[], ${genreWeights}::float8[]) AS g(genre, weight)),
    scored AS (
      SELECT c."id", c."popularity",
        COALESCE((SELECT sum(p.weight) FROM tag_pref p WHERE p.tag = ANY(c."tags")), 0) / sqrt(GREATEST(1, cardinality(c."tags")))
          + ${GENRE_WEIGHT}::float8 * COALESCE((SELECT g.weight FROM genre_pref g WHERE g.genre = c."genre"), 0) AS similarity
      FROM "Content" c
      WHERE ${eligible(userId, excluded)}
        AND (c."tags" && ${tagNames}::text[] OR c."genre" = ANY(${genreNames}::text[]))
    )
    SELECT "id", round((similarity * (1 + ln(1 + "popularity") / ${POPULARITY_DAMPING}::float8))::numeric, 6)::float8 AS score
    FROM scored WHERE similarity > 0
    ORDER BY score DESC, "popularity" DESC, "id" ASC
    LIMIT ${limit}`;
  return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
}

/**
 * The most popular eligible content, ties by id. With a profile, content that overlaps it is left
 * out: it was either ranked by personalPicks already or pushed away by a low rating.
 */
export async function popularPicks(
  prisma: PrismaClient,
  options: { excludeOwnerId: string | null; excluded: string[]; profile: PreferenceProfile | null; limit: number },
): Promise<RankedId[]> {
  const tagNames = options.profile ? [...options.profile.tags.keys()] : [];
  const genreNames = options.profile ? [...options.profile.genres.keys()] : [];
  const noOverlap =
    tagNames.length > 0 || genreNames.length > 0
      ? Prisma.sql`AND NOT (c."tags" && ${tagNames}::text[]) AND (c."genre" IS NULL OR c."genre" <> ALL(${genreNames}::text[]))`
      : Prisma.empty;
  const rows = await prisma.$queryRaw<Array<{ id: string; popularity: number }>>`
    SELECT c."id", c."popularity" FROM "Content" c
    WHERE ${eligible(options.excludeOwnerId, options.excluded)} ${noOverlap}
    ORDER BY c."popularity" DESC, c."id" ASC
    LIMIT ${options.limit}`;
  return rows.map((row) => ({ id: row.id, score: Number(row.popularity) }));
}

/** The liked or watched content that explains a pick best: the largest weight × overlap. */
export function bestReason(candidate: { id: string; tags: string[]; genre: string | null }, signals: Signal[]): string {
  let best: { signal: Signal; strength: number } | null = null;
  const tags = new Set(candidate.tags);
  for (const signal of signals) {
    if (signal.weight <= 0 || signal.contentId === candidate.id) continue;
    const overlap = signal.tags.filter((tag) => tags.has(tag)).length + (signal.genre !== null && signal.genre === candidate.genre ? GENRE_WEIGHT : 0);
    const strength = signal.weight * overlap;
    if (strength > 0 && (!best || strength > best.strength)) best = { signal, strength };
  }
  if (!best) return 'Picked for your interests';
  const { signal } = best;
  return signal.watchFraction !== null && (signal.score === null || signal.score >= 3)
    ? `Because you watched ${signal.title}`
    : `Because you rated ${signal.title} ${signal.score}/5`;
}
