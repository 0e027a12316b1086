// Walks a live Set a slice at a time: the idle sweep of a tracker holding 100,000 peers on 10,000
// connections took 4-32 ms in one go (measured in bench/tracker-scale.ts), which every announce
// arriving meanwhile waited for. Spread over the period, each step is a fraction of a millisecond.
//
// A Set iterator stays valid while the Set changes: entries deleted before being reached are
// skipped, entries added are reached in the same round. So one iterator carries the walk from one
// step to the next, and each entry is visited once per round.

/**
 * Visits every entry of `entries` once per round, `budget` units per {@link step} (an entry costs
 * what `visit` returns, at least 1: e.g. 1 + the peers it checked).
 */
export class IdleSweeper<T> {
  private cursor: Iterator<T> | null = null;

  constructor(
    private readonly entries: Set<T>,
    private readonly visit: (entry: T) => number,
  ) {}

  /** Visits entries until `budget` units are spent or the round ends; returns true when it ended (the next step starts a new round). */
  step(budget: number): boolean {
    this.cursor ??= this.entries.values();
    let spent = 0;
    while (spent < budget) {
      const next = this.cursor.next();
      if (next.done === true) {
        this.cursor = null;
        return true;
      }
      spent += Math.max(1, this.visit(next.value));
    }
    return false;
  }

  /** Forgets the walk in progress. */
  reset(): void {
    this.cursor = null;
  }
}
