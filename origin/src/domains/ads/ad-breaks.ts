import type { PrismaClient } from '../../db/database.ts';
import { injectInterstitials, type AdBreakPlan } from './interstitials.ts';

interface ContentBreaks {
  plan: AdBreakPlan;
  broadcastStart: Date | null;
}

interface Cached {
  value: ContentBreaks | null;
  at: number;
}

/**
 * The ad breaks of each content, for the playlists `/media` serves: read at most once a second per
 * content (playlists are requested every target duration by every live viewer), never per request.
 */
export class AdBreakCache {
  readonly #entries = new Map<string, Cached>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(contentId: string): Promise<ContentBreaks | null> {
    const now = Date.now();
    const cached = this.#entries.get(contentId);
    if (cached && now - cached.at < this.ttlMs) return cached.value;
    const row = await this.prisma.adPlacement.findUnique({
      where: { contentId },
      select: {
        enabled: true,
        preroll: true,
        midrollSeconds: true,
        liveMidrollEveryMinutes: true,
        postroll: true,
        content: { select: { liveChannel: { select: { startedAt: true } } } },
      },
    });
    const value =
      row && row.enabled && (row.preroll || row.postroll || row.midrollSeconds.length > 0 || row.liveMidrollEveryMinutes)
        ? {
            plan: { preroll: row.preroll, midrollSeconds: row.midrollSeconds, liveMidrollEveryMinutes: row.liveMidrollEveryMinutes, postroll: row.postroll },
            broadcastStart: row.content.liveChannel?.startedAt ?? null,
          }
        : null;
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(contentId, { value, at: now });
    return value;
  }

  invalidate(contentId: string): void {
    this.#entries.delete(contentId);
  }

  /** A published media playlist of this content as players get it: with its ad breaks, if it has any. */
  async playlistFor(contentId: string, playlist: string): Promise<string> {
    const breaks = await this.get(contentId);
    if (!breaks) return playlist;
    return injectInterstitials(playlist, breaks.plan, { contentId, broadcastStart: breaks.broadcastStart });
  }
}
