/**
 * Which kind of path each P2P connection took (direct, STUN-reflexive or TURN-relayed), read from
 * `RTCPeerConnection.getStats()`.
 *
 * p2p-media-loader's bundled simple-peer captures the page's `RTCPeerConnection` when its module is
 * evaluated and never exposes the connections it makes. So this module, imported by create-player.ts
 * before p2p-media-loader, puts a thin subclass in its place that only remembers each new connection
 * in the registry of the player whose `rtcConfig` made it (matched by a tag in the configuration,
 * which browsers ignore). It opens nothing and starts no timer; connections of other code are left alone.
 */

/** ICE candidate types (RTCIceCandidateType). */
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
/** Open peer connections by the type of their selected candidate pair (the "farthest" side: relay > srflx > prflx > host). */
export type ConnectionTypeCounts = Record<CandidateType, number>;

/** The configuration key that tags a player's connections. */
export const PLAYER_TAG_KEY = 'spherecastPlayer';

const registries = new Map<string, Set<RTCPeerConnection>>();

type TaggedConfiguration = RTCConfiguration & { [PLAYER_TAG_KEY]?: unknown };

function installRegistry(): void {
  const scope = globalThis as { RTCPeerConnection?: typeof RTCPeerConnection & { spherecastTracked?: true } };
  const Original = scope.RTCPeerConnection;
  if (!Original || Original.spherecastTracked) return;
  class TrackedPeerConnection extends Original {
    static override spherecastTracked = true as const;
    constructor(configuration?: TaggedConfiguration) {
      super(configuration);
      const tag: unknown = configuration?.[PLAYER_TAG_KEY];
      if (typeof tag === 'string') registries.get(tag)?.add(this);
    }
  }
  scope.RTCPeerConnection = TrackedPeerConnection;
}
installRegistry();

let nextTag = 0;

/** The connections one player's P2P engine opens. */
export class PeerConnectionRegistry {
  readonly tag = `player-${(nextTag += 1)}-${Math.random().toString(36).slice(2, 8)}`;
  readonly #connections = new Set<RTCPeerConnection>();

  constructor() {
    registries.set(this.tag, this.#connections);
  }

  /** `config` with this registry's tag, for p2p-media-loader's `rtcConfig`. */
  tagged(config: RTCConfiguration): RTCConfiguration {
    return { ...config, [PLAYER_TAG_KEY]: this.tag } as TaggedConfiguration;
  }

  /** The connections that are still open (closed ones are forgotten). */
  open(): RTCPeerConnection[] {
    for (const pc of this.#connections) if (pc.connectionState === 'closed' || pc.connectionState === 'failed') this.#connections.delete(pc);
    return [...this.#connections];
  }

  destroy(): void {
    registries.delete(this.tag);
    this.#connections.clear();
  }
}

type StatsEntry = { type: string; id: string; [key: string]: unknown };

/**
 * The candidate type of a connection's selected pair, or null while none is selected. Of the two
 * ends, the one farthest from direct decides: a pair with a relay on either side is relayed.
 */
export async function selectedPairType(pc: RTCPeerConnection): Promise<CandidateType | null> {
  const report = await pc.getStats();
  const entries = new Map<string, StatsEntry>();
  report.forEach((entry: StatsEntry) => entries.set(entry.id, entry));
  let pair: StatsEntry | undefined;
  for (const entry of entries.values()) {
    if (entry.type === 'transport' && typeof entry['selectedCandidatePairId'] === 'string') {
      pair = entries.get(entry['selectedCandidatePairId']);
      if (pair) break;
    }
  }
  // Firefox marks the pair itself; older browsers only nominate it.
  pair ??= [...entries.values()].find(
    (e) => e.type === 'candidate-pair' && (e['selected'] === true || (e['nominated'] === true && e['state'] === 'succeeded')),
  );
  if (!pair) return null;
  const types = [pair['localCandidateId'], pair['remoteCandidateId']].map((id) => (typeof id === 'string' ? entries.get(id)?.['candidateType'] : undefined));
  for (const type of ['relay', 'srflx', 'prflx', 'host'] as const) if (types.includes(type)) return type;
  return null;
}

export function emptyConnectionCounts(): ConnectionTypeCounts {
  return { host: 0, srflx: 0, prflx: 0, relay: 0 };
}
