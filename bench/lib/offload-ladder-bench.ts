// The real-ladder part of `npm run bench -- offload` (issue #13, "P2P at 360 bit rates"): the ladder the
// studio plans for a 3840x1920 source (four rungs, 15.5 Mbit/s at the top), N viewers each in its own
// Chromium and network namespace, two conditions (all unconstrained; a third capped at 3 Mbit/s, a third
// at 8, the rest uncapped), P2P off and on in the same run.
//
// Viewers are the bench page (shared player: hls.js + p2p-media-loader) without the WebGL sphere: the
// bench measures delivery, and 4K WebGL frames on a software rasteriser would measure the CPU.
//
// Env: OFFLOAD_LADDER_VIEWERS (comma list, default 4; 8 and 12 need a bigger machine than 2 cores),
// OFFLOAD_LADDER_CONDITIONS (unconstrained,mixed), OFFLOAD_LADDER_SECONDS (clip length, default 60),
// OFFLOAD_STAGGER_MS (default 2000), OFFLOAD_TIMELINE=1 (each viewer's start-up timeline in the log),
// OFFLOAD_LADDER_VARIANTS (JSON {name: core overrides}: P2P-on runs after off and on, same run, for tuning), OFFLOAD_LADDER_CORE / OFFLOAD_LADDER_HLS (JSON overrides of the
// player's p2p-media-loader core and hls.js config, for tuning trials; named in the section).
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { ViteDevServer } from 'vite';
import { startOffloadPageServer } from './offload-page-server.ts';
import type { Browser } from 'playwright-core';
import { createOrigin, type Origin } from '@spherecast/origin';
import { TrackerServer } from '@spherecast/tracker';
import { createOriginClient } from '@spherecast/origin/client';
import { publishToOrigin } from '@spherecast/origin/publish';
// The config module alone: the player's index pulls in p2p-media-loader, which does not load in Node.
import { DEFAULT_HLS_CONFIG, DEFAULT_P2P_CORE_CONFIG } from '../../shared/src/player/config.ts';
import { machineLine } from './results.ts';
import { startCountingProxy, type CountingProxy } from './offload-proxy.ts';
import { ladderRungs, realLadder } from './offload-ladder.ts';
import { ViewerNetwork } from './offload-netns.ts';
import { launchInNamespace, mixedCaps, runLadderScenario, type LadderScenarioResult } from './offload-ladder-run.ts';
import { dataChannelMbps } from './offload-datachannel.ts';
import { summarize, type Summary } from './offload-summary.ts';

const CONDITIONS = ['unconstrained', 'mixed'] as const;
type Condition = (typeof CONDITIONS)[number];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function envList(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function envJson(name: string): Record<string, unknown> {
  const raw = process.env[name];
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object, e.g. {"highDemandTimeWindow":8}`);
  return parsed as Record<string, unknown>;
}

type Row = {
  n: number;
  condition: Condition;
  off: LadderScenarioResult;
  on: LadderScenarioResult;
  sOff: Summary;
  sOn: Summary;
  /** The best share one copy from the origin allows, given the segments (rungs) the viewers used. */
  oneCopy: number;
};

/**
 * The share from peers if every distinct segment any viewer used (a rung's segment, an audio segment)
 * had come from the origin once: 1 − distinct bytes / bytes used. Viewers on different rungs are
 * different swarms, so with mixed bandwidth this is well below 1 − 1/N.
 */
async function oneCopyShare(result: LadderScenarioResult, ladderDir: string): Promise<number> {
  const used = result.viewers.reduce((t, v) => t + v.stats.httpBytes + v.stats.p2pBytes, 0);
  const distinct = new Set(
    result.viewers.flatMap((v) => v.stats.timeline.flatMap((line) => /^\d+ (?:http|p2p) (\S+\/segment-\d+\.m4s)/.exec(line)?.[1] ?? [])),
  );
  let bytes = 0;
  for (const name of distinct) bytes += (await stat(path.join(ladderDir, name)).catch(() => ({ size: 0 }))).size;
  return used > 0 ? Math.max(0, 1 - bytes / used) : 0;
}

export async function runLadderOffload(log: (line: string) => void): Promise<string> {
  const why = await ViewerNetwork.available();
  if (why) return `### Real ladder\n\nNot run: viewers need network namespaces and tc (${why}).`;
  const viewerCounts = envList('OFFLOAD_LADDER_VIEWERS', '4').map(Number);
  if (viewerCounts.some((n) => !Number.isInteger(n) || n < 2 || n > 40)) throw new Error('OFFLOAD_LADDER_VIEWERS: whole numbers from 2 to 40, comma-separated');
  const conditions = envList('OFFLOAD_LADDER_CONDITIONS', CONDITIONS.join(',')) as Condition[];
  if (conditions.some((c) => !CONDITIONS.includes(c))) throw new Error(`OFFLOAD_LADDER_CONDITIONS: ${CONDITIONS.join(', ')}`);
  // 60 s, not the 24 s it was: a follower's first two 4 s segments go over HTTP by design (the one at
  // its playhead at once, the next inside the high-demand window), a third of a 24 s clip. Same
  // settings, N = 4 unconstrained: 43-54% from peers on 24 s, 61.9% (82.5% of the limit) on 60 s.
  const clipSeconds = Number(process.env.OFFLOAD_LADDER_SECONDS ?? 60);
  const staggerMs = Number(process.env.OFFLOAD_STAGGER_MS ?? 2000);
  const core = envJson('OFFLOAD_LADDER_CORE');
  const variants = envJson('OFFLOAD_LADDER_VARIANTS') as Record<string, Record<string, unknown>>;
  const variantLines: string[] = [];
  const hls = envJson('OFFLOAD_LADDER_HLS');
  const date = new Date().toISOString();
  const maxN = Math.max(...viewerCounts);

  // OFFLOAD_LADDER_WIDTH: a smaller source for trying the bench out (fewer rungs); the figures are for 3840.
  const width = Number(process.env.OFFLOAD_LADDER_WIDTH ?? 3840);
  const ladder = await realLadder({ seconds: clipSeconds, width, log });
  log(`ladder ${ladder.cached ? 'from the cache' : 'made'}: ${ladder.dir}`);
  const rungs = await ladderRungs(ladder.dir);
  const top = rungs.reduce((a, b) => (b.bandwidth > a.bandwidth ? b : a));

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-offload-ladder-run-'));
  let network: ViewerNetwork | null = null;
  let tracker: TrackerServer | null = null;
  let origin: Origin | null = null;
  let proxy: CountingProxy | null = null;
  let vite: ViteDevServer | null = null;
  const rows: Row[] = [];
  const capChecks: string[] = [];
  let dcMbps: number | undefined;
  try {
    network = await ViewerNetwork.create(maxN);
    const host = network.serverAddress;
    tracker = new TrackerServer({ port: 0, host, logLevel: 'warn' });
    await tracker.start();
    const trackerUrl = tracker.url;
    origin = await createOrigin({ port: 0, host: '127.0.0.1', dataDir: path.join(workDir, 'data'), trackerUrl, seedDemo: false, logLevel: 'error' });
    const client = createOriginClient({ baseUrl: origin.url });
    const { token } = await client.api.auth.register.mutate({
      username: 'bench_creator',
      email: 'bench@example.test',
      password: 'bench-password-1',
      role: 'creator',
    });
    log('publishing the ladder');
    const published = await publishToOrigin({ origin: origin.url, auth: { token }, dir: ladder.dir, content: { title: 'Offload bench 4K ladder' } });
    const detail = await client.api.streaming.start.query({ id: published.contentId });
    if (!detail.masterUrl) throw new Error('published content has no masterUrl');
    proxy = await startCountingProxy(origin.url, host);
    const viaProxy = (url: string): string => proxy!.url + new URL(url).pathname;
    const masterUrl = viaProxy(detail.masterUrl);
    const hashesUrl = detail.segmentHashesUrl ? viaProxy(detail.segmentHashesUrl) : null;

    const page = await startOffloadPageServer(host);
    vite = page.server;
    const pageUrl = page.url;

    // Warm Vite's dependency optimisation (the first page would pay for it), and measure one data
    // channel between two viewers' browsers (uncapped).
    const [v0, v1] = network.viewers;
    const pair: Browser[] = await Promise.all([launchInNamespace(v0!), launchInNamespace(v1!)]);
    try {
      const warm = await pair[0]!.newPage();
      const q = new URLSearchParams({ master: masterUrl, tracker: trackerUrl, swarm: 'warmup', p2p: '0' });
      await warm.goto(`${pageUrl}?${q.toString()}`);
      await warm.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      await warm.close();
      const [a, b] = await Promise.all(pair.map((browser) => browser.newPage()));
      dcMbps = await dataChannelMbps(a!, b!, 5);
      log(`data channel between two viewers: ${dcMbps.toFixed(1)} Mbit/s (top rung ${(top.bandwidth / 1e6).toFixed(1)} Mbit/s)`);
    } finally {
      await Promise.all(pair.map((browser) => browser.close().catch(() => undefined)));
    }

    // The cap, checked from inside a viewer's namespace: curl downloads a top-rung segment through the proxy.
    if (conditions.includes('mixed')) {
      const segment = `${new URL('.', masterUrl).href}${top.name}/`;
      const files = await (await import('node:fs/promises')).readdir(path.join(ladder.dir, top.name));
      const file = files.find((f) => f.endsWith('.m4s'));
      if (file) {
        for (const cap of [3, 8, null]) {
          await network.setCap(v0!, cap);
          const rate = await network.measureDownloadMbps(v0!, segment + file, 4);
          capChecks.push(`${cap === null ? 'uncapped' : `cap ${cap} Mbit/s`}: curl ${rate.toFixed(2)} Mbit/s`);
          log(`cap check ${capChecks[capChecks.length - 1]}`);
        }
        await network.setCap(v0!, null);
      }
    }

    for (const n of viewerCounts) {
      for (const condition of conditions) {
        const caps = condition === 'mixed' ? mixedCaps(n) : Array<number | null>(n).fill(null);
        const results: Partial<Record<'off' | 'on', LadderScenarioResult>> = {};
        // P2P off, on, then each tuning variant (P2P on with its core overrides) in the same run.
        const runs = [
          { label: 'off', p2p: false, core },
          { label: 'on', p2p: true, core },
          ...Object.entries(variants).map(([label, overrides]) => ({ label, p2p: true, core: { ...core, ...overrides } })),
        ];
        for (const { label, p2p, core: runCore } of runs) {
          log(`N=${n} ${condition}, P2P ${label} (caps ${caps.map((c) => c ?? '-').join(' ')})`);
          const result = await runLadderScenario({
            network,
            pageUrl,
            masterUrl,
            hashesUrl,
            trackerUrl,
            rungNames: rungs.map((r) => r.name),
            proxy,
            caps,
            p2p,
            staggerMs,
            clipSeconds,
            swarm: `ladder-${n}-${condition}-${label}-${Date.now()}`,
            core: runCore,
            hls,
          });
          const s = summarize(result.viewers.map((v) => v.stats));
          log(
            `  share ${pct(s.share)} (limit ${pct(1 - 1 / n)}), origin ${mb(result.originSegmentBytes)}, switches ${s.levelSwitches}, stalls ${s.stalls} (${(s.stalledMs / 1000).toFixed(1)} s), start-up median ${s.startupMedianMs} ms, finished ${s.finished}/${n}; viewers (cap: http/p2p MB, received mean/peak Mbit/s) ${result.viewers.map((v) => `${v.capMbps ?? '∞'}: ${mb(v.stats.httpBytes)}/${mb(v.stats.p2pBytes)}, ${v.meanMbps.toFixed(1)}/${v.peakMbps.toFixed(1)}`).join('; ')}`,
          );
          if (process.env.OFFLOAD_TIMELINE === '1') {
            for (const [i, v] of result.viewers.entries()) {
              const sorted = [...v.stats.timeline].sort((a, b) => parseInt(a, 10) - parseInt(b, 10)).slice(0, 14);
              log(`  viewer ${i} (start-up ${v.stats.startupMs} ms): ${sorted.join(' | ')}`);
              // Every video segment it used, in time order: h(ttp) or p(eer), rung/segment number.
              const segments = [...v.stats.timeline]
                .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
                .flatMap((line) => {
                  const m = /^(\d+) (http|p2p) (\d+x\d+)\/segment-0*(\d+)\.m4s/.exec(line);
                  return m ? [`${m[1]}${m[2] === 'http' ? 'h' : 'p'}${m[3]!.split('x')[0]}/${m[4]}`] : [];
                });
              log(`  viewer ${i} segments (ms, h/p, rung/n): ${segments.join(' ')}`);
            }
          }
          if (label === 'off' || label === 'on') results[label] = result;
          else {
            const oneCopy = await oneCopyShare(result, ladder.dir);
            variantLines.push(
              `N = ${n} ${condition}, ${label} ${JSON.stringify(variants[label])}: ${pct(s.share)} from peers (${pct(s.share / (1 - 1 / n))} of the limit, ${oneCopy > 0 ? `${pct(s.share / oneCopy)} of one copy ${pct(oneCopy)}` : 'one copy n/a'}), stalls ${s.stalls} (${(s.stalledMs / 1000).toFixed(1)} s), start-up median ${s.startupMedianMs} ms, origin ${mb(result.originSegmentBytes)}`,
            );
            log(`  ${variantLines[variantLines.length - 1]}`);
          }
          await sleep(1000);
        }
        if (results.off && results.on) {
          rows.push({
            n,
            condition,
            off: results.off,
            on: results.on,
            sOff: summarize(results.off.viewers.map((v) => v.stats)),
            sOn: summarize(results.on.viewers.map((v) => v.stats)),
            oneCopy: await oneCopyShare(results.on, ladder.dir),
          });
        }
      }
    }
  } finally {
    await vite?.close();
    await proxy?.close();
    await origin?.close();
    await tracker?.destroy();
    await network?.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
  return ladderMarkdown({ width, rows, rungs, top, dcMbps: dcMbps ?? null, capChecks, clipSeconds, staggerMs, core, hls, date, variantLines });
}

/**
 * Tuning trials of the P2P core settings, each one run of N = 4 unconstrained (24 s clip, 2 s apart)
 * through OFFLOAD_LADDER_CORE on 2026-12-01, load average 9-20 on 2 cores: share from peers (share /
 * limit), start-up median off / on. Kept in the section because a re-run overwrites its table.
 */
const TUNING_TRIALS = [
  'defaults: 54.2% (72.3% of the limit), origin 165.3 → 64.7 MB, start-up 358 / 1215 ms, rung switches 4 / 5, no stalls',
  '`httpDownloadInitialTimeoutMs: 0` (no wait for peers before the first HTTP fetch): 48.3% (64.4%), start-up 299 / 1529 ms: P2P start-up did not improve, so the 1.2 s wait for peers is not where its start-up time goes',
  '`httpDownloadTimeWindow: 10` (less random prefetch over HTTP): 46.1% (61.5%), 331 / 1188 ms',
  '`simultaneousHttpDownloads: 1`: 42.4% (56.6%), 454 / 1003 ms; per viewer in join order, MB over HTTP / from peers: 35.1/8.1, 23.5/17.7, 23.2/20.0, 15.4/25.8',
  '`httpDownloadTimeWindow: 6` (= the high-demand window: no random HTTP prefetch at all): 51.7% (69.0%), 328 / 935 ms; per viewer 43.2/0.0 (the one copy), 23.6/17.6 (joined 2 s after the first and fetched what the first was still downloading), 7.8/35.4, 7.8/35.4 (the first two segments, over HTTP after the 1.2 s wait for peers)',
] as const;

/**
 * Trials of 2026-12-01 09:39-10:30 (issue #13 start-up and share), N = 4 unconstrained, P2P off, on and
 * variants in the same run (OFFLOAD_LADDER_VARIANTS), OFFLOAD_TIMELINE=1 for where time and bytes go.
 * Load average 15-33 on 2 cores from other work: in some runs 4 Chromiums decoding 4K starved and fell
 * to lower rungs (other swarms), so a single share figure moves by 20 points between runs.
 */
const TUNING_TRIALS_START_WINDOW = [
  "before, defaults (load 15-22): start-up median 541 off / 1503 ms on, 64.5% from peers. P2P on per viewer: 1554 ms alone (the core held its first HTTP fetch for httpDownloadInitialTimeoutMs, 1.2 s), 790, 1452 and 1966 ms joining (their first segment came from a peer 0.4-1.4 s after they asked: tracker, WebRTC, announcements, 2 MB over the data channel, on a loaded CPU). So the wait is where a lone viewer's start-up goes; the trial of `httpDownloadInitialTimeoutMs: 0` above (1529 ms) was one run under load, and that setting also sends the second segment over HTTP at once",
  'the start window (the segment at the playhead over HTTP at once, the next ones wait 1.2 s for peers; P2PStartWindow), three runs: start-up median off / on 2115 / 693, 1524 / 351, 3106 / 564 ms (the off runs were the ones the load hit); 38.3%, 52.4%, 34.2% from peers',
  "`highDemandTimeWindow: 4` in the same run as 52.4%: 52.2%, no gain. Lowering the window moves the first viewer's HTTP fetch and a follower's high-demand deadline alike, so a follower 2 s behind still has the 2 s of stagger to take a segment from peers",
  '`httpDownloadTimeWindow: 6` (no random HTTP prefetch) in the same run as 52.4%: 25.5% and a 9.3 s stall. The random prefetch is what spreads the future segments among the viewers ahead of their high-demand windows: kept',
  'start window 3000 ms instead of 1200, in the same runs as 34.2% and the table: 52.5% and 43.1% (4 stalls against 2): no consistent gain, 1200 kept',
] as const;

function ladderMarkdown(input: {
  width: number;
  rows: Row[];
  rungs: { name: string; bandwidth: number; resolution: string }[];
  top: { name: string; bandwidth: number };
  dcMbps: number | null;
  capChecks: string[];
  clipSeconds: number;
  staggerMs: number;
  core: Record<string, unknown>;
  hls: Record<string, unknown>;
  date: string;
  variantLines: string[];
}): string {
  const { rows, rungs, top, dcMbps } = input;
  const lines: string[] = [];
  lines.push('### Real ladder: 3840x1920, four rungs, mixed bandwidth', '');
  lines.push(`Machine: ${machineLine()}. Date: ${input.date}.`, '');
  lines.push(
    `Source: a generated ${input.clipSeconds} s ${input.width}x${input.width / 2} 30 fps equirectangular clip through the media engine with the studio's planned ladder (${rungs
      .map((r) => `${r.resolution} ${(r.bandwidth / 1e6).toFixed(1)} Mbit/s`)
      .join(', ')}; BANDWIDTH as the master states it, 4 s segments), cached in os.tmpdir() by its options. ` +
      `N viewers, each its own Chromium in its own network namespace (bench/lib/offload-netns.ts), the bench page of the shared player (hls.js + p2p-media-loader, automatic quality) without the WebGL sphere (the bench measures delivery); they join ${input.staggerMs / 1000} s apart and play to the end. ` +
      'Mixed bandwidth: a third of the viewers capped at 3 Mbit/s, a third at 8, the rest uncapped (the first to join uncapped). ' +
      "The cap is a tbf qdisc on the viewer's veth port in a bridge namespace, so it covers HTTP from the origin and WebRTC from peers alike (Chromium's network emulation would throttle HTTP only).",
    '',
  );
  const config = { core: { ...DEFAULT_P2P_CORE_CONFIG, ...input.core }, hls: { ...DEFAULT_HLS_CONFIG, ...input.hls } };
  if (Object.keys(input.core).length + Object.keys(input.hls).length > 0)
    lines.push(`Player overrides in this run: core ${JSON.stringify(input.core)}, hls.js ${JSON.stringify(input.hls)}.`, '');
  lines.push(`P2P core settings in force: ${JSON.stringify(config.core)}.`, '');
  lines.push(
    '| N | condition | share from peers | limit 1 − 1/N | share / limit | one-copy limit (rungs played) | share / one-copy | share per rung (on) | rung switches off / on | stalls off / on (stalled s) | start-up median (max) off / on | origin egress off → on | finished off / on |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const startup = (s: Summary): string => (s.startupMedianMs === null ? 'n/a' : `${Math.round(s.startupMedianMs)} (${s.startupMaxMs})`);
  for (const r of rows) {
    const limit = 1 - 1 / r.n;
    const perRung = rungs
      .filter((rung) => r.sOn.perRung[rung.name])
      .map((rung) => `${rung.resolution} ${pct(r.sOn.perRung[rung.name]!.share)} of ${mb(r.sOn.perRung[rung.name]!.bytes)}`)
      .join(', ');
    lines.push(
      `| ${r.n} | ${r.condition} | ${pct(r.sOn.share)} | ${pct(limit)} | ${pct(r.sOn.share / limit)} | ${pct(r.oneCopy)} | ${r.oneCopy > 0 ? pct(r.sOn.share / r.oneCopy) : 'n/a'} | ${perRung || 'n/a'} | ${r.sOff.levelSwitches} / ${r.sOn.levelSwitches} | ${r.sOff.stalls} / ${r.sOn.stalls} (${(r.sOff.stalledMs / 1000).toFixed(1)} / ${(r.sOn.stalledMs / 1000).toFixed(1)}) | ${startup(r.sOff)} / ${startup(r.sOn)} ms | ${mb(r.off.originSegmentBytes)} → ${mb(r.on.originSegmentBytes)} | ${r.sOff.finished}/${r.n} / ${r.sOn.finished}/${r.n} |`,
    );
  }
  lines.push('');
  // The issue's targets (at N = 8; judged here at every N the run has): share / limit at least 80%
  // unconstrained and 70% mixed, no more stalls than HTTP-only, start-up within 200 ms of HTTP-only.
  for (const r of rows) {
    const limit = 1 - 1 / r.n;
    const want = r.condition === 'unconstrained' ? 0.8 : 0.7;
    const startupCost = r.sOn.startupMedianMs !== null && r.sOff.startupMedianMs !== null ? r.sOn.startupMedianMs - r.sOff.startupMedianMs : null;
    const reachable =
      r.oneCopy > 0 && r.oneCopy < want * limit
        ? ` (out of reach here: one copy of what the viewers played allows ${pct(r.oneCopy / limit)} of the limit)`
        : '';
    lines.push(
      `N = ${r.n} ${r.condition}: ${pct(r.sOn.share / limit)} of the limit (target ${pct(want)}: **${r.sOn.share / limit >= want ? 'met' : 'NOT met'}**${reachable}); stalls ${r.sOn.stalls} against ${r.sOff.stalls} HTTP-only (**${r.sOn.stalls <= r.sOff.stalls ? 'met' : 'NOT met'}**); start-up ${startupCost === null ? 'n/a' : `${startupCost >= 0 ? '+' : ''}${Math.round(startupCost)} ms`} with P2P (within 200 ms: **${startupCost !== null && startupCost <= 200 ? 'met' : 'NOT met'}**).`,
    );
  }
  lines.push('');
  lines.push(
    dcMbps === null
      ? 'Data channel between two peers: not measured.'
      : `Data channel between two peers (two viewers' browsers in their namespaces, one reliable ordered RTCDataChannel, 64 KiB messages, 5 s): **${dcMbps.toFixed(1)} Mbit/s**, ${(dcMbps / (top.bandwidth / 1e6)).toFixed(1)}x the top rung's ${(top.bandwidth / 1e6).toFixed(1)} Mbit/s (BANDWIDTH, the peak).`,
  );
  lines.push('');
  const capped = rows.filter((r) => r.condition === 'mixed').flatMap((r) => [...r.off.viewers, ...r.on.viewers]);
  const byCap = new Map<string, { mean: number[]; peak: number[] }>();
  for (const v of capped) {
    const key = v.capMbps === null ? 'uncapped' : `${v.capMbps} Mbit/s`;
    const entry = byCap.get(key) ?? { mean: [], peak: [] };
    entry.mean.push(v.meanMbps);
    entry.peak.push(v.peakMbps);
    byCap.set(key, entry);
  }
  if (input.capChecks.length > 0 || byCap.size > 0) {
    lines.push(
      `Cap check: a viewer's whole download is its port's tx byte counter, sampled every second during each mixed run (highest 2 s rate / mean over the run, per viewer): ${[
        ...byCap,
      ]
        .map(([key, v]) => `${key}: peak ${Math.max(...v.peak).toFixed(2)}, means ${v.mean.map((m) => m.toFixed(1)).join(', ')}`)
        .join('; ')}. Before the runs, curl from inside a viewer's namespace (a top-rung segment through the proxy, 4 s): ${input.capChecks.join('; ')}.`,
    );
    lines.push('');
  }
  if (input.variantLines.length > 0)
    lines.push('Same-run variants (P2P on with these core overrides, run after P2P off and on):', '', ...input.variantLines.map((l) => `- ${l}`), '');
  lines.push(
    'Tuning trials (N = 4 unconstrained, one run each, 2026-12-01, load average 9-20 on 2 cores; a single run varies by several points):',
    '',
    ...TUNING_TRIALS.map((t) => `- ${t}`),
    '',
    "Start-up and share trials after those (N = 4 unconstrained, P2P off, on and variants in the same run, 2026-12-01 09:39-10:30, load average 15-33; OFFLOAD_TIMELINE=1 logs each viewer's fetches):",
    '',
    ...TUNING_TRIALS_START_WINDOW.map((t) => `- ${t}`),
    '',
    'N = 8 unconstrained, defaults (one run, 2026-12-01 08:05, load average 11-14; not in the table because 8 Chromiums playing 4K on 2 cores stall on the CPU: two HTTP-only viewers fell to the lowest rung): 55.2% from peers (63.1% of the 87.5% limit), origin 257.3 → 134.4 MB, stalls 3 (12.9 s) off / 5 (13.6 s) on, start-up median 2521 / 1821 ms, rung switches 9 / 8.',
    '',
    "Start-up: the player now fetches the segment at the playhead over HTTP at once and lets only the later ones wait for peers (shared/src/player/p2p-start-window.ts: the core gets no initial wait; for the 1.2 s it had, the main stream's high-demand and HTTP windows are 2 s, so the next 4 s segment and the random HTTP prefetch wait for peers, and short segments still come over HTTP in time). Its cost: every viewer takes its first segment from the origin, 2.05 MB (1920x960, the rung hls.js starts on) of a viewer's 41-43 MB here, 3.7 points of share at N = 4 on this 24 s clip and about 0.5 on a 3-minute video. " +
      "What limits the share (the per-viewer segment logs): p2p-media-loader-core 2.3 fetches a high-demand segment (within 6 s of the playhead) over HTTP whenever an HTTP slot is free, even when a connected peer holds it, and switches a peer download in progress to HTTP when its segment becomes high demand (HybridLoader.processQueue; no setting changes that order). A follower therefore gets a segment from peers only if it arrives before the segment enters its high-demand window; 2 s behind the first viewer, that is the 2 s of stagger, and an 8 MB top-rung segment over a data channel at 40-90 Mbit/s on this loaded CPU often takes longer, so it is fetched twice. A joining viewer also fetches over HTTP, through the random prefetch, segments a peer it has not heard from yet holds. With viewers starved onto lower rungs (other swarms), the one-copy column shows how much lower the reachable share is. ABR: rung switches are the same with P2P on and off (p2p-media-loader reports peer deliveries to hls.js at its bandwidth estimate, not at the data channel's speed), so peers neither push viewers down nor up here.",
    '',
  );
  const problems = [...new Set(rows.flatMap((r) => [...r.sOff.errors, ...r.sOn.errors].map((e) => `N=${r.n} ${r.condition}: ${e}`)))];
  if (problems.length > 0) lines.push('Player errors seen:', ...problems.slice(0, 10).map((p) => `- ${p}`), '');
  const rejected = rows.reduce((t, r) => t + r.sOn.rejected, 0);
  if (rejected > 0) lines.push(`Peer segments rejected by the hash check: ${rejected}.`, '');
  return lines.join('\n');
}
