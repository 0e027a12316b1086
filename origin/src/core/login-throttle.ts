import { RateLimitedError, WindowCounter } from './rate-limit.ts';

export { RateLimitedError } from './rate-limit.ts';

/** A reserved sign-in attempt: counted as a failure unless `succeeded()` is called. */
export interface LoginAttempt {
  /** The password was right: the attempt is taken back and the failures of this login from this address are forgotten. */
  succeeded(): void;
  /** The password could not be checked (a database error): the attempt is taken back, nothing is forgotten. */
  abandoned(): void;
}

/**
 * Slows password guessing. Every attempt is counted *before* the password is checked (a
 * reservation), and taken back only when it succeeds, so a tRPC batch of 100 logins, or 100
 * concurrent requests, cannot all be checked before the first failure is recorded: whatever the
 * transport, at most `maxFailures` wrong passwords per login and address are ever verified per
 * window, and at most `maxFailuresPerAddress` across all logins from one address. Kept in memory
 * per origin process (a restart forgets it, which is acceptable for a rate limit).
 */
export class LoginThrottle {
  private readonly perLogin: WindowCounter;
  private readonly perAddress: WindowCounter;

  constructor(
    /** Failed attempts allowed per login and address per window. Default 10. */
    maxFailures = 10,
    /** Default 15 minutes. */
    windowMs = 15 * 60_000,
    now: () => number = Date.now,
    /** Keys kept at most, so a flood of logins cannot grow memory without bound. */
    maxKeys = 100_000,
    /** Failed attempts allowed per address across all logins per window (password spraying). Default 100. */
    maxFailuresPerAddress = 100,
  ) {
    this.perLogin = new WindowCounter(maxFailures, windowMs, now, maxKeys);
    this.perAddress = new WindowCounter(maxFailuresPerAddress, windowMs, now, maxKeys);
  }

  /**
   * Reserves one attempt for `login` from `ip`, or throws a RateLimitedError when either limit is
   * reached. Synchronous: call it before any `await` of the sign-in.
   */
  reserve(ip: string, login: string): LoginAttempt {
    const loginKey = `${ip}\u0000${login}`;
    const loginWait = this.perLogin.retryAfterSeconds(loginKey);
    const addressWait = this.perAddress.retryAfterSeconds(ip);
    if (loginWait > 0 || addressWait > 0) {
      const wait = Math.max(loginWait, addressWait);
      const what = loginWait > 0 ? 'for this account from your address' : 'from your address';
      throw new RateLimitedError(`Too many failed sign-ins ${what}. Try again in ${Math.ceil(wait / 60)} minute(s), or reset your password.`, wait);
    }
    this.perLogin.take(loginKey);
    this.perAddress.take(ip);
    let settled = false;
    return {
      succeeded: () => {
        if (settled) return;
        settled = true;
        this.perLogin.clear(loginKey);
        // Only this attempt is taken back: signing in to one's own account must not wipe the
        // failures an address made against other accounts.
        this.perAddress.give(ip);
      },
      abandoned: () => {
        if (settled) return;
        settled = true;
        this.perLogin.give(loginKey);
        this.perAddress.give(ip);
      },
    };
  }

  /** Seconds until `login` may be tried again from `ip`; 0 if it may now. */
  retryAfterSeconds(ip: string, login: string): number {
    return Math.max(this.perLogin.retryAfterSeconds(`${ip}\u0000${login}`), this.perAddress.retryAfterSeconds(ip));
  }
}
