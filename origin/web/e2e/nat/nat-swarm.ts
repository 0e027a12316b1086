// A swarm of viewers across the NAT lab (nat-lab.ts), shared by nat.test.ts and `npm run bench -- nat`:
// the public namespace runs coturn, the project's tracker and an HTTP server with a real HLS ladder
// (ffmpeg) and the shared player's test page; each viewer namespace runs its own headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { CHROMIUM_ARGS } from '@spherecast/shared/testing';
import { startTestTurnServer, type TestTurnServer } from '@spherecast/shared/testing/turnserver';
import type { PlayerStats } from '@spherecast/shared/player';
import { createTestLadder, type TestLadder } from '../../../../shared/src/player/fixtures/hls-ladder.ts';
import { iceServersFor, type IceConfig } from '../../../src/core/ice-servers.ts';
import { ICE_TRACE_SCRIPT, type TraceEvent } from './ice-trace.ts';
import { NatLab, PUBLIC_ADDRESS, type LabViewer, type NatKind } from './nat-lab.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../../../../shared/src/player/fixtures');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The viewers' home networks (nat-lab.ts): peers there are only reachable through their NAT routers. */
const PRIVATE_PEERS = '10.0.0.0-10.255.255.255';

export const TURN_SECRET = 'nat-lab-static-auth-secret-0123456789';

/** What the ICE servers of one run are: none, STUN only, or STUN + TURN (UDP and TCP) with a relay policy. */
export type IceSetup = { name: string; stun: boolean; turn: boolean; relay: 'off' | 'fallback' | 'always'; ttlSeconds?: number };

export type ViewerResult = {
  name: string;
  nat: NatKind;
  stats: PlayerStats & { currentTime: number };
  /** The most connections of each type that were open at once during the run. */
  maxConnections: PlayerStats['connections'];
  errors: string[];
  /** When the viewer's page was opened (ms since 1970). */
  joinedAt: number;
  /** With `trace`: the page's WebRTC and tracker signalling timeline (ice-trace.ts). */
  trace?: TraceEvent[];
};

export type PlayOptions = {
  /** Swarm id (each run its own, so runs do not see each other's peers). */
  swarm: string;
  seconds: number;
  /** @default 1500 */
  staggerMs?: number;
  /** Only these viewers (by name). @default all */
  viewers?: readonly string[];
  /** Keep playing until this holds too (checked every second). */
  until?: (results: ViewerResult[]) => boolean;
  /** Record each page's signalling timeline (ViewerResult.trace). @default false */
  trace?: boolean;
};

export type Swarm = {
  lab: NatLab;
  ladder: TestLadder;
  turn: TestTurnServer;
  mediaUrl: string;
  trackerUrl: string;
  /**
   * Plays the ladder in every viewer (joining `staggerMs` apart) until each has played `seconds` of
   * media and `until` (if given) holds, or up to a minute longer.
   */
  play(setup: IceSetup, options: PlayOptions): Promise<ViewerResult[]>;
  close(): Promise<void>;
};

/** The ICE servers one viewer gets, made by the origin's own code (origin/src/core/ice-servers.ts). */
export function iceServersOf(setup: IceSetup, turn: TestTurnServer, viewer: string, now = new Date()): RTCIceServer[] {
  const config: IceConfig = {
    stunUrls: setup.stun ? [turn.stunUrl] : [],
    turnUrls: setup.turn ? [turn.url, turn.tcpUrl] : [],
    turnSecret: TURN_SECRET,
    turnTtlSeconds: setup.ttlSeconds ?? 3600,
    relayPolicy: setup.relay,
  };
  return iceServersFor(config, viewer, now);
}

/** A TURN REST credential check as coturn does it (for tests that hand-craft one). */
export function turnPassword(username: string): string {
  return createHmac('sha1', TURN_SECRET).update(username).digest('base64');
}

async function buildPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: FIXTURES,
    base: './',
    logLevel: 'warn',
    resolve: { conditions: ['p2pml:core-as-bundle', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      minify: false,
      reportCompressedSize: false,
      rollupOptions: { input: path.join(FIXTURES, 'player.html') },
    },
  });
}

async function startServices(lab: NatLab, root: string): Promise<{ child: ChildProcess; mediaUrl: string; trackerUrl: string }> {
  const [command, args] = lab.wrap(lab.publicNamespace, process.execPath, ['--import', 'tsx', path.join(here, 'public-services.ts'), root, PUBLIC_ADDRESS]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`public services exited (${code})`)));
      setTimeout(() => reject(new Error('public services did not start in 30 s')), 30_000).unref();
    });
    const { mediaUrl, trackerUrl } = JSON.parse(line) as { mediaUrl: string; trackerUrl: string };
    return { child, mediaUrl, trackerUrl };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

type Snapshot = PlayerStats & { currentTime: number };
/** What the shared player's test page (shared/src/player/fixtures/player-page.ts) puts on window. */
type TestPage = { playerTest: { snapshot(): Snapshot; errors: Array<{ code: string; message: string }> } };

/**
 * Builds the lab with these viewers and starts everything. Any failure on the way tears down what was
 * started; `close()` tears down the rest (browsers, servers, namespaces).
 */
export async function startSwarm(viewers: ReadonlyArray<{ name: string; nat: NatKind }>, clipSeconds: number): Promise<Swarm> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spherecast-natswarm-'));
  let lab: NatLab | undefined;
  let turn: TestTurnServer | undefined;
  let services: ChildProcess | undefined;
  const browsers = new Map<string, Browser>();
  const close = async (): Promise<void> => {
    await Promise.all([...browsers.values()].map((browser) => browser.close().catch(() => undefined)));
    await stop(services);
    await turn?.close();
    await lab?.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [ladder] = await Promise.all([createTestLadder(dir, clipSeconds), buildPage(path.join(dir, 'page'))]);
    const builtLab = await NatLab.create({ viewers });
    lab = builtLab;
    turn = await startTestTurnServer(TURN_SECRET, {
      address: PUBLIC_ADDRESS,
      prefix: ['ip', 'netns', 'exec', builtLab.publicNamespace],
      // As the README configures coturn: no relaying into private networks. Without it coturn relayed
      // ICE checks towards the viewers' host candidates (10.0.n.2); the public namespace has no route
      // there, the send failed (ENETUNREACH) and coturn dropped the TURN-over-TCP client's allocation
      // 0.2-0.6 s after its relayed connection had come up (ice-trace: the relay pair vanished), so the
      // UDP-blocked viewer's relays never lasted. A TURN server on the internet has a default route.
      deniedPeerIps: [PRIVATE_PEERS],
      // Each peer connection holds an allocation per TURN URL from its creation, answered or not: the
      // tracker client makes 5 offers per announce (every 5 s here, 120 s in production) that live up to
      // 50 s, and pages closed between runs leave theirs until coturn's lifetime (600 s) ends. With
      // coturn's 100 test ports the later runs were refused (508 Insufficient Capacity, ice-trace).
      relayPorts: 2000,
    });
    const started = await startServices(builtLab, dir);
    services = started.child;
    const launched = await Promise.all(
      builtLab.viewers.map((viewer: LabViewer) =>
        chromium.launch({
          executablePath: viewer.chromiumPath,
          // Real host addresses in candidates (not mDNS names), so "no ICE servers" fails for want of a path, not of a name.
          args: [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'],
        }),
      ),
    );
    builtLab.viewers.forEach((viewer, i) => browsers.set(viewer.name, launched[i]!));
    const swarmTurn = turn;
    return {
      lab: builtLab,
      ladder,
      turn: swarmTurn,
      mediaUrl: started.mediaUrl,
      trackerUrl: started.trackerUrl,
      close,
      async play(setup, { swarm, seconds, staggerMs = 1500, viewers: only, until, trace = false }) {
        const chosen = builtLab.viewers.filter((viewer) => !only || only.includes(viewer.name));
        const pages: Page[] = [];
        const joinedAt: number[] = [];
        try {
          // Each viewer starts `staggerMs` after the previous one started (not after its page finished loading).
          await Promise.all(
            chosen.map(async (viewer, i) => {
              await sleep(i * staggerMs);
              const context = await browsers.get(viewer.name)!.newContext();
              if (trace) await context.addInitScript({ content: ICE_TRACE_SCRIPT });
              joinedAt[i] = Date.now();
              const page = await context.newPage();
              pages[i] = page;
              await page.exposeFunction('freshIceServers', () => iceServersOf(setup, swarmTurn, viewer.name));
              const query = new URLSearchParams({
                master: `${started.mediaUrl}/${ladder.master}`,
                hashes: `${started.mediaUrl}/${ladder.hashes}`,
                trackers: started.trackerUrl,
                level: '1',
                swarm,
                ice: JSON.stringify(iceServersOf(setup, swarmTurn, viewer.name)),
                relay: setup.relay,
                refresh: '1',
              });
              await page.goto(`${started.mediaUrl}/page/player.html?${query}`);
              await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
            }),
          );
          const maxima = chosen.map(() => ({ host: 0, srflx: 0, prflx: 0, relay: 0 }));
          const deadline = Date.now() + seconds * 1000 + 60_000;
          const collect = async (): Promise<ViewerResult[]> => {
            const snapshots = await Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as TestPage).playerTest.snapshot())));
            const errors = await Promise.all(
              pages.map((page) => page.evaluate(() => (window as unknown as TestPage).playerTest.errors.map((e) => `${e.code}: ${e.message}`))),
            );
            const traces = trace ? await Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as { iceTrace: TraceEvent[] }).iceTrace))) : [];
            return chosen.map((viewer, i) => {
              const stats = snapshots[i]!;
              const max = maxima[i]!;
              for (const key of ['host', 'srflx', 'prflx', 'relay'] as const) max[key] = Math.max(max[key], stats.connections[key]);
              const result: ViewerResult = {
                name: viewer.name,
                nat: viewer.nat,
                stats,
                maxConnections: { ...max },
                errors: errors[i]!,
                joinedAt: joinedAt[i]!,
              };
              const events = traces[i];
              if (events) result.trace = events;
              return result;
            });
          };
          for (;;) {
            const results = await collect();
            const played = results.every((r) => r.stats.currentTime >= seconds);
            if (played && (until?.(results) ?? true)) return results;
            if (Date.now() > deadline) {
              if (played) return results;
              throw new Error(`playback did not reach ${seconds} s: ${results.map((r) => `${r.name} ${r.stats.currentTime.toFixed(1)} s`).join(', ')}`);
            }
            await sleep(1000);
          }
        } finally {
          await Promise.all(
            pages.map((page) =>
              page
                .context()
                .close()
                .catch(() => undefined),
            ),
          );
        }
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
