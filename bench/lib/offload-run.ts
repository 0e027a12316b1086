// One offload scenario: N viewer pages join the same stream a few seconds apart and play it to the end.
import { z } from 'zod';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CountingProxy } from './offload-proxy.ts';

const viewerStatsSchema = z.object({
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
});
export type ViewerStats = z.infer<typeof viewerStatsSchema>;

export type ScenarioOptions = {
  browser: Browser;
  /** The bench page (served by Vite). */
  pageUrl: string;
  masterUrl: string;
  hashesUrl: string | null;
  trackerUrl: string;
  proxy: CountingProxy;
  viewers: number;
  p2p: boolean;
  staggerMs: number;
  clipSeconds: number;
  /** Unique per scenario, so no two scenarios share a swarm. */
  swarm: string;
};

export type ScenarioResult = {
  viewers: number;
  p2p: boolean;
  stats: ViewerStats[];
  /** Media segment bytes the origin sent during the scenario. */
  originSegmentBytes: number;
  wallSeconds: number;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readStats(page: Page): Promise<ViewerStats | null> {
  // A string, not a function: the bench is type-checked without DOM types.
  const raw: unknown = await page.evaluate('typeof window.benchStats === "function" ? window.benchStats() : null').catch(() => null);
  const parsed = viewerStatsSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { browser, viewers, p2p, staggerMs, clipSeconds, proxy } = options;
  const started = Date.now();
  proxy.reset();
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  const query = new URLSearchParams({
    master: options.masterUrl,
    tracker: options.trackerUrl,
    swarm: options.swarm,
    p2p: p2p ? '1' : '0',
    ...(options.hashesUrl ? { hashes: options.hashesUrl } : {}),
  });
  try {
    for (let i = 0; i < viewers; i += 1) {
      const context = await browser.newContext({ viewport: { width: 320, height: 200 } });
      contexts.push(context);
      const page = await context.newPage();
      pages.push(page);
      await page.goto(`${options.pageUrl}?${query.toString()}`);
      if (i < viewers - 1) await sleep(staggerMs);
    }
    // Everyone plays to the end; give a slow machine room, then stop regardless.
    const deadline = Date.now() + (clipSeconds + 30) * 1000;
    let latest: (ViewerStats | null)[] = [];
    while (Date.now() < deadline) {
      latest = await Promise.all(pages.map(readStats));
      if (latest.every((s) => s?.ended)) break;
      await sleep(1000);
    }
    latest = await Promise.all(pages.map(readStats));
    const stats = latest.map(
      (s): ViewerStats =>
        s ?? {
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
        },
    );
    return { viewers, p2p, stats, originSegmentBytes: proxy.segmentBytes, wallSeconds: (Date.now() - started) / 1000 };
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  }
}
