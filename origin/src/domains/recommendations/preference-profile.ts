import type { PrismaClient } from '../../db/database.ts';

/** What one content the user engaged with says about their taste. */
export interface Signal {
  contentId: string;
  title: string;
  tags: string[];
  genre: string | null;
  /** Share of it watched, 0..1 (1 once completed); null when never watched. */
  watchFraction: number | null;
  /** Their rating 1..5, or null. */
  score: number | null;
  /** How much it pulls (positive) or pushes (negative): see signalWeight. */
  weight: number;
}

export interface PreferenceProfile {
  tags: Map<string, number>;
  genres: Map<string, number>;
  signals: Signal[];
}

/** How many recent sessions and ratings shape a profile: enough for taste, bounded work per request. */
const HISTORY_WINDOW = 500;

/**
 * Watched content counts by how much of it was watched (0..1); a rating adds (score − 3), so a 5
 * pulls by 2, a 3 is neutral and a 1 pushes away by 2, even for something watched to the end.
 */
export function signalWeight(watchFraction: number | null, score: number | null): number {
  return (watchFraction ?? 0) + (score === null ? 0 : score - 3);
}

/** Adds up signal weights per tag and per genre; weights that cancel out are dropped. */
export function buildProfile(signals: Signal[]): PreferenceProfile {
  const tags = new Map<string, number>();
  const genres = new Map<string, number>();
  for (const signal of signals) {
    if (signal.weight === 0) continue;
    for (const tag of new Set(signal.tags)) tags.set(tag, (tags.get(tag) ?? 0) + signal.weight);
    if (signal.genre) genres.set(signal.genre, (genres.get(signal.genre) ?? 0) + signal.weight);
  }
  for (const map of [tags, genres]) {
    for (const [key, weight] of map) if (Math.abs(weight) < 1e-9) map.delete(key);
  }
  return { tags, genres, signals: signals.filter((signal) => signal.weight !== 0) };
}

/** Fraction of a content one session covered; a content without duration (a photo) counts as seen. */
function fractionOf(session: { lastPositionSeconds: number; completed: boolean }, durationSeconds: number | null): number {
  if (session.completed || !durationSeconds) return 1;
  return Math.min(1, Math.max(0, session.lastPositionSeconds / durationSeconds));
}

/**
 * The user's signals from their latest sessions and ratings. Their own content is left out: a
 * creator checking an upload says nothing about their taste. Also returns what they finished or
 * rated, which is not recommended back to them.
 */
export async function loadSignals(prisma: PrismaClient, userId: string): Promise<{ signals: Signal[]; seen: Set<string> }> {
  const contentSelect = { select: { title: true, tags: true, genre: true, durationSeconds: true } } as const;
  const notOwn = { content: { ownerId: { not: userId } } };
  const [sessions, ratings] = await Promise.all([
    prisma.viewingSession.findMany({
      where: { userId, ...notOwn },
      orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'desc' }],
      take: HISTORY_WINDOW,
      select: { contentId: true, lastPositionSeconds: true, completed: true, content: contentSelect },
    }),
    prisma.rating.findMany({
      where: { userId, ...notOwn },
      orderBy: [{ updatedAt: 'desc' }, { contentId: 'asc' }],
      take: HISTORY_WINDOW,
      select: { contentId: true, score: true, content: contentSelect },
    }),
  ]);
  const byContent = new Map<string, Signal>();
  const seen = new Set<string>();
  const signalFor = (contentId: string, content: { title: string; tags: string[]; genre: string | null }) => {
    let signal = byContent.get(contentId);
    if (!signal) {
      signal = { contentId, title: content.title, tags: content.tags, genre: content.genre, watchFraction: null, score: null, weight: 0 };
      byContent.set(contentId, signal);
    }
    return signal;
  };
  for (const session of sessions) {
    const signal = signalFor(session.contentId, session.content);
    signal.watchFraction = Math.max(signal.watchFraction ?? 0, fractionOf(session, session.content.durationSeconds));
    if (session.completed) seen.add(session.contentId);
  }
  for (const rating of ratings) {
    signalFor(rating.contentId, rating.content).score = rating.score;
    seen.add(rating.contentId);
  }
  const signals = [...byContent.values()];
  for (const signal of signals) signal.weight = signalWeight(signal.watchFraction, signal.score);
  return { signals, seen };
}
