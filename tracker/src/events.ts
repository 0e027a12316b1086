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

/** The emitter {@link TrackerServer} extends: the one typed emitter of all parts (`has()` lets the hot path skip payloads nobody listens to). */
export { TypedEmitter } from '@spherecast/shared/events';
