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
 * nothing and starts no timer of its own until a connection gathers; connections of other code are
 * left alone.
 *
 * It also bounds how long an offer or answer waits for ICE gathering. The tracker client sends them
 * non-trickled (simple-peer `trickle: false`): each waits for the end of gathering, or 5 s after the
 * first candidate, and the announce waits for all of its 5 offers. Measured in the NAT lab (ice-trace
 * in origin/web/e2e/nat): where UDP is blocked, STUN and TURN-over-UDP never answer, gathering never
 * ends, and every offer and answer took those 5 s although the TURN-over-TCP relay candidate was there
 * after 50 ms; under relay policy `always` (no host candidates) no candidate came at all when the TURN
 * server refused the allocation, the 5 s never started, and that viewer never announced. So:
 * - gathering counts as ended for the tracker client as soon as a relay candidate is there (the path
 *   of last resort: any peer that can reach the TURN server reaches it), or GATHER_DEADLINE_MS after it
 *   began, whichever comes first (later candidates are not sent: non-trickled);
 * - each player learns which transports work (TransportVerdict) from its connections' candidates and
 *   hands new connections only those: a UDP relay or reflexive candidate means UDP works, so TURN over
 *   TCP/TLS is left out; gathering that ends (or runs GATHER_VERDICT_MS) with none, where STUN or TURN
 *   over UDP was configured, means UDP is blocked, so those are left out and gathering ends at once.
 *   That also halves the TURN allocations each connection holds on the server (one per TURN URL).
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
  /** What this player's connections found out about UDP. */
  udp: TransportVerdict;
};

/** `unknown` until a connection has gathered enough to tell; `works` (a UDP relay or reflexive candidate) or `blocked`. */
export type TransportVerdict = 'unknown' | 'works' | 'blocked';

/** The longest an offer or answer waits for ICE gathering (simple-peer's own wait is 5 s after the first candidate). */
export const GATHER_DEADLINE_MS = 1500;
/** Gathering that ran this long (or ended) without a UDP reflexive or relay candidate means UDP is blocked. */
export const GATHER_VERDICT_MS = 5000;

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

type Transport = 'udp' | 'tcp';

/** Whether an ICE server URL is reached over UDP (stun:, turn: without or with transport=udp) or TCP (turns:, transport=tcp). */
export function urlTransport(url: string): Transport {
  if (/^turns:/i.test(url) || /[?&]transport=tcp\b/i.test(url)) return 'tcp';
  return 'udp';
}

/**
 * `servers` without what cannot help given `udp`: when UDP works, TURN over TCP/TLS (a UDP relay does
 * the same with less delay); when it is blocked, STUN and TURN over UDP (they never answer). A server
 * left with no URL is left out; if nothing would be left, `servers` as they are.
 */
export function serversForVerdict(servers: readonly RTCIceServer[], udp: TransportVerdict): RTCIceServer[] {
  if (udp === 'unknown') return [...servers];
  const drop: Transport = udp === 'works' ? 'tcp' : 'udp';
  const kept = servers
    .map((server) => ({ ...server, urls: (Array.isArray(server.urls) ? server.urls : [server.urls]).filter((url) => urlTransport(url) !== drop) }))
    .filter((server) => server.urls.length > 0);
  return kept.length > 0 || servers.length === 0 ? kept : [...servers];
}

/**
 * Ends gathering early for the tracker client (see the module comment) and learns the UDP verdict
 * from `pc`'s candidates. simple-peer listens through `onicecandidate` and sends its offer or answer
 * (the local description with the candidates so far) on the first end-of-candidates event it sees.
 */
function watchGathering(pc: RTCPeerConnection, entry: RegistryEntry, servers: readonly RTCIceServer[]): void {
  const urls = servers.flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]));
  const triesUdp = urls.some((url) => urlTransport(url) === 'udp');
  let udpSeen = false;
  let ended = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let verdict: ReturnType<typeof setTimeout> | undefined;
  const decide = (): void => {
    clearTimeout(verdict);
    if (entry.udp === 'unknown' && triesUdp && !udpSeen && pc.connectionState !== 'closed') entry.udp = 'blocked';
  };
  const end = (): void => {
    clearTimeout(deadline);
    if (ended || pc.signalingState === 'closed') return;
    ended = true;
    pc.onicecandidate?.call(pc, new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }));
  };
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'gathering' && !deadline) {
      deadline = setTimeout(end, GATHER_DEADLINE_MS);
      verdict = setTimeout(decide, GATHER_VERDICT_MS);
    } else if (pc.iceGatheringState === 'complete') {
      ended = true;
      clearTimeout(deadline);
      decide();
    }
  });
  pc.addEventListener('icecandidate', ({ candidate }) => {
    if (!candidate) return;
    // Chromium names relayProtocol only for relays reached over TCP or TLS (none for UDP).
    const relayProtocol = (candidate as RTCIceCandidate & { relayProtocol?: string | null }).relayProtocol;
    const fromUdp = candidate.type === 'srflx' || (candidate.type === 'relay' && relayProtocol !== 'tcp' && relayProtocol !== 'tls');
    if (fromUdp) {
      udpSeen = true;
      entry.udp = 'works';
    }
    // After this event has reached simple-peer (its onicecandidate runs after this listener), so the
    // candidate is in the description it sends.
    if (candidate.type === 'relay') setTimeout(end, 0);
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
      const servers = entry ? serversForVerdict(entry.iceServers ?? configuration?.iceServers ?? [], entry.udp) : undefined;
      super(servers && configuration ? { ...configuration, iceServers: servers } : configuration);
      if (entry?.dropRemoteRelays) dropRemoteRelayCandidates(this);
      if (entry) watchGathering(this, entry, servers ?? []);
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
    this.#entry = { connections: new Set(), iceServers: null, dropRemoteRelays, udp: 'unknown' };
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

  /** What the connections so far found out about UDP (see serversForVerdict). */
  get udp(): TransportVerdict {
    return this.#entry.udp;
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
