/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one login from one address
 * within `windowMs`, further attempts are refused until the window has passed. Kept in memory per
 * origin process (a restart forgets it, which is acceptable for a rate limit).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; firstAt: number }>();

  constructor(
    /** Failed attempts allowed per window. Default 10. */
    private readonly maxFailures = 10,
    /** Default 15 minutes. */
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
    /** Keys kept at most, so a flood of logins cannot grow memory without bound. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until the next attempt is allowed, or 0 if it is allowed now. */
  retryAfterSeconds(ip: string, login: string): number {
    const entry = this.failures.get(this.key(ip, login));
    if (!entry) return 0;
    const elapsed = this.now() - entry.firstAt;
    if (elapsed >= this.windowMs) {
      this.failures.delete(this.key(ip, login));
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(ip: string, login: string): void {
    const key = this.key(ip, login);
    const time = this.now();
    const entry = this.failures.get(key);
    if (!entry || time - entry.firstAt >= this.windowMs) {
      this.failures.delete(key);
      this.failures.set(key, { count: 1, firstAt: time });
      if (this.failures.size > this.maxKeys) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
    } else {
      entry.count += 1;
    }
  }

  recordSuccess(ip: string, login: string): void {
    this.failures.delete(this.key(ip, login));
  }

  private key(ip: string, login: string): string {
    return `${ip}\u0000${login}`;
  }
}
