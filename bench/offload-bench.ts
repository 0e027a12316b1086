// `npm run bench -- offload`: how much of a stream's delivery viewers take off the origin.
//
// A real origin (PGlite) and tracker on loopback, a 360 clip published through the media engine,
// then for N = 2, 4, 8 and the most this machine holds: N Chromium pages (the shared player, no 3D
// rendering) join the stream STAGGER seconds apart and play it to the end, once with P2P off and once
// with P2P on. Reported: the share of media bytes from peers against the limit 1 − 1/N (one copy from
// the origin, N − 1 from peers), the origin's segment egress, start-up times and stalls.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@spherecast/shared/testing';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { startOffloadPageServer } from './lib/offload-page-server.ts';
import { createOrigin, type Origin } from '@spherecast/origin';
import { TrackerServer } from '@spherecast/tracker';
import { createOriginClient } from '@spherecast/origin/client';
import { publishToOrigin } from '@spherecast/origin/publish';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';
import { readFile } from 'node:fs/promises';
import { machineLine, RESULTS_FILE } from './lib/results.ts';
import { runLadderOffload } from './lib/offload-ladder-bench.ts';
import { startCountingProxy, type CountingProxy } from './lib/offload-proxy.ts';
import { runScenario, type ScenarioResult, type ViewerStats } from './lib/offload-run.ts';

export type OffloadBenchOptions = {
  /** Viewer counts to run. Default 2, 4, 8 and `maxViewers`. */
  viewerCounts?: number[];
  /** Largest N. Env OFFLOAD_MAX_VIEWERS; default from cores and free memory (see defaultMaxViewers). */
  maxViewers?: number;
  /** Clip length in seconds. Env OFFLOAD_CLIP_SECONDS; default 30. */
  clipSeconds?: number;
  /** Delay between viewers joining, ms. Env OFFLOAD_STAGGER_MS; default 2000. */
  staggerMs?: number;
  log?: (line: string) => void;
};

/** Target from bench/README.md: at least this fraction of 1 − 1/N at every N. */
const TARGET_OF_LIMIT = 0.8;

/**
 * A Chromium page playing a 768x384 clip costs roughly 150 MB and a few percent of a core; past
 * ~6 pages per core the decoder, not delivery, starts to stall.
 */
function defaultMaxViewers(): number {
  const byCpu = os.cpus().length * 6;
  const byMemory = Math.floor(os.freemem() / (250 * 2 ** 20));
  return Math.max(8, Math.min(24, byCpu, byMemory));
}

function envNumber(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

type Summary = {
  share: number;
  startupMedianMs: number | null;
  startupMaxMs: number | null;
  stalls: number;
  stalledMs: number;
  finished: number;
  rejected: number;
  errors: string[];
};

function summarize(result: ScenarioResult): Summary {
  const sum = (pick: (s: ViewerStats) => number): number => result.stats.reduce((total, s) => total + pick(s), 0);
  const http = sum((s) => s.httpBytes);
  const p2p = sum((s) => s.p2pBytes);
  const startups = result.stats.flatMap((s) => (s.startupMs === null ? [] : [s.startupMs]));
  return {
    share: http + p2p > 0 ? p2p / (http + p2p) : 0,
    startupMedianMs: median(startups),
    startupMaxMs: startups.length ? Math.max(...startups) : null,
    stalls: sum((s) => s.stalls),
    stalledMs: sum((s) => s.stalledMs),
    finished: result.stats.filter((s) => s.ended).length,
    rejected: sum((s) => s.rejectedSegments),
    errors: [...new Set(result.stats.flatMap((s) => s.errors))],
  };
}

/** The single-rung part of the last offload section in RESULTS.md (everything before the real-ladder part). */
async function previousSingleRung(): Promise<string | null> {
  const text = await readFile(RESULTS_FILE, 'utf8').catch(() => '');
  const start = text.indexOf('<!-- bench:offload:start -->');
  const end = text.indexOf('<!-- bench:offload:end -->');
  if (start < 0 || end < start) return null;
  const section = text.slice(start + '<!-- bench:offload:start -->'.length, end);
  const ladder = section.indexOf('### Real ladder');
  return (ladder >= 0 ? section.slice(0, ladder) : section).trim() || null;
}

export async function runOffloadBench(options: OffloadBenchOptions = {}): Promise<{ markdown: string }> {
  const log = options.log ?? ((line: string) => console.log(`offload: ${line}`));
  const single =
    process.env.OFFLOAD_SINGLE_RUNG === '1' || options.viewerCounts
      ? (await runSingleRungBench({ ...options, log })).markdown
      : ((await previousSingleRung()) ?? '## Offload (P2P share of delivery)\n\nSingle-rung run not made yet (OFFLOAD_SINGLE_RUNG=1).');
  const ladder = process.env.OFFLOAD_LADDER === '0' ? '' : await runLadderOffload(log);
  return { markdown: [single, ladder].filter(Boolean).join('\n\n') };
}

/** The original single-rung run: one 1.2 Mbit/s 768x384 rung, N pages in one Chromium on loopback. */
async function runSingleRungBench(options: OffloadBenchOptions = {}): Promise<{ markdown: string }> {
  const log = options.log ?? ((line: string) => console.log(`offload: ${line}`));
  const clipSeconds = options.clipSeconds ?? envNumber('OFFLOAD_CLIP_SECONDS') ?? 30;
  const staggerMs = options.staggerMs ?? envNumber('OFFLOAD_STAGGER_MS') ?? 2000;
  const maxViewers = options.maxViewers ?? envNumber('OFFLOAD_MAX_VIEWERS') ?? defaultMaxViewers();
  const viewerCounts = options.viewerCounts ?? [...new Set([2, 4, 8, maxViewers])].sort((a, b) => a - b);
  const date = new Date().toISOString();

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-offload-'));
  let tracker: TrackerServer | null = null;
  let origin: Origin | null = null;
  let proxy: CountingProxy | null = null;
  let vite: ViteDevServer | null = null;
  let browser: Browser | null = null;
  const rows: { n: number; off: Summary; on: Summary; offResult: ScenarioResult; onResult: ScenarioResult }[] = [];
  try {
    log(`encoding a ${clipSeconds} s clip`);
    const source = path.join(workDir, 'source.mp4');
    await generateEquirectFixture({ out: source, seconds: clipSeconds, width: 768, fps: 24, audio: true });
    const ladderDir = path.join(workDir, 'ladder');
    // One rung: viewers on different rungs are different swarms, which would measure the ABR, not P2P.
    await transcodeLadder({ input: source, out: ladderDir, segmentSeconds: 2, rungs: [{ name: '768', width: 768, height: 384, videoBitrateKbps: 1200 }] });

    // OFFLOAD_TRACKER_URL points the viewers at a tracker already running (e.g. a deployed one).
    let trackerUrl = process.env.OFFLOAD_TRACKER_URL;
    if (!trackerUrl) {
      tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'warn' });
      await tracker.start();
      trackerUrl = tracker.url;
    }
    origin = await createOrigin({ port: 0, host: '127.0.0.1', dataDir: path.join(workDir, 'data'), trackerUrl, seedDemo: false });
    const client = createOriginClient({ baseUrl: origin.url });
    const { token } = await client.api.auth.register.mutate({
      username: 'bench_creator',
      email: 'bench@example.test',
      password: 'bench-password-1',
      role: 'creator',
    });
    const published = await publishToOrigin({ origin: origin.url, auth: { token }, dir: ladderDir, content: { title: 'Offload bench clip' } });
    // The playback payload names the master and the segment hashes (content details carry no playback URLs).
    const detail = await client.api.streaming.start.query({ id: published.contentId });
    if (!detail.masterUrl) throw new Error('published content has no masterUrl');

    // Viewers fetch media through the counting proxy; its URL replaces the origin's in every media URL.
    proxy = await startCountingProxy(origin.url);
    const viaProxy = (url: string): string => proxy!.url + new URL(url).pathname;
    const masterUrl = viaProxy(detail.masterUrl);
    const hashesUrl = detail.segmentHashesUrl ? viaProxy(detail.segmentHashesUrl) : null;

    const page = await startOffloadPageServer();
    vite = page.server;
    const pageUrl = page.url;
    browser = await launchChromium();
    // Warm Vite's dependency optimisation so the first measured page does not pay for it.
    const warm = await browser.newPage();
    await warm.goto(`${pageUrl}?master=${encodeURIComponent(masterUrl)}&tracker=${encodeURIComponent(trackerUrl)}&swarm=warmup&p2p=0`);
    await warm.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await warm.close();

    for (const n of viewerCounts) {
      const results: Partial<Record<'off' | 'on', ScenarioResult>> = {};
      for (const p2p of [false, true]) {
        log(`N=${n}, P2P ${p2p ? 'on' : 'off'}`);
        const result = await runScenario({
          browser,
          pageUrl,
          masterUrl,
          hashesUrl,
          trackerUrl,
          proxy,
          viewers: n,
          p2p,
          staggerMs,
          clipSeconds,
          swarm: `bench-${n}-${p2p ? 'on' : 'off'}-${Date.now()}`,
        });
        const s = summarize(result);
        log(
          `  share ${pct(s.share)} of limit ${pct(1 - 1 / n)}, origin ${mb(result.originSegmentBytes)}, stalls ${s.stalls}, start-up median ${s.startupMedianMs} ms, finished ${s.finished}/${n}`,
        );
        results[p2p ? 'on' : 'off'] = result;
      }
      const offResult = results.off;
      const onResult = results.on;
      if (offResult && onResult) rows.push({ n, off: summarize(offResult), on: summarize(onResult), offResult, onResult });
    }
  } finally {
    await browser?.close();
    await vite?.close();
    await proxy?.close();
    await origin?.close();
    await tracker?.destroy();
    await rm(workDir, { recursive: true, force: true });
  }

  const lines: string[] = [];
  lines.push('## Offload (P2P share of delivery)', '');
  lines.push(`Machine: ${machineLine()}. Date: ${date}.`, '');
  lines.push(
    `N Chromium viewer pages (shared player, no 3D rendering) join one ${clipSeconds} s 768x384 stream (one 1.2 Mbit/s rung, 2 s fMP4 segments, AAC audio) ${staggerMs / 1000} s apart and play it to the end; origin and tracker on loopback. ` +
      'Share = bytes from peers / all media bytes the players used, summed over viewers; limit = 1 − 1/N (one copy from the origin). ' +
      'Origin egress = media segment bytes the origin actually sent (through a counting proxy), P2P off → on.',
    '',
  );
  lines.push(
    '| N | share from peers | limit 1 − 1/N | share / limit | origin egress off → on | start-up median (max), off / on | stalls off / on (stalled s) | finished off / on |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  let allMet = true;
  for (const { n, off, on, offResult, onResult } of rows) {
    const limit = 1 - 1 / n;
    const ratio = on.share / limit;
    const met = ratio >= TARGET_OF_LIMIT && on.stalls <= off.stalls;
    if (!met) allMet = false;
    const startup = (s: Summary): string => (s.startupMedianMs === null ? 'n/a' : `${Math.round(s.startupMedianMs)} (${s.startupMaxMs}) ms`);
    lines.push(
      `| ${n} | ${pct(on.share)} | ${pct(limit)} | ${pct(ratio)}${met ? '' : ' ✗'} | ${mb(offResult.originSegmentBytes)} → ${mb(onResult.originSegmentBytes)} (−${pct(1 - onResult.originSegmentBytes / Math.max(1, offResult.originSegmentBytes))}) | ${startup(off)} / ${startup(on)} | ${off.stalls} / ${on.stalls} (${(off.stalledMs / 1000).toFixed(1)} / ${(on.stalledMs / 1000).toFixed(1)}) | ${off.finished}/${n} / ${on.finished}/${n} |`,
    );
  }
  lines.push('');
  lines.push(
    allMet
      ? `Target met: share ≥ ${TARGET_OF_LIMIT * 100}% of the limit at every N, and no more stalls with P2P than without.`
      : `Target NOT met at the rows marked ✗ (share < ${TARGET_OF_LIMIT * 100}% of the limit, or more stalls with P2P than without).`,
  );
  const problems = rows.flatMap(({ n, on, off }) => [...off.errors, ...on.errors].map((e) => `N=${n}: ${e}`));
  const rejected = rows.reduce((total, r) => total + r.on.rejected, 0);
  if (rejected > 0) lines.push('', `Peer segments rejected by the hash check: ${rejected}.`);
  if (problems.length > 0) lines.push('', 'Player errors seen:', ...[...new Set(problems)].slice(0, 10).map((p) => `- ${p}`));
  return { markdown: lines.join('\n') };
}

// `node --import tsx bench/offload-bench.ts` runs it alone and prints the section.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { markdown } = await runOffloadBench();
  console.log(`\n${markdown}`);
}
