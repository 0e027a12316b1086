// One real-ladder offload scenario: N viewers, each a Chromium of its own in its own network
// namespace (ViewerNetwork), optionally capped, join the stream a few seconds apart and play it to the end.
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '@spherecast/shared/testing';
import type { ViewerNetwork, NetnsViewer } from './offload-netns.ts';
import type { CountingProxy } from './offload-proxy.ts';
import { receivedRates, viewerStatsSchema, type ViewerStats } from './offload-summary.ts';

export type LadderScenarioOptions = {
  network: ViewerNetwork;
  /** The bench page, at the servers' address as viewers reach it. */
  pageUrl: string;
  masterUrl: string;
  hashesUrl: string | null;
  trackerUrl: string;
  rungNames: string[];
  proxy: CountingProxy;
  /** One entry per viewer in join order: its download cap in Mbit/s, or null. */
  caps: (number | null)[];
  p2p: boolean;
  staggerMs: number;
  clipSeconds: number;
  swarm: string;
  /** p2p-media-loader core and hls.js overrides (JSON-serialisable) handed to the player. */
  core?: Record<string, unknown>;
  hls?: Record<string, unknown>;
  log?: (line: string) => void;
};

export type ViewerResult = { stats: ViewerStats; capMbps: number | null; receivedMB: number; meanMbps: number; peakMbps: number };

export type LadderScenarioResult = {
  viewers: ViewerResult[];
  originSegmentBytes: number;
  wallSeconds: number;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Chromium inside a viewer's namespace; host candidates as plain addresses (mDNS names do not resolve across namespaces). */
export function launchInNamespace(viewer: NetnsViewer): Promise<Browser> {
  return chromium.launch({ executablePath: viewer.chromiumPath, args: [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'] });
}

async function readStats(page: Page): Promise<ViewerStats | null> {
  // A string, not a function: the page's globals are not typed here.
  const raw: unknown = await page.evaluate('typeof window.benchStats === "function" ? window.benchStats() : null').catch(() => null);
  const parsed = viewerStatsSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

const EMPTY: ViewerStats = viewerStatsSchema.parse({
  httpBytes: 0,
  p2pBytes: 0,
  uploadedBytes: 0,
  peers: 0,
  rejectedSegments: 0,
  startupMs: null,
  stalls: 0,
  stalledMs: 0,
  currentTime: 0,
  ended: false,
  errors: ['page did not start'],
});

export async function runLadderScenario(options: LadderScenarioOptions): Promise<LadderScenarioResult> {
  const { network, caps, proxy } = options;
  const viewers = network.viewers.slice(0, caps.length);
  if (viewers.length < caps.length) throw new Error(`the network has ${network.viewers.length} viewers, the scenario needs ${caps.length}`);
  const started = Date.now();
  const browsers: Browser[] = [];
  const samples: [number, number][][] = viewers.map(() => []);
  let sampler: NodeJS.Timeout | null = null;
  try {
    browsers.push(...(await Promise.all(viewers.map(launchInNamespace))));
    const pages = await Promise.all(browsers.map(async (b) => (await b.newContext({ viewport: { width: 320, height: 200 } })).newPage()));
    const params: Record<string, string> = {
      master: options.masterUrl,
      tracker: options.trackerUrl,
      swarm: options.swarm,
      p2p: options.p2p ? '1' : '0',
      rungs: options.rungNames.join(','),
      core: JSON.stringify(options.core ?? {}),
      hls: JSON.stringify(options.hls ?? {}),
      gate: '1',
      ...(options.hashesUrl ? { hashes: options.hashesUrl } : {}),
    };
    // Every page loads its code first (uncapped: a real player's bundle is cached or small; Vite's
    // unbundled dev modules are several MB), then the caps go on and the viewers start STAGGER apart.
    const url = `${options.pageUrl}?${new URLSearchParams(params).toString()}`;
    await Promise.all(pages.map((page) => page.goto(url)));
    await Promise.all(pages.map((page) => page.waitForFunction('typeof window.benchGo === "function"', undefined, { timeout: 120_000 })));
    for (const [i, viewer] of viewers.entries()) await network.setCap(viewer, caps[i] ?? null);
    const sample = async (): Promise<void> => {
      const now = Date.now();
      const counts = await Promise.all(viewers.map((v) => network.receivedBytes(v).catch(() => NaN)));
      counts.forEach((bytes, i) => {
        if (Number.isFinite(bytes)) samples[i]!.push([now, bytes]);
      });
    };
    await sample();
    sampler = setInterval(() => void sample(), 1000);
    proxy.reset();
    for (const [i, page] of pages.entries()) {
      await page.evaluate('window.benchGo()');
      if (i < pages.length - 1) await sleep(options.staggerMs);
    }
    const deadline = Date.now() + (options.clipSeconds + 60) * 1000;
    let latest: (ViewerStats | null)[] = [];
    while (Date.now() < deadline) {
      latest = await Promise.all(pages.map(readStats));
      if (latest.every((s) => s?.ended)) break;
      await sleep(1000);
    }
    latest = await Promise.all(pages.map(readStats));
    clearInterval(sampler);
    sampler = null;
    await sample();
    const results = viewers.map((viewer, i): ViewerResult => {
      const series = samples[i] ?? [];
      const rates = receivedRates(series, 2);
      const bytes = (series[series.length - 1]?.[1] ?? 0) - (series[0]?.[1] ?? 0);
      return { stats: latest[i] ?? EMPTY, capMbps: caps[i] ?? null, receivedMB: bytes / 1e6, ...rates };
    });
    return { viewers: results, originSegmentBytes: proxy.segmentBytes, wallSeconds: (Date.now() - started) / 1000 };
  } finally {
    if (sampler) clearInterval(sampler);
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    for (const viewer of viewers) await network.setCap(viewer, null).catch(() => undefined);
  }
}

/**
 * Caps for the mixed-bandwidth condition in join order: a third of the viewers at 3 Mbit/s, a third
 * at 8, the rest uncapped, interleaved so that the first to join (who fetches most from the origin)
 * is uncapped and capped viewers are spread over the join order.
 */
export function mixedCaps(n: number): (number | null)[] {
  const third = Math.floor(n / 3);
  const pool: (number | null)[][] = [Array<number | null>(n - 2 * third).fill(null), Array<number | null>(third).fill(3), Array<number | null>(third).fill(8)];
  const caps: (number | null)[] = [];
  for (let k = 0; caps.length < n; k += 1) {
    const bucket = pool[k % 3]!;
    const next = bucket.shift();
    if (next !== undefined) caps.push(next);
  }
  return caps;
}
