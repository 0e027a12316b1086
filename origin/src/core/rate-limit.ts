import { TRPCError } from '@trpc/server';

/**
 * New viewing sessions one address may start: 60 per 10 minutes. Generous for a household or an
 * office behind one address (a resume does not count), tight enough that a script cannot open
 * sessions by the thousand to farm views.
 */
export const PLAYBACK_STARTS_PER_ADDRESS = { max: 60, windowMs: 10 * 60_000 } as const;

/** A refused attempt: how long until the next one may be made. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    /** Whole seconds until a retry can succeed; sent as the Retry-After header by the HTTP edge. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * Counts events per key in fixed windows: at most `max` per `windowMs`, then refused until the
 * window that started with the first event has passed. Memory stays bounded (`maxKeys`, oldest
 * dropped first). Check-and-count is one synchronous step, so concurrent requests cannot all pass
 * the check before any of them is counted.
 */
export class WindowCounter {
  private readonly entries = new Map<string, { count: number; firstAt: number }>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one event for `key`, or returns the seconds to wait (and counts nothing) when the key is at its limit. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const wait = this.retryAfterSeconds(key);
    if (wait > 0) return { ok: false, retryAfterSeconds: wait };
    const entry = this.entries.get(key);
    if (entry) {
      entry.count += 1;
    } else {
      this.entries.set(key, { count: 1, firstAt: this.now() });
      if (this.entries.size > this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return { ok: true };
  }

  /** Seconds until `key` may count another event; 0 if it may now. */
  retryAfterSeconds(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const elapsed = this.now() - entry.firstAt;
    if (elapsed >= this.windowMs) {
      this.entries.delete(key);
      return 0;
    }
    return entry.count >= this.max ? Math.max(1, Math.ceil((this.windowMs - elapsed) / 1000)) : 0;
  }

  /** Takes back one event counted by `take` (in the same window). */
  give(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count <= 0) this.entries.delete(key);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }
}

/** The tRPC answer to a refused attempt: a 429 whose message says when to retry (the HTTP edge adds Retry-After from the cause). */
export function tooManyRequests(error: RateLimitedError): TRPCError {
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
}
