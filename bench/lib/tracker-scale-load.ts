// Load generator for the tracker benchmark's large-scale run: many peers multiplexed over fewer
// WebSocket connections. The WebTorrent tracker protocol names the peer in every message
// (`peer_id` with `info_hash`), and both trackers keep peers by (info_hash, peer_id) with the
// connection as where to send, so one connection can carry the announces of many peers, each in
// its own swarm, as one tab playing several streams does. Announce replies (the messages with
// `interval`) come back in order per connection, which gives each announce's latency.
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BenchSocket, INTERVAL_MARK, fakeSdp, randomBinaryId } from './tracker-load.ts';
import { StallRecorder, epochNow, type Stall } from './tracker-stalls.ts';

/** Loopback source addresses the connections rotate through (Linux routes all of 127/8 to lo). */
const SOURCE_ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;

interface MuxPeer {
  readonly infoHash: string;
  readonly peerId: string;
}

/** One connection carrying several peers: announce replies resolve in the order they were sent. */
class MuxSocket {
  readonly peers: MuxPeer[] = [];
  /** Send times (performance.now) of announces waiting for their reply, oldest first. */
  private readonly waiting: number[] = [];
  private readonly onReply: ((sentAt: number) => void)[] = [];
  offers = 0;

  constructor(readonly socket: BenchSocket) {
    socket.onMessage = (data) => {
      if (!data.includes(INTERVAL_MARK)) {
        this.offers++;
        return;
      }
      const sentAt = this.waiting.shift();
      const done = this.onReply.shift();
      if (sentAt !== undefined) done?.(sentAt);
    };
  }

  announce(message: string): Promise<number> {
    return new Promise((resolve) => {
      this.waiting.push(performance.now());
      this.onReply.push((sentAt) => resolve(performance.now() - sentAt));
      this.socket.sendText(message);
    });
  }

  get inFlight(): number {
    return this.waiting.length;
  }
}

/** Peers multiplexed over connections; grown step by step with {@link joinMoreMuxPeers}. */
export class MuxPeerPool {
  readonly sockets: MuxSocket[] = [];
  /** Peers that joined (their `started` announce was answered). */
  peers = 0;
  failed = 0;
  /** Time spent joining, over all steps. */
  seconds = 0;

  offersReceived(): number {
    return this.sockets.reduce((sum, s) => sum + s.offers, 0);
  }

  close(): void {
    for (const s of this.sockets) s.socket.close();
  }
}

function startedMessage(peer: MuxPeer): string {
  return JSON.stringify({ action: 'announce', info_hash: peer.infoHash, peer_id: peer.peerId, event: 'started', numwant: 0, uploaded: 0, downloaded: 0 });
}

/**
 * Adds peers to `pool` until it holds `target`: new connections of `peersPerSocket` peers each
 * (peer i in swarm i mod swarms), `concurrency` connections joining at once. A connection whose
 * replies do not all come within `timeoutMs` counts its peers as failed.
 */
export async function joinMoreMuxPeers(
  pool: MuxPeerPool,
  url: string,
  swarms: readonly string[],
  target: number,
  peersPerSocket: number,
  concurrency: number,
  deadline: number,
  timeoutMs = 30_000,
): Promise<void> {
  const started = performance.now();
  let next = pool.peers + pool.failed;
  const worker = async (): Promise<void> => {
    while (next < target && Date.now() < deadline) {
      const first = next;
      const count = Math.min(peersPerSocket, target - first);
      next += count;
      try {
        const socket = await BenchSocket.connect(url, SOURCE_ADDRESSES[pool.sockets.length % SOURCE_ADDRESSES.length]);
        const mux = new MuxSocket(socket);
        pool.sockets.push(mux);
        const joins: Promise<number>[] = [];
        for (let i = 0; i < count; i++) {
          const peer = { infoHash: swarms[(first + i) % swarms.length]!, peerId: randomBinaryId() };
          mux.peers.push(peer);
          joins.push(mux.announce(startedMessage(peer)));
        }
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('join timed out')), timeoutMs);
        });
        try {
          await Promise.race([Promise.all(joins), timeout]);
        } finally {
          clearTimeout(timer);
        }
        pool.peers += count;
      } catch {
        pool.failed += count;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  pool.seconds += (performance.now() - started) / 1000;
}

export interface PacedLoadResult {
  /** Announces answered inside the window. */
  readonly announces: number;
  /** Announces sent inside the window that had no reply by its end (plus the grace period). */
  readonly unanswered: number;
  readonly seconds: number;
  /** Announce round-trip times (ms), sorted ascending. */
  readonly latencies: Float64Array;
  /** Every answered announce: when it was sent (ms since the epoch, see tracker-stalls.ts) and its round trip (ms), in reply order. */
  readonly samples: readonly { readonly at: number; readonly ms: number }[];
  /** This process's event-loop stalls over the window (replies that arrived meanwhile were read late). */
  readonly generatorStalls: readonly Stall[];
  readonly generatorCpuShare: number;
  /** This (load generator) process's event-loop delay over the window, ms: a reply it read late looks slow. */
  readonly generatorLoopP99: number;
  readonly generatorLoopMax: number;
}

/**
 * Every peer of `pool` re-announces at `perSecond` in total (the rate players send at: peers /
 * interval), round-robin over the peers, each announce carrying `offers` offers of ~`sdpBytes` SDP
 * that the tracker relays to other peers of its swarm. Runs `durationMs`; latency is measured from
 * the send to the reply on the same connection.
 */
export async function runPacedAnnounces(
  pool: MuxPeerPool,
  options: { perSecond: number; durationMs: number; offers: number; sdpBytes: number },
  measure: { start(): Promise<void>; end(): Promise<void> },
): Promise<PacedLoadResult> {
  // A small pool of offers shared by all announces (offer_ids are fresh per message).
  const sdps = Array.from({ length: 16 }, () => JSON.stringify({ type: 'offer', sdp: fakeSdp(options.sdpBytes) }));
  const entries: { socket: MuxSocket; peer: MuxPeer }[] = [];
  const perSocket = Math.max(...pool.sockets.map((s) => s.peers.length));
  // Interleave connections so consecutive announces go to different connections.
  for (let i = 0; i < perSocket; i++)
    for (const socket of pool.sockets) {
      const peer = socket.peers[i];
      if (peer) entries.push({ socket, peer });
    }
  let cursor = Math.floor(Math.random() * entries.length);
  const message = (peer: MuxPeer): string => {
    const offers = Array.from(
      { length: options.offers },
      (_, i) => `{"offer":${sdps[(cursor + i) % sdps.length]!},"offer_id":${JSON.stringify(randomBytes(20).toString('latin1'))}}`,
    );
    return `{"action":"announce","info_hash":${JSON.stringify(peer.infoHash)},"peer_id":${JSON.stringify(peer.peerId)},"numwant":${options.offers},"uploaded":0,"downloaded":0,"offers":[${offers.join(',')}]}`;
  };

  const latencies: number[] = [];
  const samples: { at: number; ms: number }[] = [];
  let sent = 0;
  await measure.start();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const stalls = new StallRecorder();
  stalls.start();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const stopAt = started + options.durationMs;
  const pending: Promise<void>[] = [];
  // A 10 ms tick sends what is due since the start, so a late tick catches up instead of lowering the rate.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, stopAt) - started) / 1000) * options.perSecond);
      while (sent < due) {
        const entry = entries[cursor]!;
        cursor = (cursor + 1) % entries.length;
        sent++;
        const at = epochNow();
        pending.push(
          entry.socket.announce(message(entry.peer)).then((ms) => {
            latencies.push(ms);
            samples.push({ at, ms });
          }),
        );
      }
      if (now >= stopAt) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 10);
  });
  // Replies still in flight at the end count, up to a grace period.
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 5000))]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loop.disable();
  stalls.stop();
  await measure.end();
  const sorted = Float64Array.from(latencies).sort();
  return {
    announces: latencies.length,
    unanswered: sent - latencies.length,
    seconds: options.durationMs / 1000,
    latencies: sorted,
    samples,
    generatorStalls: stalls.take().stalls,
    generatorCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
    generatorLoopP99: loop.percentile(99) / 1e6,
    generatorLoopMax: loop.max / 1e6,
  };
}

/** The q-quantile (0..1) of ascending `sorted` values (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
