// WebRTC tracker benchmark: our TrackerServer against bittorrent-tracker's server, same run, same
// load. Each server runs alone in a child process (with --expose-gc) on loopback; this process is
// the load generator (raw `ws` clients speaking the WebTorrent protocol, see lib/tracker-load.ts).
//
//   npx tsx bench/tracker-bench.ts
//
// Per server: (1) IDLE_PEERS connections join SWARMS swarms (memory per idle peer = heap / RSS
// growth of the server after GC, divided by the peers); (2) ACTIVE more peers re-announce in a
// closed loop, each announce carrying OFFERS SDP offers that the tracker relays to other peers,
// for DURATION seconds after a warm-up (announces/s, and announces per CPU-second of the server).
import { readFileSync } from 'node:fs';
import { RESULTS_FILE } from './lib/results.ts';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineLine } from './lib/results.ts';
import { TRACKER_KINDS, type ServerReport, type TrackerKind } from './lib/tracker-bench-server.ts';
import { ServerProcess } from './lib/tracker-server-process.ts';
import { runTrackerScale } from './tracker-scale.ts';
import { joinIdlePeers, randomBinaryId, runAnnounceLoad, sleep } from './lib/tracker-load.ts';

const IDLE_PEERS = Number(process.env.BENCH_TRACKER_PEERS ?? 5000);
const ACTIVE = Number(process.env.BENCH_TRACKER_ACTIVE ?? 100);
const OFFERS = 5;
const SDP_BYTES = 700;
const WINDOW = Number(process.env.BENCH_TRACKER_WINDOW ?? 8);
const WARMUP_MS = 2000;
const DURATION_MS = Number(process.env.BENCH_TRACKER_SECONDS ?? 6) * 1000;
/** Hard bound on the connect phase of one server. */
const JOIN_BUDGET_MS = 60_000;
/** Peers joined and dropped before the first memory reading, so the heap is at working size. */
const WARMUP_PEERS = 500;
/** Node 20's default largest semi-space (MiB), fixed for both servers (see measure()). */
const SEMI_SPACE_MB = 16;

/**
 * Swarm layouts. bittorrent-tracker keeps at most 1,000 peers per swarm (its LRU default), so the
 * large layout stays under that.
 */
const SCENARIOS = [
  { name: 'many small swarms', swarms: 50 },
  { name: 'few large swarms', swarms: 6 },
] as const;
type Scenario = (typeof SCENARIOS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));

interface KindResult {
  readonly kind: TrackerKind;
  readonly scenario: Scenario;
  readonly peersHeld: number;
  readonly joinFailures: number;
  readonly joinPerSecond: number;
  /** Growth from N/2 to N idle peers, divided by N/2 (the marginal cost of one more peer). */
  readonly heapPerPeer: number;
  readonly rssPerPeer: number;
  /** Growth from the warmed-up empty server to N idle peers, divided by N. */
  readonly rssPerPeerAverage: number;
  /** Where the RSS growth went, per peer: V8's old generation (old, code and large-object spaces, resident), its young generation (new space, resident), and everything outside the V8 heap (native: sockets, libuv, malloc). */
  readonly oldGenPerPeer: number;
  readonly youngGenPerPeer: number;
  readonly nativePerPeer: number;
  readonly externalPerPeer: number;
  readonly gc: boolean;
  /** Whether V8's young generation was (90%) resident before the first reading (see the warm-up). */
  readonly youngWarm: boolean;
  readonly announcesPerSecond: number;
  readonly announcesPerCpuSecond: number;
  readonly serverCpuShare: number;
  readonly generatorCpuShare: number;
  readonly offersPerSecond: number;
  readonly messageBytes: number;
}

async function measure(kind: TrackerKind, scenario: Scenario): Promise<KindResult> {
  // The young generation at its full size from the start (both servers alike): V8 otherwise grows
  // it with the allocation rate, and a growth between the two readings counted as memory per peer.
  const server = await ServerProcess.start(kind, undefined, [`--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`]);
  const url = `ws://127.0.0.1:${server.port}`;
  const swarms = Array.from({ length: scenario.swarms }, randomBinaryId);
  const deadline = Date.now() + JOIN_BUDGET_MS;
  try {
    const warmup = await joinIdlePeers(url, swarms, WARMUP_PEERS, 50, deadline);
    for (const client of warmup.sockets) client.close();
    // Announce load, so V8's young generation has grown to its working size before
    // the first reading: otherwise its pages, first touched while the idle peers join, count as
    // memory per peer (3.5 KiB of our 6.5 KiB "per peer" was new space filling up, see RESULTS.md).
    // On a busy machine one second may not be enough: up to 8, until new space is 90% resident.
    let empty = await server.request('memory');
    for (let round = 0; round < 8 && youngGeneration(empty) < 0.9 * (empty.spaces.new_space?.size ?? 0); round++) {
      await runAnnounceLoad(url, swarms, { connections: 20, offers: OFFERS, sdpBytes: SDP_BYTES, window: WINDOW, warmupMs: 0, durationMs: 1000 }, NO_MEASURE);
      await sleep(500);
      empty = await server.request('memory');
    }
    const youngWarm = youngGeneration(empty) >= 0.9 * (empty.spaces.new_space?.size ?? 0);
    const half = await joinIdlePeers(url, swarms, IDLE_PEERS / 2, 50, deadline);
    await sleep(300);
    const atHalf = await server.request('memory');
    const rest = await joinIdlePeers(url, swarms, IDLE_PEERS - IDLE_PEERS / 2, 50, deadline);
    await sleep(300);
    const atFull = await server.request('memory');
    const joined = half.joined + rest.joined;
    const joinSeconds = half.seconds + rest.seconds;
    console.log(`tracker bench: ${kind}, ${scenario.name}: ${joined} idle peers joined in ${joinSeconds.toFixed(1)} s (${half.failed + rest.failed} failed)`);

    let cpuStart = 0;
    let cpuEnd = 0;
    let idleOffersStart = 0;
    let idleOffersEnd = 0;
    const idleOffers = (): number => half.offersReceived() + rest.offersReceived();
    const load = await runAnnounceLoad(
      url,
      swarms,
      { connections: ACTIVE, offers: OFFERS, sdpBytes: SDP_BYTES, window: WINDOW, warmupMs: WARMUP_MS, durationMs: DURATION_MS },
      {
        start: async () => {
          cpuStart = (await server.request('cpu')).micros;
          idleOffersStart = idleOffers();
        },
        end: async () => {
          idleOffersEnd = idleOffers();
          cpuEnd = (await server.request('cpu')).micros;
        },
      },
    );
    for (const client of [...half.sockets, ...rest.sockets]) client.close();
    const cpuSeconds = (cpuEnd - cpuStart) / 1e6;
    const result: KindResult = {
      kind,
      scenario,
      peersHeld: joined + ACTIVE,
      joinFailures: half.failed + rest.failed,
      joinPerSecond: joined / joinSeconds,
      heapPerPeer: (atFull.heapUsed - atHalf.heapUsed) / rest.joined,
      rssPerPeer: (atFull.rss - atHalf.rss) / rest.joined,
      rssPerPeerAverage: (atFull.rss - empty.rss) / joined,
      oldGenPerPeer: (oldGeneration(atFull) - oldGeneration(atHalf)) / rest.joined,
      youngGenPerPeer: (youngGeneration(atFull) - youngGeneration(atHalf)) / rest.joined,
      nativePerPeer: (atFull.rss - atFull.heapPhysical - (atHalf.rss - atHalf.heapPhysical)) / rest.joined,
      externalPerPeer: (atFull.external - atHalf.external) / rest.joined,
      gc: atFull.gc,
      youngWarm,
      announcesPerSecond: load.announces / load.seconds,
      announcesPerCpuSecond: cpuSeconds > 0 ? load.announces / cpuSeconds : 0,
      serverCpuShare: cpuSeconds / load.seconds,
      generatorCpuShare: load.generatorCpuShare,
      offersPerSecond: (idleOffersEnd - idleOffersStart + load.offersSeen) / load.seconds,
      messageBytes: load.messageBytes,
    };
    console.log(
      `tracker bench: ${kind}, ${scenario.name}: ${result.announcesPerSecond.toFixed(0)} announces/s, ${result.announcesPerCpuSecond.toFixed(0)} per server CPU-s, ` +
        `server CPU ${(result.serverCpuShare * 100).toFixed(0)}%, generator CPU ${(result.generatorCpuShare * 100).toFixed(0)}%, ` +
        `${(result.heapPerPeer / 1024).toFixed(2)} KiB heap / ${(result.rssPerPeer / 1024).toFixed(2)} KiB RSS per idle peer ` +
        `(old generation ${(result.oldGenPerPeer / 1024).toFixed(2)}, young generation ${(result.youngGenPerPeer / 1024).toFixed(2)}, ` +
        `outside the V8 heap ${(result.nativePerPeer / 1024).toFixed(2)}, of which external ${(result.externalPerPeer / 1024).toFixed(2)})`,
    );
    return result;
  } finally {
    await server.stop();
  }
}

const NO_MEASURE = { start: async () => {}, end: async () => {} };

type MemoryReport = Extract<ServerReport, { type: 'memory' }>;

/** Resident bytes of V8's old generation: what stays per peer (young objects are promoted or die). */
function oldGeneration(memory: MemoryReport): number {
  let bytes = 0;
  for (const [name, space] of Object.entries(memory.spaces)) if (name !== 'new_space' && name !== 'new_large_object_space') bytes += space.physical;
  return bytes;
}

function youngGeneration(memory: MemoryReport): number {
  return (memory.spaces.new_space?.physical ?? 0) + (memory.spaces.new_large_object_space?.physical ?? 0);
}

/** The large-scale block as the last run wrote it (kept when this run leaves the large-scale part out). */
function previousScaleBlock(): string[] {
  try {
    const text = readFileSync(RESULTS_FILE, 'utf8');
    const start = text.indexOf('<!-- bench:tracker-scale:start -->');
    const endMark = '<!-- bench:tracker-scale:end -->';
    const end = text.indexOf(endMark);
    return start >= 0 && end > start ? ['', ...text.slice(start, end + endMark.length).split('\n')] : [];
  } catch {
    return [];
  }
}

function bittorrentTrackerVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.join(here, '..', 'node_modules', 'bittorrent-tracker', 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '?';
  } catch {
    return '?';
  }
}

export async function runTrackerBench(): Promise<{ markdown: string }> {
  const results: { scenario: Scenario; ours: KindResult; base: KindResult }[] = [];
  // BENCH_TRACKER_LAYOUTS=1 runs only the first layout (quicker, for development).
  for (const scenario of SCENARIOS.slice(0, Number(process.env.BENCH_TRACKER_LAYOUTS ?? SCENARIOS.length))) {
    const measured = new Map<TrackerKind, KindResult>();
    for (const kind of TRACKER_KINDS) measured.set(kind, await measure(kind, scenario));
    results.push({ scenario, ours: measured.get('spherecast')!, base: measured.get('bittorrent-tracker')! });
  }
  const kib = (bytes: number): string => (bytes / 1024).toFixed(2);
  const int = (value: number): string => Math.round(value).toLocaleString('en');
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
  const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;
  const rows = (label: string, pick: (r: KindResult) => number, format: (value: number) => string, bold = false): string[] =>
    results.map(({ scenario, ours, base }) => {
      const r = ratio(pick(ours), pick(base));
      return `| ${label}, ${scenario.name} | ${format(pick(ours))} | ${format(pick(base))} | ${bold ? `**${r}**` : r} |`;
    });
  // BENCH_TRACKER_SCALE=0 leaves out the large-scale run (tracker-scale.ts).
  // BENCH_TRACKER_SCALE=0 keeps the large-scale block of the previous run in RESULTS.md.
  const scale = process.env.BENCH_TRACKER_SCALE === '0' ? { lines: previousScaleBlock() } : await runTrackerScale();
  const first = results[0];
  if (first === undefined) {
    return {
      markdown: ['## WebRTC tracker (WebSocket, loopback)', '', `Machine: ${machineLine()}. Run: ${new Date().toISOString()}.`, ...scale.lines].join('\n'),
    };
  }
  const throughputRatios = results.map(({ ours, base }) => ours.announcesPerSecond / base.announcesPerSecond);
  const cpuRatios = results.map(({ ours, base }) => ours.announcesPerCpuSecond / base.announcesPerCpuSecond);
  const memory = results.map(({ ours }) => Math.max(ours.heapPerPeer, ours.rssPerPeer));
  const throughputMet = throughputRatios.every((value) => value >= 2);
  const memoryMet = memory.every((bytes) => bytes < 10 * 1024);
  const rssRatios = results.map(({ ours, base }) => ours.rssPerPeer / base.rssPerPeer);
  const rssMet = rssRatios.every((value) => value < 1);
  const scenarioText = results
    .map(({ scenario }) => `${scenario.name} (${scenario.swarms} swarms, ~${int((IDLE_PEERS + ACTIVE) / scenario.swarms)} peers each)`)
    .join(' and ');
  const lines = [
    '## WebRTC tracker (WebSocket, loopback)',
    '',
    `Machine: ${machineLine()}. Run: ${new Date().toISOString()}.`,
    `Baseline: bittorrent-tracker ${bittorrentTrackerVersion()} server (\`bittorrent-tracker/server\`, WebSocket only), same load in the same run.`,
    `Each server runs alone in a child process started with --expose-gc; the load generator (minimal raw WebSocket clients speaking the protocol, no WebRTC) is the parent process on the same machine.`,
    `Load: ${int(IDLE_PEERS)} idle peers, then ${ACTIVE} more peers re-announcing in a closed loop (${WINDOW} in flight each), each announce carrying ${OFFERS} offers of`,
    `~${SDP_BYTES} B SDP (${int(first.ours.messageBytes)} B per message) that the tracker relays to random peers of the swarm; ${WARMUP_MS / 1000} s warm-up, ${DURATION_MS / 1000} s measured;`,
    `two layouts: ${scenarioText}. Our tracker's per-IP and per-connection limits are lifted for the run (all load comes from 127.0.0.1).`,
    "Memory per idle peer is the growth of the server between N/2 and N idle peers (after forced GC) divided by N/2: the cost of one more peer, without the heap's one-off growth.",
    `Before the first reading each server joins and drops ${WARMUP_PEERS} peers and carries the announce load (1 s at a time, at most 8) until V8's young generation is 90% resident; both servers run with it fixed at its default largest size (\`--min-semi-space-size=${SEMI_SPACE_MB} --max-semi-space-size=${SEMI_SPACE_MB}\`, 2 x 16 MiB), as V8 otherwise grows it with the allocation rate: ` +
      "otherwise its pages, first touched while the idle peers join, count as memory per peer. They did in the runs before this line (our 7.37 / 8.76 KiB RSS per idle peer at load 14-19, of which about 3.5 KiB the young generation filling up; bittorrent-tracker's, which makes more garbage per join, was full by N/2). " +
      'The rows "of the RSS per idle peer" split the RSS growth: V8 old generation (old, code and large-object spaces, resident), young generation, and the rest of the process (sockets, libuv handles, malloc); each can be slightly negative (noise, or a space that shrank).',
    '',
    '| metric | Spherecast tracker | bittorrent-tracker | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...rows('announces/s', (r) => r.announcesPerSecond, int, true),
    ...rows('announces per server CPU-second', (r) => r.announcesPerCpuSecond, int, true),
    ...rows('offers relayed/s', (r) => r.offersPerSecond, int),
    ...rows('server CPU busy (share of one core)', (r) => r.serverCpuShare, pct),
    ...rows('load generator CPU busy (share of one core)', (r) => r.generatorCpuShare, pct),
    ...rows('peers held concurrently', (r) => r.peersHeld, int),
    ...rows('connect + join rate, peers/s', (r) => r.joinPerSecond, int),
    ...rows('heap per idle peer, KiB', (r) => r.heapPerPeer, kib),
    ...rows('RSS per idle peer, KiB', (r) => r.rssPerPeer, kib),
    ...rows('RSS per idle peer incl. heap growth (average over N), KiB', (r) => r.rssPerPeerAverage, kib),
    ...rows('of the RSS per idle peer: V8 old generation (resident), KiB', (r) => r.oldGenPerPeer, kib),
    ...rows('of the RSS per idle peer: V8 young generation (resident), KiB', (r) => r.youngGenPerPeer, kib),
    ...rows('of the RSS per idle peer: outside the V8 heap (sockets, libuv, malloc), KiB', (r) => r.nativePerPeer, kib),
    ...rows('external memory (Buffers) per idle peer, KiB', (r) => r.externalPerPeer, kib),
    '',
    `Targets: announce throughput at least 2x bittorrent-tracker: **${throughputMet ? 'met' : 'NOT met'}** ` +
      `(${throughputRatios.map((value) => `${value.toFixed(2)}x`).join(' / ')} announces/s; ${cpuRatios.map((value) => `${value.toFixed(2)}x`).join(' / ')} announces per CPU-second). ` +
      `Under 10 KiB per idle peer: **${memoryMet ? 'met' : 'NOT met'}** (worst of heap and RSS: ${memory.map((bytes) => `${kib(bytes)} KiB`).join(' / ')}). ` +
      `RSS per idle peer below bittorrent-tracker's: **${rssMet ? 'met' : 'NOT met'}** (${rssRatios.map((value) => `${value.toFixed(2)}x`).join(' / ')}).` +
      (results.every(({ ours, base }) => ours.gc && base.gc) ? '' : ' GC was not available: memory figures include garbage.'),
    ...(results.every(({ ours, base }) => ours.youngWarm && base.youngWarm)
      ? []
      : [
          "A server's young generation was not yet 90% resident after the warm-up (a busy machine): its RSS per idle peer may include some of it (see that row).",
        ]),
    results.some(({ ours, base }) => ours.serverCpuShare < 0.9 || base.serverCpuShare < 0.9)
      ? 'A server below ~90% CPU was not saturated (the load generator or other processes on the machine held it back): announces per server CPU-second is then the fairer comparison of the two implementations.'
      : '',
    ...scale.lines,
  ];
  return { markdown: lines.filter((line, index) => line !== '' || index < lines.length - 1).join('\n') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { markdown } = await runTrackerBench();
  console.log(markdown);
}
