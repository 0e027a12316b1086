import { Peer, Swarm, type PeerLink } from './swarm.ts';

/** All swarms of one tracker instance, by binary info_hash, with running totals. */
export class SwarmRegistry<L extends PeerLink = PeerLink> {
  private readonly swarms = new Map<string, Swarm<L>>();
  private peerTotal = 0;

  get swarmCount(): number {
    return this.swarms.size;
  }

  get peerCount(): number {
    return this.peerTotal;
  }

  get(infoHash: string): Swarm<L> | undefined {
    return this.swarms.get(infoHash);
  }

  /** Returns the swarm and whether it was just created. */
  obtain(infoHash: string): { swarm: Swarm<L>; created: boolean } {
    const existing = this.swarms.get(infoHash);
    if (existing !== undefined) return { swarm: existing, created: false };
    const swarm = new Swarm<L>(infoHash);
    this.swarms.set(infoHash, swarm);
    return { swarm, created: true };
  }

  join(swarm: Swarm<L>, peerId: string, link: L, seeding: boolean, now: number): Peer<L> {
    const peer = new Peer(peerId, swarm, link, seeding, now);
    swarm.add(peer);
    this.peerTotal++;
    return peer;
  }

  /** Removes the peer; returns true when its swarm became empty and was dropped. */
  leave(peer: Peer<L>): boolean {
    if (peer.index < 0) return false;
    peer.swarm.remove(peer);
    this.peerTotal--;
    if (peer.swarm.size === 0 && this.swarms.get(peer.swarm.infoHash) === peer.swarm) {
      this.swarms.delete(peer.swarm.infoHash);
      return true;
    }
    return false;
  }

  values(): IterableIterator<Swarm<L>> {
    return this.swarms.values();
  }

  /** Seeders and leechers over all swarms (walks the swarms; for stats, not the hot path). */
  totals(): { seeders: number; leechers: number } {
    let seeders = 0;
    let leechers = 0;
    for (const swarm of this.swarms.values()) {
      seeders += swarm.complete;
      leechers += swarm.incomplete;
    }
    return { seeders, leechers };
  }

  clear(): void {
    this.swarms.clear();
    this.peerTotal = 0;
  }
}
