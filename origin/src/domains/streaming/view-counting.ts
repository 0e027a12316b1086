import { createHash } from 'node:crypto';
import type { Prisma } from '../../db/database.ts';
import { changeCounters, withContentLocked } from '../../core/counters.ts';
import type { PrismaClient } from '../../db/database.ts';

/**
 * When a viewing session counts as a view, the way large video sites count them: not when a player
 * asks for the stream, but after real playback, and once per viewer per half hour.
 */
export const VIEW_RULES = {
  /**
   * Seconds of playback before a session is a view (or the whole duration of a shorter clip). Both
   * must hold at one heartbeat: the *wall time* since the session started, which the server measures
   * and a client cannot fake, and the *position* the player reports (or `ended`).
   */
  minPlaybackSeconds: 5,
  /** A viewer (a signed-in user, or an anonymous viewer id from one address) counts at most one view per content in this window. */
  windowMs: 30 * 60_000,
  /** Anonymous views one address may add to one content per window (several browsers behind one address). */
  anonymousPerAddress: 5,
} as const;

/** What the database keeps of the address a session was started from (never the address itself). */
export function addressHash(ip: string): string {
  return createHash('sha256').update(`spherecast-viewer-address\u0000${ip}`).digest('hex').slice(0, 32);
}

interface JudgedSession {
  id: string;
  contentId: string;
  userId: string | null;
  anonymousId: string | null;
  addressHash: string | null;
  startedAt: Date;
  viewCheckedAt: Date | null;
}

/** Whether this heartbeat is the first one after real playback (the session has not been judged yet). */
export function playedLongEnough(session: JudgedSession, positionSeconds: number, ended: boolean, durationSeconds: number | null, now: Date): boolean {
  if (session.viewCheckedAt !== null) return false;
  const needed = Math.min(VIEW_RULES.minPlaybackSeconds, durationSeconds ?? VIEW_RULES.minPlaybackSeconds);
  const wallSeconds = (now.getTime() - session.startedAt.getTime()) / 1000;
  return wallSeconds >= needed && (ended || positionSeconds >= needed);
}

/**
 * Judges a session once, under the content's lock (so two sessions of one viewer cannot both
 * count): a view is counted unless the same viewer already has one on this content in the window,
 * or the session's address has reached its anonymous allowance. Returns whether a view was counted.
 */
export async function judgeView(prisma: PrismaClient, session: JudgedSession, now: Date, update: Prisma.ViewingSessionUpdateInput): Promise<boolean> {
  const counted = await withContentLocked(prisma, session.contentId, async (tx) => {
    const current = await tx.viewingSession.findUnique({ where: { id: session.id }, select: { viewCheckedAt: true } });
    if (!current || current.viewCheckedAt !== null) {
      await tx.viewingSession.update({ where: { id: session.id }, data: update, select: { id: true } });
      return false;
    }
    const since = new Date(now.getTime() - VIEW_RULES.windowMs);
    const recent = { contentId: session.contentId, viewCounted: true, viewCheckedAt: { gt: since } } as const;
    let duplicate: boolean;
    if (session.userId) {
      duplicate = (await tx.viewingSession.count({ where: { ...recent, userId: session.userId } })) > 0;
    } else {
      const sameViewer = await tx.viewingSession.count({ where: { ...recent, anonymousId: session.anonymousId, addressHash: session.addressHash } });
      const sameAddress = await tx.viewingSession.count({ where: { ...recent, userId: null, addressHash: session.addressHash } });
      duplicate = sameViewer > 0 || sameAddress >= VIEW_RULES.anonymousPerAddress;
    }
    await tx.viewingSession.update({ where: { id: session.id }, data: { ...update, viewCheckedAt: now, viewCounted: !duplicate }, select: { id: true } });
    if (!duplicate) await changeCounters(tx, session.contentId, { viewCount: 1 });
    return !duplicate;
  });
  return counted === true;
}
