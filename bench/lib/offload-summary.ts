// Pure aggregation of the offload bench's per-viewer readings into the figures it reports.
import { z } from 'zod';

export const rungBytesSchema = z.object({ httpBytes: z.number(), p2pBytes: z.number() });

export const viewerStatsSchema = z.object({
  httpBytes: z.number(),
  p2pBytes: z.number(),
  uploadedBytes: z.number(),
  peers: z.number(),
  rejectedSegments: z.number(),
  startupMs: z.number().nullable(),
  stalls: z.number(),
  stalledMs: z.number(),
  currentTime: z.number(),
  ended: z.boolean(),
  errors: z.array(z.string()),
  /** Segment bytes per rung folder name (the real-ladder page reports these; the single-rung page does not). */
  perRung: z.record(z.string(), rungBytesSchema).default({}),
  /** Quality changes after the first level. */
  levelSwitches: z.number().default(0),
  /** Start-up timeline lines ("<ms since start> <event>"), in the order they were noted (the page's, for diagnosis). */
  timeline: z.array(z.string()).default([]),
});
export type ViewerStats = z.infer<typeof viewerStatsSchema>;

export type Summary = {
  /** Bytes from peers / all media bytes the players used. */
  share: number;
  /** The same per rung (rungs nobody played are left out); bytes = all bytes of that rung. */
  perRung: Record<string, { share: number; bytes: number }>;
  levelSwitches: number;
  startupMedianMs: number | null;
  startupMaxMs: number | null;
  stalls: number;
  stalledMs: number;
  finished: number;
  rejected: number;
  errors: string[];
};

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function summarize(stats: readonly ViewerStats[]): Summary {
  const sum = (pick: (s: ViewerStats) => number): number => stats.reduce((total, s) => total + pick(s), 0);
  const http = sum((s) => s.httpBytes);
  const p2p = sum((s) => s.p2pBytes);
  const startups = stats.flatMap((s) => (s.startupMs === null ? [] : [s.startupMs]));
  const rungs: Record<string, { http: number; p2p: number }> = {};
  for (const s of stats) {
    for (const [name, bytes] of Object.entries(s.perRung)) {
      const r = (rungs[name] ??= { http: 0, p2p: 0 });
      r.http += bytes.httpBytes;
      r.p2p += bytes.p2pBytes;
    }
  }
  const perRung: Summary['perRung'] = {};
  for (const [name, r] of Object.entries(rungs)) {
    const bytes = r.http + r.p2p;
    if (bytes > 0) perRung[name] = { share: r.p2p / bytes, bytes };
  }
  return {
    share: http + p2p > 0 ? p2p / (http + p2p) : 0,
    perRung,
    levelSwitches: sum((s) => s.levelSwitches),
    startupMedianMs: median(startups),
    startupMaxMs: startups.length ? Math.max(...startups) : null,
    stalls: sum((s) => s.stalls),
    stalledMs: sum((s) => s.stalledMs),
    finished: stats.filter((s) => s.ended).length,
    rejected: sum((s) => s.rejectedSegments),
    errors: [...new Set(stats.flatMap((s) => s.errors))],
  };
}

/**
 * A viewer's received rate from interface byte counters sampled over time: the mean over the whole
 * run and the highest rate over any `window` consecutive samples (Mbit/s). `samples` are
 * [milliseconds, cumulative bytes] in time order.
 */
export function receivedRates(samples: readonly (readonly [number, number])[], window = 2): { meanMbps: number; peakMbps: number } {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last[0] <= first[0]) return { meanMbps: 0, peakMbps: 0 };
  const rate = (a: readonly [number, number], b: readonly [number, number]): number => ((b[1] - a[1]) * 8) / ((b[0] - a[0]) / 1000) / 1e6;
  let peak = 0;
  for (let i = window; i < samples.length; i += 1) peak = Math.max(peak, rate(samples[i - window]!, samples[i]!));
  return { meanMbps: rate(first, last), peakMbps: samples.length > window ? peak : rate(first, last) };
}
