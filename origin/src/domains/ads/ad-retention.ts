import type { OriginServices } from '../../core/services.ts';

/** How long an ad decision that was never shown is kept, at the least. @default 2 days */
export const UNSHOWN_DECISION_RETENTION_MS = 2 * 24 * 3600_000;
/** Rows deleted per statement, so that one sweep never holds a long lock on the table. */
const BATCH = 1000;
/** Statements per sweep at the most; what is left goes at the next one. */
const MAX_BATCHES = 20;

type RetentionServices = Pick<OriginServices, 'prisma' | 'now' | 'config'>;

/**
 * Deletes ad decisions that were never shown. Every ad decision writes an AdImpression row, shown or
 * not (impressedAt null); an unshown one only serves its day's frequency cap and the lookup of a
 * beacon signed for it. After UNSHOWN_DECISION_RETENTION_MS (or the signed beacon URLs' lifetime,
 * if longer, so a late impression beacon still finds its decision) it serves nothing and goes.
 * Shown impressions and any decision with a recorded AdEvent (the campaigns' reports) are kept.
 */
export class AdDecisionRetention {
  readonly #services: RetentionServices;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  /** `intervalMs`: how often to sweep (default hourly). */
  constructor(services: RetentionServices, onError: (error: unknown) => void, intervalMs = 3600_000) {
    this.#services = services;
    this.#onError = onError;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.sweep()
        .catch(this.#onError)
        .finally(() => (this.#running = null));
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async destroy(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Deletes unshown decisions past their retention (up to MAX_BATCHES × BATCH); returns how many. */
  async sweep(): Promise<number> {
    const { prisma, config } = this.#services;
    const keepMs = Math.max(UNSHOWN_DECISION_RETENTION_MS, config.mediaUrlTtlSeconds * 1000);
    const cutoff = new Date(this.#services.now().getTime() - keepMs);
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const stale = await prisma.adImpression.findMany({
        where: { impressedAt: null, createdAt: { lt: cutoff }, events: { none: {} } },
        select: { id: true },
        take: BATCH,
      });
      if (stale.length === 0) break;
      // Checked again: a beacon may have come since the rows were read.
      const { count } = await prisma.adImpression.deleteMany({ where: { id: { in: stale.map((row) => row.id) }, impressedAt: null, events: { none: {} } } });
      deleted += count;
      if (stale.length < BATCH) break;
    }
    return deleted;
  }
}
