// The tracker benchmark's large-scale run (issue #13): each tracker alone in its process grows to
// 5,000 and then 100,000 peers in a few thousand swarms, and at each size every peer re-announces
// at the rate real players do (peers / announce interval, with 5 offers each), for a window long
// enough for a p99. Reports RSS and heap (per peer and total), announce latency p50/p99 and server
// CPU per announce, ours against bittorrent-tracker at the largest size it holds in the same run.
//
// Peers are multiplexed: BENCH_TRACKER_PEERS_PER_SOCKET peers (each in its own swarm) share one
// WebSocket connection, so 100,000 peers need 10,000 connections per side instead of 100,000 file
// descriptors (this machine's hard limit is 20,000). The per-connection cost is reported apart.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { BENCH_INTERVAL_SECONDS, TRACKER_KINDS, type TrackerKind } from './lib/tracker-bench-server.ts';
import { randomBinaryId } from './lib/tracker-load.ts';
import { MuxPeerPool, joinMoreMuxPeers, quantile, runPacedAnnounces } from './lib/tracker-scale-load.ts';
import { ServerProcess } from './lib/tracker-server-process.ts';

const STEPS = (process.env.BENCH_TRACKER_SCALE_PEERS ?? '5000,100000')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b);
const SWARMS = Number(process.env.BENCH_TRACKER_SCALE_SWARMS ?? 2000);
const PEERS_PER_SOCKET = Number(process.env.BENCH_TRACKER_PEERS_PER_SOCKET ?? 10);
/** Shortest measuring window per size; longer where the rate is low, so p99 rests on enough announces. */
const SECONDS = Number(process.env.BENCH_TRACKER_SCALE_SECONDS ?? 20);
const MIN_SAMPLES = Number(process.env.BENCH_TRACKER_SCALE_MIN_SAMPLES ?? 1000);
const MAX_SECONDS = 60;
const OFFERS = 5;
const SDP_BYTES = 700;
/** Bound on the join phase of one tracker (all sizes). */
const JOIN_BUDGET_MS = 5 * 60_000;
/** Share of a size's peers that may fail to join before the tracker counts as not holding it. */
const MAX_FAILED_SHARE = 0.01;

export interface ScaleRow {
  readonly kind: TrackerKind;
  readonly target: number;
  readonly peers: number;
  readonly failed: number;
  readonly connections: number;
  readonly held: boolean;
  readonly joinPerSecond: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly rssPerPeer: number;
  readonly heapPerPeer: number;
  readonly announcesPerSecond: number;
  readonly unanswered: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly cpuMicrosPerAnnounce: number;
  readonly generatorCpuShare: number;
  /** The server's own event-loop delay over the window (ms): the part of the latency spent waiting in the tracker process. */
  readonly serverLoopP99: number;
  readonly serverLoopMax: number;
  /** Longest GC pause of the server over the window, and all its GC pauses together (ms). */
  readonly gcMax: number;
  readonly gcTotal: number;
  readonly generatorLoopP99: number;
  readonly generatorLoopMax: number;
}

function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

async function measureKind(kind: TrackerKind): Promise<ScaleRow[]> {
  const server = await ServerProcess.start(kind);
  const url = `ws://127.0.0.1:${server.port}`;
  const swarms = Array.from({ length: SWARMS }, randomBinaryId);
  const pool = new MuxPeerPool();
  const rows: ScaleRow[] = [];
  const deadline = Date.now() + JOIN_BUDGET_MS;
  try {
    const empty = await server.request('memory');
    for (const target of STEPS) {
      const joinedBefore = pool.peers;
      const secondsBefore = pool.seconds;
      await joinMoreMuxPeers(pool, url, swarms, target, PEERS_PER_SOCKET, 64, deadline);
      const held = pool.failed <= target * MAX_FAILED_SHARE && pool.peers + pool.failed >= target;
      const joinPerSecond = (pool.peers - joinedBefore) / Math.max(0.001, pool.seconds - secondsBefore);
      console.log(
        `tracker scale: ${kind}: ${pool.peers} peers on ${pool.sockets.length} connections (${pool.failed} failed), ${joinPerSecond.toFixed(0)} joins/s`,
      );
      const memory = await server.request('memory');
      const perSecond = pool.peers / BENCH_INTERVAL_SECONDS;
      const durationMs = Math.min(MAX_SECONDS, Math.max(SECONDS, MIN_SAMPLES / perSecond)) * 1000;
      let cpuStart = 0;
      let cpuEnd = 0;
      let loop = { p99: Number.NaN, max: Number.NaN, gcMax: Number.NaN, gcTotal: Number.NaN };
      const load = await runPacedAnnounces(
        pool,
        { perSecond, durationMs, offers: OFFERS, sdpBytes: SDP_BYTES },
        {
          start: async () => {
            await server.request('loop');
            cpuStart = (await server.request('cpu')).micros;
          },
          end: async () => {
            cpuEnd = (await server.request('cpu')).micros;
            loop = await server.request('loop');
          },
        },
      );
      const row: ScaleRow = {
        kind,
        target,
        peers: pool.peers,
        failed: pool.failed,
        connections: pool.sockets.length,
        held,
        joinPerSecond,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        rssPerPeer: (memory.rss - empty.rss) / Math.max(1, pool.peers),
        heapPerPeer: (memory.heapUsed - empty.heapUsed) / Math.max(1, pool.peers),
        announcesPerSecond: load.announces / load.seconds,
        unanswered: load.unanswered,
        p50: quantile(load.latencies, 0.5),
        p99: quantile(load.latencies, 0.99),
        max: quantile(load.latencies, 1),
        cpuMicrosPerAnnounce: load.announces > 0 ? (cpuEnd - cpuStart) / load.announces : Number.NaN,
        generatorCpuShare: load.generatorCpuShare,
        serverLoopP99: loop.p99,
        serverLoopMax: loop.max,
        gcMax: loop.gcMax,
        gcTotal: loop.gcTotal,
        generatorLoopP99: load.generatorLoopP99,
        generatorLoopMax: load.generatorLoopMax,
      };
      rows.push(row);
      console.log(
        `tracker scale: ${kind} at ${row.peers} peers: RSS ${(row.rss / 2 ** 20).toFixed(0)} MiB (${(row.rssPerPeer / 1024).toFixed(2)} KiB/peer), ` +
          `heap ${(row.heapPerPeer / 1024).toFixed(2)} KiB/peer, ${row.announcesPerSecond.toFixed(0)} announces/s, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, ` +
          `${row.cpuMicrosPerAnnounce.toFixed(0)} µs server CPU/announce, server loop delay p99 ${row.serverLoopP99.toFixed(1)} ms (max ${row.serverLoopMax.toFixed(0)}), GC max ${row.gcMax.toFixed(0)} ms total ${row.gcTotal.toFixed(0)} ms, ` +
          `generator CPU ${(row.generatorCpuShare * 100).toFixed(0)}%, loop delay p99 ${row.generatorLoopP99.toFixed(1)} ms (max ${row.generatorLoopMax.toFixed(0)}), ${row.unanswered} unanswered`,
      );
      if (!held) break;
    }
    return rows;
  } finally {
    pool.close();
    await server.stop();
  }
}

/** Runs the large-scale measurement of both trackers and returns its part of the tracker section. */
export async function runTrackerScale(): Promise<{ lines: string[]; rows: ScaleRow[] }> {
  const sockets = Math.ceil((STEPS.at(-1) ?? 0) / PEERS_PER_SOCKET);
  const limit = openFileLimit();
  if (sockets + 256 > limit) {
    throw new Error(
      `The large-scale tracker run needs ${sockets} connections per process, over this shell's open-file limit of ${limit}: ` +
        `raise it (ulimit -n) or carry more peers per connection (BENCH_TRACKER_PEERS_PER_SOCKET).`,
    );
  }
  const rows: ScaleRow[] = [];
  // BENCH_TRACKER_SCALE_KINDS=spherecast measures one tracker only (development).
  const kinds = TRACKER_KINDS.filter((kind) => (process.env.BENCH_TRACKER_SCALE_KINDS ?? kind).split(',').includes(kind));
  for (const kind of kinds) rows.push(...(await measureKind(kind)));

  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
  const kib = (bytes: number): string => (bytes / 1024).toFixed(2);
  const int = (value: number): string => Math.round(value).toLocaleString('en');
  const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
  const ours = rows.filter((r) => r.kind === 'spherecast');
  const base = rows.filter((r) => r.kind === 'bittorrent-tracker');
  const ourTop = ours.at(-1);
  const ourFirst = ours[0];
  const baseTop = [...base].reverse().find((r) => r.held);
  const ourAtBase = baseTop ? ours.find((r) => r.target === baseTop.target) : undefined;
  const top = STEPS.at(-1) ?? 0;
  const rssMet = ourTop !== undefined && ourTop.held && ourTop.target === top && ourTop.rss < 2 ** 30;
  const p99Ratio = ourTop && ourFirst ? ourTop.p99 / ourFirst.p99 : Number.NaN;
  const lines = [
    '',
    `### Large scale: up to ${int(top)} peers`,
    '',
    `Each tracker alone in its process grows to ${STEPS.map(int).join(' and then ')} peers in ${int(SWARMS)} swarms; at each size every peer re-announces at the rate players do`,
    `(peers / ${BENCH_INTERVAL_SECONDS} s interval, round-robin, ${OFFERS} offers of ~${SDP_BYTES} B SDP each, relayed to other peers of the swarm) for at least ${SECONDS} s and ${MIN_SAMPLES} announces;`,
    `latency is from the announce's send to its reply on the same connection. Peers are multiplexed, ${PEERS_PER_SOCKET} per WebSocket connection (each in its own swarm), from`,
    `127.0.0.1–4: the protocol names the peer in every message and both trackers keep peers by (info_hash, peer_id), so this is the load of ${int(top)} peers on ${int(sockets)} connections.`,
    `Real one-peer-per-connection needs ${int(top)} descriptors per side, over this machine's open-file hard limit (${int(limit)}). Memory is read after forced GC; per peer is the growth over the empty server divided by the peers held.`,
    '',
    '| tracker | peers held | connections | RSS, MiB | RSS per peer, KiB | heap per peer, KiB | announces/s | p50, ms | p99, ms | server event-loop delay p99 / max, ms | server GC pauses, longest / total, ms | server CPU per announce, µs | generator CPU, event-loop delay p99 / max, ms | joins/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.kind === 'spherecast' ? 'Spherecast' : 'bittorrent-tracker'} | ${int(r.peers)}${r.held ? '' : ` (of ${int(r.target)}: ${int(r.failed)} failed)`} | ${int(r.connections)} | ${mib(r.rss)} | ${kib(r.rssPerPeer)} | ${kib(r.heapPerPeer)} | ${int(r.announcesPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.serverLoopP99)} / ${int(r.serverLoopMax)} | ${int(r.gcMax)} / ${int(r.gcTotal)} | ${int(r.cpuMicrosPerAnnounce)} | ${(r.generatorCpuShare * 100).toFixed(0)}%, ${ms(r.generatorLoopP99)} / ${int(r.generatorLoopMax)} | ${int(r.joinPerSecond)} |`,
    ),
    '',
    `Targets: ${int(top)} peers under 1 GiB RSS: **${rssMet ? 'met' : 'NOT met'}** (${ourTop ? `${mib(ourTop.rss)} MiB` : 'no figure'}). ` +
      `Announce p99 at ${int(top)} peers within 2x of the p99 at ${int(ourFirst?.target ?? 0)}: **${p99Ratio <= 2 ? 'met' : 'NOT met'}** (${Number.isFinite(p99Ratio) ? `${p99Ratio.toFixed(2)}x` : 'n/a'}).` +
      (baseTop && ourAtBase
        ? ` Against bittorrent-tracker at the largest size it held (${int(baseTop.peers)}): RSS ${(ourAtBase.rss / baseTop.rss).toFixed(2)}x, p99 ${(ourAtBase.p99 / baseTop.p99).toFixed(2)}x, CPU per announce ${(ourAtBase.cpuMicrosPerAnnounce / baseTop.cpuMicrosPerAnnounce).toFixed(2)}x (ours / theirs).`
        : ''),
    'The server event-loop delay is how long the tracker process could not run when it was due (GC pauses, the idle sweep, or the machine not scheduling it); announce latency includes it.',
    ourTop && ourFirst
      ? `What bounds our p99 at ${int(ourTop.peers)} peers (${ms(ourTop.p99)} ms): in the same window the tracker's event loop stalled up to ${int(ourTop.serverLoopMax)} ms ` +
        `(its longest GC pause ${int(ourTop.gcMax)} ms) and the load generator's up to ${int(ourTop.generatorLoopMax)} ms; at ${int(ourFirst.peers)} peers, with the tracker nearly idle, ` +
        `its loop already stalled up to ${int(ourFirst.serverLoopMax)} ms. Stalls that reach the load generator as well come from the machine (load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} at the end on ${os.cpus().length} cores), not from the tracker; the ratio target wants a quiet machine.`
      : '',
    rows.some((r) => r.unanswered > 0)
      ? `Unanswered announces (no reply within 5 s of the window's end): ${rows.map((r) => `${r.kind} ${int(r.peers)}: ${int(r.unanswered)}`).join(', ')}.`
      : '',
  ];
  return { lines, rows };
}
