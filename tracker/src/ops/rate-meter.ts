/**
 * Events per second over a sliding window of whole seconds, without timers: `mark()` advances the
 * ring of per-second buckets lazily from the clock it is given.
 */
export class RateMeter {
  private readonly buckets: Float64Array;
  private currentSecond = 0;

  constructor(private readonly windowSeconds = 10) {
    this.buckets = new Float64Array(windowSeconds);
  }

  mark(nowMs: number, count = 1): void {
    this.advance(Math.floor(nowMs / 1000));
    this.buckets[this.currentSecond % this.windowSeconds]! += count;
  }

  /** Average rate over the last `windowSeconds` complete seconds. */
  perSecond(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    this.advance(second);
    let total = 0;
    for (let i = 1; i <= this.windowSeconds - 1; i++) total += this.buckets[(second - i + this.windowSeconds * 2) % this.windowSeconds]!;
    return total / (this.windowSeconds - 1);
  }

  private advance(second: number): void {
    if (second <= this.currentSecond) return;
    const gap = Math.min(second - this.currentSecond, this.windowSeconds);
    for (let i = 1; i <= gap; i++) this.buckets[(this.currentSecond + i) % this.windowSeconds] = 0;
    this.currentSecond = second;
  }
}
