// `npm run bench -- live`: a broadcast from `spherecast-studio live` (the test pattern, a child
// process) through a real origin and tracker to N Chromium viewers of the real watch page, with P2P
// on and off in the same run (off is the baseline: every byte from the origin), at 1 s and 2 s segments.
//
// Latency is EXT-X-PROGRAM-DATE-TIME against the playhead (the player's data-latency-seconds: now minus
// hls.js `playingDate`), not the clock burned into the picture. The origin stamps a segment's
// PROGRAM-DATE-TIME at its arrival minus its duration, so the figure covers encode + upload + origin +
// delivery + the player's hold-back, but not the camera/capture delay before the encoder.
// The real-time factor of the live encode is the studio's own trial (and the encoder's speed while live).
//
// LIVE_BENCH_VIEWERS=2,4,8 sets the viewer counts (default 2,4: this machine has 2 cores, and 8 pages
// decoding video plus the encoder overload it); LIVE_BENCH_SECONDS the measuring window per run.
/// <reference lib="dom" />
import os from 'node:os';
import path from 'node:path';
import { createOrigin } from '@spherecast/origin';
import { TrackerServer } from '@spherecast/tracker';
import { launchChromium } from '@spherecast/shared/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { LEAN_LIVE, LiveCli } from '../origin/web/e2e/support/live-cli.ts';
import { machineLine } from './lib/results.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VIEWERS = (process.env.LIVE_BENCH_VIEWERS ?? '2,4').split(',').map(Number);
const SEGMENTS = (process.env.LIVE_BENCH_SEGMENTS ?? '1,2').split(',').map(Number);
const SECONDS = Number(process.env.LIVE_BENCH_SECONDS ?? '20');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Sample = { latency: number | null; p2pBytes: number; httpBytes: number; stalls: number; currentTime: number };
type Row = {
  segment: number;
  viewers: number;
  p2p: boolean;
  latencyMedian: number;
  latencyP90: number;
  peerShare: number;
  stalls: number;
  originMB: number;
  playing: number;
  /** 1-minute load average of the machine at the end of the window (other work shares the cores). */
  load: number;
};

async function read(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const o = document.querySelector('[data-testid="p2p-stats"]');
    const latency = o?.getAttribute('data-latency-seconds');
    return {
      latency: latency ? Number(latency) : null,
      p2pBytes: Number(o?.getAttribute('data-p2p-bytes') ?? 0),
      httpBytes: Number(o?.getAttribute('data-http-bytes') ?? 0),
      stalls: Number(o?.getAttribute('data-stalls') ?? 0),
      currentTime: document.querySelector('video')?.currentTime ?? 0,
    };
  });
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function measure(browser: Browser, url: string, viewers: number, p2p: boolean, segment: number): Promise<Row> {
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  try {
    for (let i = 0; i < viewers; i += 1) {
      const context = await browser.newContext({ viewport: { width: 320, height: 240 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${url}${p2p ? '' : '?p2p=0'}`);
      pages.push(page);
      await sleep(1000);
    }
    // Settle (start-up, joining the swarm), then count only what happens in the window.
    await sleep(5000);
    const start = await Promise.all(pages.map(read));
    const latencies: number[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    while (Date.now() < deadline) {
      await sleep(1000);
      for (const s of await Promise.all(pages.map(read))) if (s.latency !== null) latencies.push(s.latency);
    }
    const end = await Promise.all(pages.map(read));
    let peer = 0;
    let http = 0;
    let stalls = 0;
    let playing = 0;
    for (const [i, e] of end.entries()) {
      const s = start[i]!;
      peer += e.p2pBytes - s.p2pBytes;
      http += e.httpBytes - s.httpBytes;
      stalls += e.stalls - s.stalls;
      if (e.currentTime > s.currentTime + SECONDS / 2) playing += 1;
    }
    return {
      segment,
      viewers,
      p2p,
      latencyMedian: quantile(latencies, 0.5),
      latencyP90: quantile(latencies, 0.9),
      peerShare: peer + http > 0 ? peer / (peer + http) : 0,
      stalls,
      originMB: http / 1e6,
      playing,
      load: os.loadavg()[0] ?? NaN,
    };
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}

export async function runLiveBench(): Promise<{ markdown: string }> {
  await build({ configFile: path.join(ROOT, 'origin/web/vite.config.ts'), logLevel: 'warn' });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-live-bench-'));
  const tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  await tracker.start();
  const origin = await createOrigin({
    port: 0,
    host: '127.0.0.1',
    dataDir: path.join(workDir, 'data'),
    trackerUrl: tracker.url,
    seedDemo: false,
    logLevel: 'error',
  });
  const browser = await launchChromium();
  const rows: Row[] = [];
  const encodes: string[] = [];
  try {
    const register = await fetch(`${origin.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench_caster', email: 'bench_caster@example.test', password: 'correct-horse-battery', role: 'creator' }),
    });
    const { token } = (await register.json()) as { token: string };
    for (const segment of SEGMENTS) {
      const cli = new LiveCli([
        '--source',
        'test',
        '--origin',
        origin.url,
        '--token',
        token,
        '--title',
        `Bench ${segment} s`,
        '--segment',
        String(segment),
        ...LEAN_LIVE,
      ]);
      try {
        const channelId = String((await cli.waitFor((e) => e.event === 'channel', 30_000)).id);
        const trial = (await cli.waitFor((e) => e.event === 'trial', 60_000)) as { speed?: number; rungs?: string[] };
        let contentId = '';
        for (let i = 0; i < 120 && !contentId; i += 1) {
          const status = (await (await fetch(`${origin.url}/api/live/channels/${channelId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
            status: string;
            contentId: string;
          };
          if (status.status === 'live') contentId = status.contentId;
          else await sleep(500);
        }
        if (!contentId) throw new Error('the broadcast did not go on air');
        await sleep(segment * 4000); // a window of a few segments before the first viewer
        for (const viewers of VIEWERS) {
          for (const p2p of [false, true]) {
            const row = await measure(browser, `${origin.url}/watch/${contentId}`, viewers, p2p, segment);
            rows.push(row);
            console.log(`live: ${JSON.stringify(row)}`);
          }
        }
        const speeds = cli.events.filter((e) => e.event === 'health' && typeof e.speed === 'number' && e.speed > 0).map((e) => Number(e.speed));
        encodes.push(
          `${segment} s segments: trial ${trial.speed?.toFixed(2) ?? '?'}x real time for ${(trial.rungs ?? []).join(', ')}; while live (with the viewers' pages on the same 2 cores) median ${quantile(speeds, 0.5).toFixed(2)}x, min ${Math.min(...speeds).toFixed(2)}x`,
        );
        cli.interrupt();
        await cli.exited;
      } finally {
        cli.kill();
      }
    }
  } finally {
    await browser.close();
    await origin.close();
    await tracker.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
  const fmt = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const table = [
    '| segment | viewers | P2P | latency median (s) | latency p90 (s) | bytes from peers | origin MB | stalls | playing | load avg |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.segment} s | ${r.viewers} | ${r.p2p ? 'on' : 'off'} | ${fmt(r.latencyMedian)} | ${fmt(r.latencyP90)} | ${r.p2p ? `${Math.round(r.peerShare * 100)}%` : '0% (baseline)'} | ${fmt(r.originMB, 2)} | ${r.stalls} | ${r.playing}/${r.viewers} | ${fmt(r.load)} |`,
    ),
  ];
  const markdown = [
    `${machineLine()} · ${new Date().toISOString().slice(0, 10)} (load avg column: the 1-minute load average at the end of each window; other work shares these cores, and N pages decoding and drawing the 360 view are load themselves)`,
    '',
    `Broadcast: \`spherecast-studio live --source test\` ${LEAN_LIVE.join(' ')} (one ffmpeg on this machine), real origin + tracker on loopback, N Chromium pages of the watch page, joining 1 s apart; each run measured for ${SECONDS} s after 5 s of settling. P2P off (\`?p2p=0\`) is the baseline in the same run.`,
    "Latency: EXT-X-PROGRAM-DATE-TIME of the frame at the playhead (hls.js `playingDate`) against the page clock — not the clock drawn in the picture. The origin stamps PROGRAM-DATE-TIME at a segment's arrival minus its duration, so capture delay before the encoder is not included; encode, upload, origin, delivery and the player's hold-back (liveSyncDurationCount 3 plus a random 0–1 per viewer, DEFAULT_LIVE_HLS_CONFIG) are.",
    '',
    ...table,
    '',
    'Live encode real-time factor:',
    '',
    ...encodes.map((e) => `- ${e}`),
    '',
    `Viewer counts run: ${VIEWERS.join(', ')}${VIEWERS.includes(8) ? '' : ' (N = 8 not run: 8 decoding pages plus the encoder on 2 cores measure the machine, not the delivery; LIVE_BENCH_VIEWERS=2,4,8 runs it)'}.`,
  ].join('\n');
  return { markdown };
}
