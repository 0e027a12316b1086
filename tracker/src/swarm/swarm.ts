import { binaryToHex } from '../protocol/binary-string.ts';
import { idJson } from '../protocol/messages.ts';

/** Where messages for a peer go: the client connection it announced on. */
export interface PeerLink {
  send(text: string): void;
}

/** One peer_id in one swarm. Lives exactly as long as its membership. */
export class Peer<L extends PeerLink = PeerLink> {
  /** Position in the swarm's peer list, so removal is O(1). */
  index = -1;
  /** The peer's `peer_id` already JSON-encoded (wire string), spliced into every message sent on its behalf. */
  readonly peerIdJson: string;

  constructor(
    readonly peerId: string,
    readonly swarm: Swarm<L>,
    readonly link: L,
    public seeding: boolean,
    public lastAnnounceAt: number,
  ) {
    this.peerIdJson = idJson(peerId);
  }
}

/**
 * The peers of one info_hash. Peers sit in an array (random picks, swap-remove) and a map by
 * peer_id (lookups); `complete`/`incomplete` are kept as counters, never recounted.
 */
export class Swarm<L extends PeerLink = PeerLink> {
  readonly infoHashJson: string;
  complete = 0;
  incomplete = 0;
  /** `completed` events seen since the swarm was created (scrape's `downloaded`). */
  downloaded = 0;
  private readonly byId = new Map<string, Peer<L>>();
  private readonly list: Peer<L>[] = [];
  private hex: string | null = null;

  constructor(readonly infoHash: string) {
    this.infoHashJson = idJson(infoHash);
  }

  get infoHashHex(): string {
    this.hex ??= binaryToHex(this.infoHash);
    return this.hex;
  }

  get size(): number {
    return this.list.length;
  }

  get(peerId: string): Peer<L> | undefined {
    return this.byId.get(peerId);
  }

  add(peer: Peer<L>): void {
    peer.index = this.list.length;
    this.list.push(peer);
    this.byId.set(peer.peerId, peer);
    if (peer.seeding) this.complete++;
    else this.incomplete++;
  }

  remove(peer: Peer<L>): void {
    if (peer.index < 0 || this.list[peer.index] !== peer) return;
    const last = this.list.pop()!;
    if (last !== peer) {
      this.list[peer.index] = last;
      last.index = peer.index;
    }
    peer.index = -1;
    this.byId.delete(peer.peerId);
    if (peer.seeding) this.complete--;
    else this.incomplete--;
  }

  /** Marks a leecher as seeder; returns false when it already was one. */
  markSeeding(peer: Peer<L>): boolean {
    if (peer.seeding) return false;
    peer.seeding = true;
    this.incomplete--;
    this.complete++;
    return true;
  }

  /**
   * Fills `out` with up to `count` distinct random peers other than `except`. For the small counts
   * the protocol uses (≤ maxOffersPerAnnounce) rejection sampling touches only a handful of slots.
   */
  pick(count: number, except: Peer<L>, out: Peer<L>[]): void {
    out.length = 0;
    const size = this.list.length;
    const others = except.index >= 0 ? size - 1 : size;
    if (count <= 0 || others <= 0) return;
    if (others <= count * 2) {
      // Small swarm: walk it from a random start, so every peer gets offers in turn.
      const start = Math.floor(Math.random() * size);
      for (let i = 0; i < size && out.length < count; i++) {
        const peer = this.list[(start + i) % size]!;
        if (peer !== except) out.push(peer);
      }
      return;
    }
    while (out.length < count) {
      const peer = this.list[Math.floor(Math.random() * size)]!;
      if (peer !== except && !out.includes(peer)) out.push(peer);
    }
  }

  peers(): IterableIterator<Peer<L>> {
    return this.list.values();
  }
}
