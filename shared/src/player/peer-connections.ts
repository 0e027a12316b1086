/**
 * Which kind of path each P2P connection took (direct, STUN-reflexive or TURN-relayed), read from
 * `RTCPeerConnection.getStats()`.
 *
 * p2p-media-loader's bundled simple-peer captures the page's `RTCPeerConnection` when its module is
 * evaluated and never exposes the connections it makes. So this module, imported by create-player.ts
 * before p2p-media-loader, puts a thin subclass in its place that only remembers each new connection
 * in the registry of the player whose `rtcConfig` made it (matched by a tag in the configuration,
 * which browsers ignore), gives it that player's current ICE servers (TURN credentials are refreshed
 * before they expire) and, under relay policy `off`, drops the other side's relay candidates. It opens
 * nothing and starts no timer; connections of other code are left alone.
 */

/** ICE candidate types (RTCIceCandidateType). */
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
/** Open peer connections by the type of their selected candidate pair (the "farthest" side: relay > srflx > prflx > host). */
export type ConnectionTypeCounts = Record<CandidateType, number>;

/** The configuration key that tags a player's connections. */
export const PLAYER_TAG_KEY = 'spherecastPlayer';

/** What the wrapped RTCPeerConnection needs of a player, looked up by the tag in its configuration. */
type RegistryEntry = {
  connections: Set<RTCPeerConnection>;
  /** ICE servers that replace the configured ones (fresh TURN credentials), or null to keep them. */
  iceServers: RTCIceServer[] | null;
  /** Relay policy `off`: the other side's relay candidates are dropped, so no relayed pair can form. */
  dropRemoteRelays: boolean;
};

const registries = new Map<string, RegistryEntry>();

type TaggedConfiguration = RTCConfiguration & { [PLAYER_TAG_KEY]?: unknown };

const RELAY_CANDIDATE = / typ relay( |$)/;

/** An SDP without its relay candidate lines (`a=candidate:... typ relay ...`). */
export function withoutRelayCandidates(sdp: string): string {
  return sdp
    .split(/\r\n|\n/)
    .filter((line) => !(line.startsWith('a=candidate:') && RELAY_CANDIDATE.test(line)))
    .join('\r\n');
}

/** Makes `pc` ignore the other side's relay candidates (in its offer or answer, and trickled ones). */
function dropRemoteRelayCandidates(pc: RTCPeerConnection): void {
  // The DOM typings' legacy callback overloads make bind() pick the 3-argument form; the promise form is meant.
  /* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
  const setRemote = pc.setRemoteDescription.bind(pc) as (description: RTCSessionDescriptionInit) => Promise<void>;
  const addCandidate = pc.addIceCandidate.bind(pc) as (candidate?: RTCIceCandidateInit | null) => Promise<void>;
  /* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */
  Object.assign(pc, {
    setRemoteDescription: (description: RTCSessionDescriptionInit) =>
      setRemote(description.sdp ? { type: description.type, sdp: withoutRelayCandidates(description.sdp) } : description),
    addIceCandidate: (candidate?: RTCIceCandidateInit | null) =>
      candidate && RELAY_CANDIDATE.test(candidate.candidate ?? '') ? Promise.resolve() : addCandidate(candidate),
  });
}

function installRegistry(): void {
  const scope = globalThis as { RTCPeerConnection?: typeof RTCPeerConnection & { spherecastTracked?: true } };
  const Original = scope.RTCPeerConnection;
  if (!Original || Original.spherecastTracked) return;
  class TrackedPeerConnection extends Original {
    static override spherecastTracked = true as const;
    constructor(configuration?: TaggedConfiguration) {
      const tag: unknown = configuration?.[PLAYER_TAG_KEY];
      const entry = typeof tag === 'string' ? registries.get(tag) : undefined;
      // p2p-media-loader keeps the rtcConfig it was created with; fresh credentials go in here.
      super(entry?.iceServers && configuration ? { ...configuration, iceServers: entry.iceServers } : configuration);
      if (entry?.dropRemoteRelays) dropRemoteRelayCandidates(this);
      entry?.connections.add(this);
    }
  }
  scope.RTCPeerConnection = TrackedPeerConnection;
}
installRegistry();

let nextTag = 0;

/** The connections one player's P2P engine opens, and the ICE settings they get. */
export class PeerConnectionRegistry {
  readonly tag = `player-${(nextTag += 1)}-${Math.random().toString(36).slice(2, 8)}`;
  readonly #entry: RegistryEntry;

  /** `dropRemoteRelays`: relay policy `off` (the other side's relay candidates never reach ICE). */
  constructor(dropRemoteRelays = false) {
    this.#entry = { connections: new Set(), iceServers: null, dropRemoteRelays };
    registries.set(this.tag, this.#entry);
  }

  /** `config` with this registry's tag, for p2p-media-loader's `rtcConfig`. */
  tagged(config: RTCConfiguration): RTCConfiguration {
    return { ...config, [PLAYER_TAG_KEY]: this.tag } as TaggedConfiguration;
  }

  /** ICE servers for connections made from now on (open ones keep theirs). */
  setIceServers(servers: RTCIceServer[]): void {
    this.#entry.iceServers = servers;
  }

  /** The connections that are still open (closed ones are forgotten). */
  open(): RTCPeerConnection[] {
    const { connections } = this.#entry;
    for (const pc of connections) if (pc.connectionState === 'closed' || pc.connectionState === 'failed') connections.delete(pc);
    return [...connections];
  }

  destroy(): void {
    registries.delete(this.tag);
    this.#entry.connections.clear();
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
