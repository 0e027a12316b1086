import type { CloseReason, RejectReason } from './errors.ts';

/**
 * Why a peer left its swarm. `replaced`: the same peer_id announced from a new connection after
 * missing an announce on its old one (a client that reconnected, e.g. after a network change).
 */
export type PeerLeftReason = 'stopped' | 'connection-closed' | 'idle' | 'replaced';

/**
 * Events a {@link TrackerServer} emits, by name, with their payload. Ids are lowercase hex
 * (`infoHash`, `peerId`), as operators and the origin write them.
 */
export interface TrackerEventMap {
  /** First peer of an info_hash arrived on this instance. */
  swarmCreated: { readonly infoHash: string };
  /** Last peer of an info_hash left. */
  swarmRemoved: { readonly infoHash: string };
  peerJoined: { readonly infoHash: string; readonly peerId: string; readonly seeding: boolean };
  /** A peer announced `completed` (or `left: 0`) and now counts as a seeder. */
  peerCompleted: { readonly infoHash: string; readonly peerId: string };
  peerLeft: { readonly infoHash: string; readonly peerId: string; readonly reason: PeerLeftReason };
  connectionRejected: { readonly ip: string; readonly origin: string | null; readonly reason: RejectReason };
  connectionClosed: { readonly ip: string; readonly reason: CloseReason; readonly detail?: string };
}

export type TrackerEventName = keyof TrackerEventMap;
export type TrackerEventListener<E extends TrackerEventName> = (payload: TrackerEventMap[E]) => void;

/** Names of the events, as constants (hls.js `Events` style). */
export const TrackerEvents = {
  SwarmCreated: 'swarmCreated',
  SwarmRemoved: 'swarmRemoved',
  PeerJoined: 'peerJoined',
  PeerCompleted: 'peerCompleted',
  PeerLeft: 'peerLeft',
  ConnectionRejected: 'connectionRejected',
  ConnectionClosed: 'connectionClosed',
} as const satisfies Record<string, TrackerEventName>;

/**
 * Minimal typed emitter. `has()` lets the hot path skip building payloads nobody listens to.
 */
export class TypedEmitter<M extends { [K in keyof M]: object }> {
  private readonly listeners = new Map<keyof M, Set<(payload: never) => void>>();

  on<E extends keyof M>(event: E, listener: (payload: M[E]) => void): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off<E extends keyof M>(event: E, listener: (payload: M[E]) => void): this {
    const set = this.listeners.get(event);
    set?.delete(listener);
    if (set?.size === 0) this.listeners.delete(event);
    return this;
  }

  has(event: keyof M): boolean {
    return this.listeners.has(event);
  }

  protected emit<E extends keyof M>(event: E, payload: M[E]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) (listener as (payload: M[E]) => void)(payload);
  }
}
