// Where a process's event loop stood still, and why, for the tracker benchmark's large-scale run.
// A histogram of event-loop delay (monitorEventLoopDelay) says how long the stalls were, not when:
// to tell which announces a stall delayed, and whether the stall was the process's own work (its
// CPU time ran during it: JavaScript, GC) or the machine not scheduling it (its CPU time did not),
// a short interval timer records each late tick with its time and the CPU the process used meanwhile.
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

/** A span in which the event loop could not run: `at` is when it began (ms since the epoch, sub-ms). */
export interface Stall {
  readonly at: number;
  readonly ms: number;
  /** CPU time (user + system, all threads) the process used during the stall, ms. */
  readonly cpuMs: number;
}

export interface GcPause {
  readonly at: number;
  readonly ms: number;
  readonly kind: 'minor' | 'major' | 'incremental' | 'weakcb' | 'other';
}

/** Milliseconds since the epoch with performance.now()'s resolution: comparable across processes of one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function gcKind(kind: number | undefined): GcPause['kind'] {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor';
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weakcb';
    default:
      return 'other';
  }
}

/**
 * Records every tick of a `tickMs` interval timer that came at least `thresholdMs` late, and every
 * GC pause. Costs one timer wake-up and one getrusage per tick.
 */
export class StallRecorder {
  private stalls: Stall[] = [];
  private pauses: GcPause[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private lastCpu = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: unknown }).detail as { kind?: number } | null | undefined;
      this.pauses.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration, kind: gcKind(detail?.kind) });
    }
  });

  constructor(
    private readonly tickMs = 2,
    private readonly thresholdMs = 4,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.last = epochNow();
    this.lastCpu = cpuMs();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.observer.disconnect();
  }

  /** The stalls and GC pauses recorded since the previous call. */
  take(): { stalls: Stall[]; pauses: GcPause[] } {
    const taken = { stalls: this.stalls, pauses: this.pauses };
    this.stalls = [];
    this.pauses = [];
    return taken;
  }

  private tick(): void {
    const now = epochNow();
    const cpu = cpuMs();
    const late = now - this.last - this.tickMs;
    if (late >= this.thresholdMs) this.stalls.push({ at: this.last + this.tickMs, ms: late, cpuMs: Math.max(0, cpu - this.lastCpu) });
    this.last = now;
    this.lastCpu = cpu;
  }
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Whether [from, to] overlaps any of `spans` (sorted by `at`). */
export function overlapsAny(spans: readonly { at: number; ms: number }[], from: number, to: number): boolean {
  // Binary search for the first span that ends after `from`; spans are short, so look back a little.
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.at < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = Math.max(0, lo - 8); i < spans.length; i++) {
    const span = spans[i]!;
    if (span.at > to) break;
    if (span.at + span.ms >= from) return true;
  }
  return false;
}
