import type { UpstreamSet } from '../cluster/upstream-set.ts';
import type { Peer, PeerLink } from '../swarm/swarm.ts';
import type { WebSocketConnection } from '../transport/websocket-connection.ts';

const NO_PEERS: readonly Peer<ClientConnection>[] = [];

/** Per-connection state of one WebSocket client (a browser tab, or another instance proxying one). */
export class ClientConnection implements PeerLink {
  /**
   * Local swarm memberships (one per info_hash and peer_id announced on this connection). Most
   * connections hold one (a player announces one swarm): it sits in `peer`, and a Set (~150 B of
   * heap) is made only for a second one, then kept.
   */
  private peer: Peer<ClientConnection> | null = null;
  private morePeers: Set<Peer<ClientConnection>> | null = null;
  /** info_hashes this connection announces through another instance (sharding) → owner URL. */
  proxied: Map<string, string> | null = null;
  /** One upstream WebSocket per owning instance, opened on demand. */
  upstreams: UpstreamSet | null = null;
  /** info_hashes already cleared by the allow-list / predicate (only kept when one is configured). */
  allowed: Set<string> | null = null;
  /** Set while an async info_hash check runs; messages wait in `backlog` to keep their order. */
  waiting = false;
  /** Made when the first message has to wait (rare: only an async info_hash predicate makes them wait). */
  backlog: string[] | null = null;
  closed = false;
  lastMessageAt: number;
  private tokens: number;
  private tokensAt: number;

  constructor(
    readonly wire: WebSocketConnection<ClientConnection>,
    readonly ip: string,
    readonly origin: string | null,
    /** Opened by another tracker instance (authenticated by the cluster secret). */
    readonly fromCluster: boolean,
    now: number,
    private readonly burst: number,
    private readonly maxBufferedBytes: number,
    private readonly onSlowConsumer: (connection: ClientConnection) => void,
  ) {
    this.lastMessageAt = now;
    this.tokens = burst;
    this.tokensAt = now;
  }

  /** Swarms joined here or through a proxy, counted against maxSwarmsPerConnection. */
  get swarmCount(): number {
    return this.peerCount + (this.proxied?.size ?? 0);
  }

  get peerCount(): number {
    return this.morePeers?.size ?? (this.peer === null ? 0 : 1);
  }

  /**
   * The peers of this connection, to walk while removing some of them ({@link deletePeer} during
   * the walk is safe: a Set iterator skips what was deleted, a single peer comes in a new array).
   */
  peers(): Iterable<Peer<ClientConnection>> {
    return this.morePeers ?? (this.peer === null ? NO_PEERS : [this.peer]);
  }

  addPeer(peer: Peer<ClientConnection>): void {
    if (this.morePeers !== null) this.morePeers.add(peer);
    else if (this.peer === null) this.peer = peer;
    else if (this.peer !== peer) {
      this.morePeers = new Set([this.peer, peer]);
      this.peer = null;
    }
  }

  deletePeer(peer: Peer<ClientConnection>): void {
    if (this.morePeers !== null) this.morePeers.delete(peer);
    else if (this.peer === peer) this.peer = null;
  }

  clearPeers(): void {
    this.peer = null;
    this.morePeers = null;
  }

  /** Token bucket: `ratePerSecond` sustained, `burst` at once. */
  takeToken(now: number, ratePerSecond: number): boolean {
    const elapsed = now - this.tokensAt;
    this.tokensAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * ratePerSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  send(text: string): void {
    if (this.closed) return;
    this.wire.sendText(text);
    if (this.wire.bufferedBytes > this.maxBufferedBytes) this.onSlowConsumer(this);
  }

  /** Sends a message given as pieces of its wire string (see WebSocketConnection.sendTextParts). */
  sendParts(parts: readonly string[]): void {
    if (this.closed) return;
    this.wire.sendTextParts(parts);
    if (this.wire.bufferedBytes > this.maxBufferedBytes) this.onSlowConsumer(this);
  }

  /** Passes a message from an upstream instance through untouched. */
  relay(data: Buffer): void {
    if (this.closed) return;
    this.wire.sendTextBytes(data);
    if (this.wire.bufferedBytes > this.maxBufferedBytes) this.onSlowConsumer(this);
  }
}
