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
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_INTERVAL_SECONDS, TRACKER_KINDS, type TrackerKind } from './lib/tracker-bench-server.ts';
import { randomBinaryId } from './lib/tracker-load.ts';
import { MuxPeerPool, joinMoreMuxPeers, quantile, runPacedAnnounces } from './lib/tracker-scale-load.ts';
import { ServerProcess } from './lib/tracker-server-process.ts';
import { machineLine } from './lib/results.ts';
import { overlapsAny, type GcPause, type Stall } from './lib/tracker-stalls.ts';

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
/** Least share (%) of announces without a load-generator stall, at every size, for the p99 ratio to be judged. */
const MIN_KEPT_PERCENT = 90;
/** Bound on the join phase of one tracker (all sizes). */
const JOIN_BUDGET_MS = 5 * 60_000;
/** Share of a size's peers that may fail to join before the tracker counts as not holding it. */
const MAX_FAILED_SHARE = 0.01;

/** One tracker measured: an implementation, or our tracker at another commit (`module`). */
interface Variant {
  readonly kind: TrackerKind;
  readonly label: string;
  readonly module?: string;
  readonly flags?: readonly string[];
}

export interface ScaleRow {
  readonly kind: TrackerKind;
  readonly label: string;
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
  readonly serverLoopP50: number;
  readonly serverLoopP99: number;
  readonly serverLoopMax: number;
  /** Longest GC pause of the server over the window, and all its GC pauses together (ms). */
  readonly gcMax: number;
  readonly gcTotal: number;
  readonly generatorLoopP99: number;
  readonly generatorLoopMax: number;
  /** The machine's 1-minute load average at the end of the window (2 cores shared with other work). */
  readonly loadAverage: number;
  /** Latency over the announces during which the load generator's loop never stalled (≥ 4 ms): the tracker's part. */
  readonly clean: { readonly count: number; readonly total: number; readonly p50: number; readonly p99: number };
  /** Of the slowest 1% of announces: how many overlapped a stall of the generator, of the server, a server GC pause, none. */
  readonly slow: {
    readonly count: number;
    readonly generator: number;
    readonly server: number;
    readonly serverBusy: number;
    readonly gc: number;
    readonly none: number;
  };
  /** The server's stalls (≥ 4 ms late): all, those where it ran on the CPU (own work, GC) for at least half the stall, the longest. */
  readonly serverStalls: { readonly count: number; readonly busy: number; readonly longest: Stall | null; readonly longestBusy: Stall | null };
  readonly gcByKind: Readonly<Record<string, { count: number; max: number; total: number }>>;
}

/** Latency percentiles with and without the generator's stalls, and what the slowest announces overlapped. */
function attribute(
  samples: readonly { at: number; ms: number }[],
  generatorStalls: readonly Stall[],
  serverStalls: readonly Stall[],
  pauses: readonly GcPause[],
  p99: number,
): Pick<ScaleRow, 'clean' | 'slow' | 'serverStalls' | 'gcByKind'> {
  const byStart = <T extends { at: number }>(list: readonly T[]): T[] => [...list].sort((a, b) => a.at - b.at);
  const gen = byStart(generatorStalls);
  const srv = byStart(serverStalls);
  const busy = srv.filter((s) => s.cpuMs >= s.ms / 2);
  const gc = byStart(pauses);
  const cleanLatencies: number[] = [];
  const slow = { count: 0, generator: 0, server: 0, serverBusy: 0, gc: 0, none: 0 };
  for (const { at, ms } of samples) {
    const g = overlapsAny(gen, at, at + ms);
    if (!g) cleanLatencies.push(ms);
    if (ms < p99) continue;
    slow.count++;
    const s = overlapsAny(srv, at, at + ms);
    const b = overlapsAny(busy, at, at + ms);
    const c = overlapsAny(gc, at, at + ms);
    if (g) slow.generator++;
    if (s) slow.server++;
    if (b) slow.serverBusy++;
    if (c) slow.gc++;
    if (!g && !s && !c) slow.none++;
  }
  const sorted = Float64Array.from(cleanLatencies).sort();
  const longest = (list: readonly Stall[]): Stall | null => list.reduce<Stall | null>((a, b) => (a === null || b.ms > a.ms ? b : a), null);
  const gcByKind: Record<string, { count: number; max: number; total: number }> = {};
  for (const pause of pauses) {
    const k = (gcByKind[pause.kind] ??= { count: 0, max: 0, total: 0 });
    k.count++;
    k.max = Math.max(k.max, pause.ms);
    k.total += pause.ms;
  }
  return {
    clean: { count: sorted.length, total: samples.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) },
    slow,
    serverStalls: { count: srv.length, busy: busy.length, longest: longest(srv), longestBusy: longest(busy) },
    gcByKind,
  };
}

function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * BENCH_TRACKER_BEFORE=<commit>: our tracker as it was at that commit, measured in the same run
 * (before/after on one machine under the same load). Its tracker/src is exported with git archive
 * into the temporary directory (the working tree is left alone), next to a link to node_modules.
 */
function beforeVariant(): Variant | null {
  const rev = process.env.BENCH_TRACKER_BEFORE;
  if (rev === undefined || rev === '') return null;
  const commit = execFileSync('git', ['rev-parse', '--short', rev], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `spherecast-tracker-${commit}`);
  if (!existsSync(path.join(dir, 'tracker', 'src', 'index.ts'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} tracker/src | tar -x -C "${dir}"`], { cwd: repoRoot });
  }
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return { kind: 'spherecast', label: `Spherecast before (${commit})`, module: path.join(dir, 'tracker', 'src', 'index.ts') };
}

async function measureKind(variant: Variant): Promise<ScaleRow[]> {
  const { kind } = variant;
  const server = await ServerProcess.start(kind, variant.module, variant.flags);
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
        `tracker scale: ${variant.label}: ${pool.peers} peers on ${pool.sockets.length} connections (${pool.failed} failed), ${joinPerSecond.toFixed(0)} joins/s`,
      );
      const memory = await server.request('memory');
      const perSecond = pool.peers / BENCH_INTERVAL_SECONDS;
      const durationMs = Math.min(MAX_SECONDS, Math.max(SECONDS, MIN_SAMPLES / perSecond)) * 1000;
      let cpuStart = 0;
      let cpuEnd = 0;
      let loop = { p50: Number.NaN, p99: Number.NaN, max: Number.NaN, gcMax: Number.NaN, gcTotal: Number.NaN };
      let serverStalls: { stalls: Stall[]; pauses: GcPause[] } = { stalls: [], pauses: [] };
      const load = await runPacedAnnounces(
        pool,
        { perSecond, durationMs, offers: OFFERS, sdpBytes: SDP_BYTES },
        {
          start: async () => {
            await server.request('loop');
            await server.request('stalls');
            cpuStart = (await server.request('cpu')).micros;
          },
          end: async () => {
            cpuEnd = (await server.request('cpu')).micros;
            loop = await server.request('loop');
            serverStalls = await server.request('stalls');
          },
        },
      );
      const p99 = quantile(load.latencies, 0.99);
      const row: ScaleRow = {
        kind,
        label: variant.label,
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
        p99,
        max: quantile(load.latencies, 1),
        cpuMicrosPerAnnounce: load.announces > 0 ? (cpuEnd - cpuStart) / load.announces : Number.NaN,
        generatorCpuShare: load.generatorCpuShare,
        serverLoopP50: loop.p50,
        serverLoopP99: loop.p99,
        loadAverage: os.loadavg()[0] ?? Number.NaN,
        serverLoopMax: loop.max,
        gcMax: loop.gcMax,
        gcTotal: loop.gcTotal,
        generatorLoopP99: load.generatorLoopP99,
        generatorLoopMax: load.generatorLoopMax,
        ...attribute(load.samples, load.generatorStalls, serverStalls.stalls, serverStalls.pauses, p99),
      };
      rows.push(row);
      console.log(
        `tracker scale: ${variant.label} at ${row.peers} peers: RSS ${(row.rss / 2 ** 20).toFixed(0)} MiB (${(row.rssPerPeer / 1024).toFixed(2)} KiB/peer), ` +
          `heap ${(row.heapPerPeer / 1024).toFixed(2)} KiB/peer, ${row.announcesPerSecond.toFixed(0)} announces/s, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, ` +
          `${row.cpuMicrosPerAnnounce.toFixed(0)} µs server CPU/announce, server loop delay p99 ${row.serverLoopP99.toFixed(1)} ms (max ${row.serverLoopMax.toFixed(0)}), GC max ${row.gcMax.toFixed(0)} ms total ${row.gcTotal.toFixed(0)} ms, ` +
          `generator CPU ${(row.generatorCpuShare * 100).toFixed(0)}%, loop delay p99 ${row.generatorLoopP99.toFixed(1)} ms (max ${row.generatorLoopMax.toFixed(0)}), ${row.unanswered} unanswered`,
      );
      if (process.env.BENCH_TRACKER_STALL_LOG)
        for (const st of serverStalls.stalls.filter((x) => x.ms >= 8))
          console.log(
            `  server stall at ${st.at.toFixed(0)}: ${st.ms.toFixed(1)} ms, cpu ${st.cpuMs.toFixed(1)} ms, gc ${serverStalls.pauses
              .filter((g) => g.at <= st.at + st.ms && g.at + g.ms >= st.at)
              .map((g) => `${g.kind} ${g.ms.toFixed(1)}`)
              .join(' ')}, generator stalled ${overlapsAny(load.generatorStalls, st.at, st.at + st.ms)}`,
          );
      const stallText = (stall: Stall | null): string => (stall === null ? 'none' : `${stall.ms.toFixed(0)} ms (${stall.cpuMs.toFixed(0)} ms CPU)`);
      console.log(
        `tracker scale: ${variant.label} at ${row.peers} peers: without generator stalls p50 ${row.clean.p50.toFixed(1)} ms p99 ${row.clean.p99.toFixed(1)} ms (${row.clean.count} of ${load.samples.length}); ` +
          `slowest 1% (${row.slow.count}): generator stall ${row.slow.generator}, server stall ${row.slow.server} (server on CPU ${row.slow.serverBusy}), server GC ${row.slow.gc}, none ${row.slow.none}; ` +
          `server stalls ${row.serverStalls.count} (${row.serverStalls.busy} on CPU), longest ${stallText(row.serverStalls.longest)}, longest on CPU ${stallText(row.serverStalls.longestBusy)}; ` +
          `GC ${Object.entries(row.gcByKind)
            .map(([k, v]) => `${k} ${v.count}x max ${v.max.toFixed(1)} total ${v.total.toFixed(0)} ms`)
            .join(', ')}`,
      );
      if (!held) break;
    }
    return rows;
  } finally {
    pool.close();
    await server.stop();
  }
}

const SECTION_START = '<!-- bench:tracker-scale:start -->';
const SECTION_END = '<!-- bench:tracker-scale:end -->';

/**
 * `npm run bench -- tracker-scale`: the large-scale run alone. Its part of the tracker section sits
 * between its own markers inside the tracker section, so either bench rewrites it.
 */
export async function runTrackerScaleBench(): Promise<{ markdown: string }> {
  const { lines } = await runTrackerScale();
  return { markdown: lines.slice(lines.indexOf(SECTION_START) + 1, lines.indexOf(SECTION_END)).join('\n') };
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
  const variants: Variant[] = kinds.map((kind) => ({ kind, label: kind === 'spherecast' ? 'Spherecast' : 'bittorrent-tracker' }));
  const before = beforeVariant();
  if (before !== null) variants.unshift(before);
  // BENCH_TRACKER_FLAGS_VARIANT="--single-threaded-gc ...": our tracker once more, its process started with these flags.
  const variantFlags = (process.env.BENCH_TRACKER_FLAGS_VARIANT ?? '').split(/\s+/).filter((flag) => flag !== '');
  if (variantFlags.length > 0)
    variants.splice(variants.findIndex((v) => v.label === 'Spherecast') + 1, 0, {
      kind: 'spherecast',
      label: `Spherecast, ${variantFlags.join(' ')}`,
      flags: variantFlags,
    });
  for (const variant of variants) rows.push(...(await measureKind(variant)));

  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
  const kib = (bytes: number): string => (bytes / 1024).toFixed(2);
  const int = (value: number): string => Math.round(value).toLocaleString('en');
  const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
  const ratioText = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');
  const ours = rows.filter((r) => r.label === 'Spherecast');
  const earlier = rows.filter((r) => r.kind === 'spherecast' && r.label !== 'Spherecast');
  const base = rows.filter((r) => r.kind === 'bittorrent-tracker');
  const ourTop = ours.at(-1);
  const ourFirst = ours[0];
  const baseTop = [...base].reverse().find((r) => r.held);
  const ourAtBase = baseTop ? ours.find((r) => r.target === baseTop.target) : undefined;
  const top = STEPS.at(-1) ?? 0;
  const rssMet = ourTop !== undefined && ourTop.held && ourTop.target === top && ourTop.rss < 2 ** 30;
  const ratios = (list: readonly ScaleRow[]): { raw: number; clean: number } => {
    const first = list[0];
    const last = list.at(-1);
    return first && last && last !== first ? { raw: last.p99 / first.p99, clean: last.clean.p99 / first.clean.p99 } : { raw: Number.NaN, clean: Number.NaN };
  };
  const ourRatio = ratios(ours);
  // Fewer announces than this share without a generator stall in a window, and its p99 no longer describes the tracker but the machine.
  const keptShare = Math.min(...ours.map((r) => (100 * r.clean.count) / Math.max(1, r.clean.total)));
  const judgeable = keptShare >= MIN_KEPT_PERCENT;
  const gcText = (r: ScaleRow): string => {
    const minor = r.gcByKind.minor;
    const major = r.gcByKind.major;
    return `${int(r.gcMax)} / ${int(r.gcTotal)} (${minor?.count ?? 0} minor, ${major?.count ?? 0} major)`;
  };
  const stallText = (r: ScaleRow): string =>
    `${int(r.serverStalls.count)}, ${int(r.serverStalls.busy)}, ${r.serverStalls.longestBusy === null ? '–' : int(r.serverStalls.longestBusy.ms)}`;
  const attribution = (r: ScaleRow): string =>
    `at ${int(r.peers)} peers (${r.label}, ${int(r.slow.count)} announces of ${ms(r.p99)} ms or more): ${int(r.slow.generator)} overlapped a stall of the load generator, ` +
    `${int(r.slow.server)} a stall of the server (${int(r.slow.serverBusy)} of them one in which the server ran on the CPU: its own work), ${int(r.slow.gc)} a server GC pause, ${int(r.slow.none)} none of these`;
  const lines = [
    '',
    SECTION_START,
    `### Large scale: up to ${int(top)} peers`,
    '',
    `\`npm run bench -- tracker-scale\` (this part alone; also part of \`tracker\`). Machine: ${machineLine()}. Run: ${new Date().toISOString()}.`,
    `Each tracker alone in its process grows to ${STEPS.map(int).join(' and then ')} peers in ${int(SWARMS)} swarms; at each size every peer re-announces at the rate players do`,
    `(peers / ${BENCH_INTERVAL_SECONDS} s interval, round-robin, ${OFFERS} offers of ~${SDP_BYTES} B SDP each, relayed to other peers of the swarm) for at least ${SECONDS} s and ${MIN_SAMPLES} announces;`,
    `latency is from the announce's send to its reply on the same connection. Peers are multiplexed, ${PEERS_PER_SOCKET} per WebSocket connection (each in its own swarm), from`,
    `127.0.0.1–4: the protocol names the peer in every message and both trackers keep peers by (info_hash, peer_id), so this is the load of ${int(top)} peers on ${int(sockets)} connections.`,
    `Real one-peer-per-connection needs ${int(top)} descriptors per side, over this machine's open-file hard limit (${int(limit)}). Memory is read after forced GC; per peer is the growth over the empty server divided by the peers held.`,
    earlier.some((r) => r.label.startsWith('Spherecast before'))
      ? `"Spherecast before" is our tracker's tracker/src at that commit (BENCH_TRACKER_BEFORE), measured first in the same run with the same load generator.`
      : '',
    earlier.some((r) => r.label.startsWith('Spherecast, '))
      ? 'The row "Spherecast, <flags>" is this tree\'s tracker with its process started with those Node/V8 flags (BENCH_TRACKER_FLAGS_VARIANT), in the same run.'
      : '',
    '',
    'Where a latency comes from: both the tracker and the load generator (a separate process on the same 2 cores) record every tick of a 2 ms timer that came 4 ms or more late (a stall), with the CPU time the process used meanwhile,',
    'and the tracker records its GC pauses (perf_hooks). A stall in which the process used the CPU for at least half of it is its own work (JavaScript, GC); otherwise the operating system did not run it (the machine was busy).',
    '"Without generator stalls" keeps only the announces during whose round trip the load generator never stalled, so a reply it read late does not count as the tracker\'s time; the share kept is in brackets.',
    '',
    '| tracker | peers held | connections | RSS, MiB | RSS per peer, KiB | heap per peer, KiB | announces/s | p50, ms | p99, ms | without generator stalls: p50 / p99, ms (kept) | server event-loop delay p50 / p99 / max, ms | server stalls: all, on CPU, longest on CPU (ms) | server GC pauses, longest / total, ms | server CPU per announce, µs | generator CPU, event-loop delay p99 / max, ms | load average (1 min) | joins/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${int(r.peers)}${r.held ? '' : ` (of ${int(r.target)}: ${int(r.failed)} failed)`} | ${int(r.connections)} | ${mib(r.rss)} | ${kib(r.rssPerPeer)} | ${kib(r.heapPerPeer)} | ${int(r.announcesPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ` +
        `${ms(r.clean.p50)} / ${ms(r.clean.p99)} (${((100 * r.clean.count) / Math.max(1, r.clean.total)).toFixed(0)}%) | ` +
        `${ms(r.serverLoopP50)} / ${ms(r.serverLoopP99)} / ${int(r.serverLoopMax)} | ${stallText(r)} | ${gcText(r)} | ${int(r.cpuMicrosPerAnnounce)} | ${(r.generatorCpuShare * 100).toFixed(0)}%, ${ms(r.generatorLoopP99)} / ${int(r.generatorLoopMax)} | ${r.loadAverage.toFixed(1)} | ${int(r.joinPerSecond)} |`,
    ),
    '',
    `Targets: ${int(top)} peers under 1 GiB RSS: **${rssMet ? 'met' : 'NOT met'}** (${ourTop ? `${mib(ourTop.rss)} MiB` : 'no figure'}). ` +
      `Announce p99 at ${int(top)} peers within 2x of the p99 at ${int(ourFirst?.target ?? 0)}, judged on the announces without generator stalls: **${
        !judgeable
          ? `not judged (the load generator stalled during ${int(100 - keptShare)}% of the announces: the machine was too busy)`
          : ourRatio.clean <= 2
            ? 'met'
            : 'NOT met'
      }** ` +
      `(${ratioText(ourRatio.clean)}: ${ms(ourTop?.clean.p99 ?? Number.NaN)} / ${ms(ourFirst?.clean.p99 ?? Number.NaN)} ms; all announces ${ratioText(ourRatio.raw)}: ${ms(ourTop?.p99 ?? Number.NaN)} / ${ms(ourFirst?.p99 ?? Number.NaN)} ms).` +
      [...new Set(earlier.map((r) => r.label))]
        .map((label) => {
          const list = earlier.filter((r) => r.label === label);
          const same = ratios(list);
          const kept = Math.min(...list.map((r) => (100 * r.clean.count) / Math.max(1, r.clean.total)));
          return ` ${label} in the same run: ${ratioText(same.clean)} without generator stalls (${kept >= MIN_KEPT_PERCENT ? 'judgeable' : `not judgeable: as few as ${int(kept)}% of the announces kept`}), ${ratioText(same.raw)} all announces.`;
        })
        .join('') +
      (baseTop && ourAtBase
        ? ` Against bittorrent-tracker at the largest size it held (${int(baseTop.peers)}): RSS ${(ourAtBase.rss / baseTop.rss).toFixed(2)}x, p99 ${(ourAtBase.p99 / baseTop.p99).toFixed(2)}x, CPU per announce ${(ourAtBase.cpuMicrosPerAnnounce / baseTop.cpuMicrosPerAnnounce).toFixed(2)}x (ours / theirs).`
        : ''),
    ...rows.filter((r) => r.kind === 'spherecast').map((r) => `The slowest 1% ${attribution(r)}.`),
    rows.some((r) => r.unanswered > 0)
      ? `Unanswered announces (no reply within 5 s of the window's end): ${rows.map((r) => `${r.label} ${int(r.peers)}: ${int(r.unanswered)}`).join(', ')}.`
      : '',
    SECTION_END,
  ];
  return { lines, rows };
}
