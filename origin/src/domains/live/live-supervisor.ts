import { readdir } from 'node:fs/promises';
import { idSchema } from '@spherecast/shared';
import type { LiveServices } from './broadcast.ts';
import { endBroadcast } from './broadcast.ts';

/**
 * Ends broadcasts whose ingest stopped: a channel on air with no segment for LIVE_GRACE_SECONDS
 * (it shows `reconnecting` meanwhile) is ended into a VOD. It works from the database, so a
 * restarted origin picks up where the previous one was.
 */
export class LiveSupervisor {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly services: LiveServices,
    private readonly onError: (error: unknown) => void,
    /** How often to look (default every second). */
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#running = this.moveLeftoverRecordings()
      .then(() => undefined, this.onError)
      .finally(() => (this.#running = null));
    this.#timer = setInterval(() => {
      this.#running ??= this.sweep()
        .then(() => undefined, this.onError)
        .finally(() => (this.#running = null));
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** Ends every broadcast silent for longer than the grace period; returns how many. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.services.now().getTime() - this.services.config.liveGraceSeconds * 1000);
    const silent = await this.services.prisma.liveChannel.findMany({ where: { state: 'live', lastIngestAt: { lt: cutoff } }, select: { id: true }, take: 20 });
    for (const channel of silent) await endBroadcast(this.services, channel.id, { onlyIfSilentSince: cutoff });
    return silent.length;
  }

  /**
   * With STORAGE=s3, recordings of ended broadcasts still on this origin's disk (it stopped between
   * the end and the move into the bucket) are moved now. Returns how many.
   */
  async moveLeftoverRecordings(): Promise<number> {
    const { media, prisma } = this.services;
    if (!media.remote) return 0;
    let moved = 0;
    for (const contentId of await readdir(media.publishedRoot).catch(() => [] as string[])) {
      if (!idSchema.safeParse(contentId).success) continue;
      const channel = await prisma.liveChannel.findUnique({ where: { contentId }, select: { state: true, content: { select: { publishedPath: true } } } });
      if (channel?.state !== 'ended' || !channel.content.publishedPath) continue;
      if ((await media.moveToBucket(channel.content.publishedPath)) > 0) moved += 1;
    }
    return moved;
  }

  async destroy(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
